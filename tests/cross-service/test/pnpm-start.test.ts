import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { waitForReady } from '@repo/service-harness/http'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { serviceServerEntry, runAuthCli, type ServiceName } from '@repo/service-harness/service-process'
import { pnpmStart, runPnpm } from '../src/pnpm-start.js'

/** turbo replays the builds first; on a busy 2-core machine that alone has taken 25 s. */
const START_MS = 90_000
const ENV_NOTICE = '.env not found'

async function dataDir (): Promise<string> {
  const dir = await tempDir('pnpm-start-')
  onTestFinished(dir.remove)
  return dir.path
}

async function portIsFree (port: number): Promise<boolean> {
  const probe = createServer()
  probe.listen(port, '127.0.0.1')
  const [event] = await Promise.race([once(probe, 'listening').then(() => ['listening']), once(probe, 'error').then(() => ['error'])])
  if (event === 'listening') await new Promise((resolve) => probe.close(resolve))
  return event === 'listening'
}

function started (args: string[], env: Record<string, string>) {
  const run = pnpmStart(args, env)
  onTestFinished(run.stop)
  return run
}

describe('settings given to pnpm start (turbo)', () => {
  it('reach the service: it listens on the PORT given, and no .env notice is printed without a .env', async () => {
    const port = await freePort()
    const run = started(['--filter=@repo/auth-service'], { PORT: String(port), ISSUER: `http://127.0.0.1:${port}`, DATA_DIR: await dataDir() })
    await waitForReady(`http://127.0.0.1:${port}`, { timeoutMs: START_MS, isGone: () => run.exitCode() !== undefined && `pnpm start exited:\n${run.output()}` })
    expect(run.output()).not.toContain(ENV_NOTICE)
    await run.stop()
    // Ctrl-C reached the service through pnpm and turbo: nothing is left listening.
    await vi.waitUntil(() => portIsFree(port), { timeout: 10_000, interval: 100 })
  }, 2 * START_MS)

  it('stops at a bad value with the one-line configuration error and a non-zero status', async () => {
    const run = started(['--filter=@repo/auth-service'], { PORT: String(await freePort()), SIGNING_ALG: 'HS256', DATA_DIR: await dataDir() })
    expect(await run.exited).not.toBe(0)
    const lines = run.output().split('\n').filter((line) => line.includes('auth-service: '))
    expect(lines).toEqual([expect.stringMatching(/auth-service: invalid configuration: SIGNING_ALG must be one of RS256, ES256, EdDSA, got "HS256"$/)])
  }, 2 * START_MS)

  it('keeps the other service running when one stops, and says which one stopped', async () => {
    // SIGNING_ALG is the auth service's alone: the consumer starts on PORT, the auth service refuses HS256.
    const port = await freePort()
    // An issuer nobody serves: the consumer must not go looking for keys at whatever runs on 3001.
    const issuer = `http://127.0.0.1:${await freePort()}`
    const run = started([], { PORT: String(port), ISSUER: issuer, SIGNING_ALG: 'HS256', DATA_DIR: await dataDir() })
    await vi.waitUntil(() => run.output().includes('command finished with error, but continuing'), { timeout: START_MS, interval: 200 })
    expect(run.output()).toContain('auth-service: invalid configuration: SIGNING_ALG must be one of RS256, ES256, EdDSA, got "HS256"')
    await vi.waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.status === 200, { timeout: START_MS, interval: 200 })
    expect(run.exitCode()).toBeUndefined()
  }, 2 * START_MS)
})

describe('a service whose port is taken', () => {
  it.each<[string, ServiceName, 'PORT' | 'METRICS_PORT']>([
    ['auth-service', 'auth-service', 'PORT'],
    ['consumer-service', 'consumer-service', 'PORT'],
    ['auth-service, on METRICS_PORT', 'auth-service', 'METRICS_PORT']
  ])('%s: exits non-zero with exactly one line on stderr naming the port', async (_case, name, variable) => {
    const busy: Server = createServer()
    busy.listen(0, '127.0.0.1')
    await once(busy, 'listening')
    onTestFinished(() => new Promise<void>((resolve) => busy.close(() => resolve())))
    const taken = (busy.address() as { port: number }).port
    const ports = { PORT: String(await freePort()), [variable]: String(taken) }
    const child = spawn(process.execPath, [serviceServerEntry(name)], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', DATA_DIR: await dataDir(), LOG_LEVEL: 'warn', ...ports },
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => { stderr += String(chunk) })
    const [code] = await once(child, 'exit')
    expect(code).toBe(1)
    expect(stderr).toBe(
      `${name}: port ${taken} on 127.0.0.1 is already in use (another instance running? set PORT, or METRICS_PORT, to a free port)\n`)
  })
})

describe('.env', () => {
  it('is read from the working directory by the services and the CLIs, under the variables already set', async () => {
    const cwd = await dataDir()
    const dir = await dataDir()
    const port = await freePort()
    // Its DATA_DIR and ISSUER count; its PORT does not, because the environment sets one.
    await writeFile(join(cwd, '.env'), `PORT=${await freePort()}\nDATA_DIR=${dir}\nISSUER=http://127.0.0.1:${port}\n`)
    const child = spawn(process.execPath, [serviceServerEntry('auth-service')], { cwd, env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore' })
    onTestFinished(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    })
    await waitForReady(`http://127.0.0.1:${port}`, { timeoutMs: 20_000, isGone: () => child.exitCode !== null && 'auth-service exited' })
    const discovery = await (await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).json() as { issuer: string }
    expect(discovery.issuer).toBe(`http://127.0.0.1:${port}`)
    expect(existsSync(join(dir, 'auth.db'))).toBe(true)
    const listed = await runAuthCli('keys', ['list', '--json'], {}, '', cwd)
    expect(listed.stderr).toBe('')
    expect(JSON.parse(listed.stdout)).toHaveLength(1)
  }, 60_000)

  it('is not needed, and its absence goes unmentioned by the CLIs\' scripts', async () => {
    const missing = join(await dataDir(), 'none')
    const { code, stderr } = await runPnpm(['--silent', '--filter', '@repo/auth-service', 'keys:list'], { DATA_DIR: missing })
    expect(code).not.toBe(0)
    expect(stderr).not.toContain(ENV_NOTICE)
    expect(stderr).toMatch(/^keys: .*\n$/)
  })
})
