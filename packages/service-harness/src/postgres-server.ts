import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, readdirSync } from 'node:fs'
import { chmod, chown } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort, tempDir } from './free-port.js'

const run = promisify(execFile)
const START_TIMEOUT_MS = 30_000

/** A PostgreSQL server for tests: each suite gets a database of its own with `createDatabase`. */
export interface PostgresServer {
  /** The maintenance database's URL (superuser). */
  adminUrl: string
  /** A new, empty database; its URL. */
  createDatabase: () => Promise<string>
  /**
   * Stops the server this harness started and removes its files; a TEST_DATABASE_URL server is left running, with
   * its test_… databases.
   */
  stop: () => Promise<void>
  /**
   * Stops the server as `pg_ctl stop -m fast` does (every client disconnected) and keeps its files;
   * `resume()` starts it again on the same port and data. Only for a server this harness started.
   */
  pause: () => Promise<void>
  /** Starts a paused server again; resolves once it accepts connections. */
  resume: () => Promise<void>
}

/**
 * Where the server binaries are: `PG_BIN`, else the newest Debian-style `/usr/lib/postgresql/N/bin`,
 * else `pg_config --bindir`; undefined when there are none.
 */
async function findBinDir (): Promise<string | undefined> {
  if (process.env.PG_BIN) return process.env.PG_BIN
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const newest = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))[0]
    if (newest) return join(debian, newest, 'bin')
  }
  try {
    return (await run('pg_config', ['--bindir'])).stdout.trim()
  } catch {
    return undefined
  }
}

/** Without server binaries: PostgreSQL in a container, or one line saying what is missing. */
async function startInContainer (): Promise<PostgresServer> {
  // Loaded only here: testcontainers is a large import, and most runs have the binaries.
  const { postgresImage, startPostgresContainer } = await import('./postgres-container.js')
  let container: Awaited<ReturnType<typeof startPostgresContainer>>
  try {
    container = await startPostgresContainer()
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]
    const image = postgresImage()
    throw new Error('no PostgreSQL for the tests: no server binaries (PG_BIN, /usr/lib/postgresql/*/bin, pg_config), ' +
      `and starting ${image} with Docker failed (${reason}); ` +
      'start Docker, install PostgreSQL (Debian: apt-get install postgresql), or set TEST_DATABASE_URL')
  }
  return { ...container, createDatabase: () => createTestDatabase(container.adminUrl) }
}

/** initdb refuses to run as root: as root, the server runs as the `postgres` user (Debian's package creates it). */
async function serverUser (): Promise<{ uid: number, gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout)
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout)
    return { uid, gid }
  } catch {
    throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (initdb refuses root)')
  }
}

export async function waitForServer (url: string, child?: ChildProcess, output = () => ''): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child && child.exitCode !== null) {
      throw new Error(`PostgreSQL exited with ${child.exitCode} at start:\n${output()}`)
    }
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`PostgreSQL not ready after ${START_TIMEOUT_MS} ms: ${String(error)}\n${output()}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      await client.end().catch(() => {})
    }
  }
}

/** A new, empty database on the server at `adminUrl` (a superuser's URL); its URL. */
export async function createTestDatabase (adminUrl: string): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/**
 * A PostgreSQL server on a free loopback port, its files in a temporary directory: the real engine,
 * without Docker. With `TEST_DATABASE_URL`, that server is used instead; on a machine without the
 * server binaries, a container of `POSTGRES_IMAGE` (default `postgres:17`). Durability is off
 * (`fsync=off`): the tests kill services, and stop this server only cleanly (`pause`).
 */
export async function startPostgresServer (): Promise<PostgresServer> {
  const external = process.env.TEST_DATABASE_URL
  if (external) {
    const notHere = async () => {
      throw new Error('pause() and resume() need a server this harness started, not TEST_DATABASE_URL')
    }
    const createDatabase = () => createTestDatabase(external)
    return { adminUrl: external, createDatabase, stop: async () => {}, pause: notHere, resume: notHere }
  }
  const bin = await findBinDir()
  if (bin === undefined) return startInContainer()
  const user = await serverUser()
  const dir = await tempDir('postgres-test-')
  if (user) await chown(dir.path, user.uid, user.gid)
  await chmod(dir.path, 0o700)
  const data = join(dir.path, 'data')
  const initdbArgs = ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']
  await run(join(bin, 'initdb'), initdbArgs, { ...user })
  const port = await freePort()
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`
  let output = ''
  const launch = async () => {
    const child = spawn(join(bin, 'postgres'), [
      '-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir.path,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'
    ], { ...user, stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.on('data', (chunk) => { output = (output + String(chunk)).slice(-8000) })
    const exit = once(child, 'exit')
    try {
      await waitForServer(adminUrl, child, () => output)
    } catch (error) {
      child.kill('SIGKILL')
      await exit
      throw error
    }
    return { child, exit }
  }
  // SIGINT: PostgreSQL's fast shutdown (disconnects clients, no checkpoint wait to speak of).
  const shutDown = async ({ child, exit }: Awaited<ReturnType<typeof launch>>) => {
    if (child.exitCode === null) child.kill('SIGINT')
    await exit
  }
  let running: Awaited<ReturnType<typeof launch>> | undefined
  try {
    running = await launch()
  } catch (error) {
    await dir.remove()
    throw error
  }
  return {
    adminUrl,
    createDatabase: () => createTestDatabase(adminUrl),
    stop: async () => {
      if (running) await shutDown(running)
      running = undefined
      await dir.remove()
    },
    pause: async () => {
      if (running) await shutDown(running)
      running = undefined
    },
    resume: async () => {
      running ??= await launch()
    }
  }
}
