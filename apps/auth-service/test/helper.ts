import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, onTestFinished } from 'vitest'
import { loggerOptions } from '@repo/service-kit/logger'
import { LOGIN_PATH } from '@repo/contracts/login'
import { buildApp, type AppOverrides } from '../src/app.js'
import { loadConfig, type AuthConfig } from '../src/config.js'

export const ISSUER = 'http://auth.test'
export const AUDIENCE = 'consumer-service'

/** A fresh, empty data directory, removed when the test ends. */
export async function tempDataDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'auth-service-test-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A configuration read by the real loader from `env`, on top of what every test needs. */
export function testConfig (env: Record<string, string> = {}): AuthConfig {
  return loadConfig({ ISSUER, LOG_LEVEL: 'silent', ...env })
}

/** Builds the app on a temporary (or the given) DATA_DIR and closes it when the test ends. */
export async function buildTestApp (env: Record<string, string> = {}, overrides: AppOverrides = {}) {
  const DATA_DIR = env.DATA_DIR ?? await tempDataDir()
  const app = await buildApp(testConfig({ ...env, DATA_DIR }), { logger: false, ...overrides })
  onTestFinished(() => app.close())
  return app
}

/**
 * One app for a whole `describe`, for cases that don't change its state: built before the first
 * case, closed (and its DATA_DIR removed) after the last. `env` may be a function, called then.
 */
export function suiteApp (env: Record<string, string> | (() => Promise<Record<string, string>>) = {}, overrides: AppOverrides = {}) {
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  let dir: string | undefined
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auth-service-test-'))
    app = await buildApp(testConfig({ DATA_DIR: dir, ...typeof env === 'function' ? await env() : env }), { logger: false, ...overrides })
  })
  afterAll(async () => {
    await app?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })
  return () => {
    if (!app) throw new Error('suiteApp() is only usable inside the describe that declared it')
    return app
  }
}

/** A logger writing into an array, to check what does (and does not) reach the logs. */
export function captureLogs () {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    }
  })
  // The services' own options (redaction, serializers), so a test sees what production would log.
  return { lines, logger: { ...loggerOptions({ level: 'trace', pretty: false }) as object, stream } }
}

export async function login (app: Awaited<ReturnType<typeof buildApp>>, userName: string, password: string) {
  return app.inject({ method: 'POST', url: LOGIN_PATH, payload: { userName, password } })
}
