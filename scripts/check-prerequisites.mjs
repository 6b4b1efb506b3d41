// The first step of `pnpm test`: checks, in a second, the tools the suites need besides Node and the
// npm packages, so a machine that lacks one fails at once with one line per missing tool saying how to
// install it, not twenty minutes in. Each suite also fails (never skips) without its tool.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { request } from 'node:http'
import { homedir } from 'node:os'
import { join } from 'node:path'

const found = []
const missing = []

const nodeMajor = Number(process.versions.node.split('.')[0])
if (nodeMajor < 24) missing.push(`Node 24 or later (this is ${process.version}): install Node 24 LTS`)

if (spawnSync('shellcheck', ['--version']).error) {
  missing.push('shellcheck (pnpm lint:workflows checks the workflow\'s run: steps with it): ' +
    'sudo apt-get install shellcheck (Debian, Ubuntu), brew install shellcheck (macOS)')
} else {
  found.push('shellcheck')
}

// tests/browser/src/chromium.ts looks in the same place.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (existsSync(chromium)) {
  found.push(`Chromium ${chromium}`)
} else {
  missing.push(`Chromium at ${chromium} (tests/browser opens the /docs pages in it): ` +
    'sudo apt-get install chromium (Debian); elsewhere install Chromium or Google Chrome and set CHROMIUM_PATH to it')
}

// packages/service-harness/src/softhsm.ts (the tests' and the bench's SoftHSM tokens) looks in the same place.
const softHsm = process.env.SOFTHSM2_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so'
if (existsSync(softHsm) && !spawnSync('softhsm2-util', ['--version']).error) {
  found.push(`SoftHSM2 ${softHsm}`)
} else {
  missing.push(`SoftHSM2 at ${softHsm} with softhsm2-util (the auth service's PKCS#11 tests make tokens in it): ` +
    'sudo apt-get install softhsm2 (Debian, Ubuntu); elsewhere install SoftHSM2 and set SOFTHSM2_MODULE to its libsofthsm2.so')
}

// packages/service-harness/src/postgres-server.ts: TEST_DATABASE_URL, else the server binaries, else a container.
const postgresBin = process.env.PG_BIN ?? debianPostgresBin() ?? pgConfigBin()
if (process.env.TEST_DATABASE_URL) {
  found.push('PostgreSQL at TEST_DATABASE_URL')
} else if (postgresBin) {
  found.push(`PostgreSQL ${postgresBin}`)
} else if (await dockerAnswers()) {
  found.push(`PostgreSQL in Docker (${process.env.POSTGRES_IMAGE || 'postgres:17'})`)
} else {
  missing.push('PostgreSQL for the store tests: no server binaries, and no Docker engine answers to run it in ' +
    '(the tests then start postgres:17, or POSTGRES_IMAGE): start Docker, ' +
    'or sudo apt-get install postgresql (Debian), or set TEST_DATABASE_URL to a server where the tests may create databases')
}

if (missing.length > 0) {
  for (const line of missing) console.error(`pnpm test: missing ${line}`)
  process.exit(1)
}
console.log(`pnpm test: prerequisites found: ${found.join(', ')}`)

function debianPostgresBin () {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const version = readdirSync(root).find((name) => existsSync(join(root, name, 'bin', 'initdb')))
  return version === undefined ? undefined : join(root, version, 'bin')
}

function pgConfigBin () {
  const result = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() || undefined : undefined
}

/** Whether a Docker engine answers: the CLI's `docker version`, else a ping on the engine's socket. */
async function dockerAnswers () {
  if (spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 10_000 }).status === 0) return true
  const host = process.env.DOCKER_HOST
  const sockets = host?.startsWith('unix://')
    ? [host.slice('unix://'.length)]
    : ['/var/run/docker.sock', join(homedir(), '.docker', 'run', 'docker.sock')]
  for (const socketPath of sockets) {
    if (existsSync(socketPath) && await ping({ socketPath })) return true
  }
  if (host?.startsWith('tcp://')) {
    const { hostname, port } = new URL(host)
    return ping({ host: hostname, port: Number(port) || 2375 })
  }
  return false
}

function ping (target) {
  return new Promise((resolve) => {
    const ask = request({ ...target, path: '/_ping', timeout: 5000 }, (response) => {
      response.resume()
      resolve(response.statusCode === 200)
    })
    ask.on('error', () => resolve(false))
    ask.on('timeout', () => { ask.destroy(); resolve(false) })
    ask.end()
  })
}
