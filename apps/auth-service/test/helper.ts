import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { onTestFinished } from 'vitest'
import { buildApp, type AppOverrides } from '../src/app.js'
import type { AuthConfig } from '../src/config.js'

export const ISSUER = 'http://auth.test'
export const AUDIENCE = 'consumer-service'

/** A fresh, empty data directory, removed when the test ends. */
export async function tempDataDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'auth-service-test-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export function testConfig (overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    issuer: ISSUER,
    audience: AUDIENCE,
    clientId: 'demo-client',
    tokenTtlSeconds: 900,
    signingAlg: 'RS256',
    dataDir: overrides.dataDir ?? '',
    jwksMaxAgeSeconds: 300,
    seedDemoUsers: true,
    keyRotationIntervalSeconds: 30 * 86400,
    keyPrepublishSeconds: 3600,
    keyRetireAfterSeconds: 900 + 60 + 300 + 1,
    clockToleranceSeconds: 60,
    keyStatePollMs: 1000,
    logLevel: 'silent',
    prettyLogs: false,
    ...overrides
  }
}

/** Builds the app on a temporary (or the given) data dir and closes it when the test ends. */
export async function buildTestApp (config: Partial<AuthConfig> = {}, overrides: AppOverrides = {}) {
  const dataDir = config.dataDir ?? await tempDataDir()
  const app = await buildApp(testConfig({ ...config, dataDir }), { logger: false, ...overrides })
  onTestFinished(() => app.close())
  return app
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
  return { lines, logger: { level: 'trace', stream } }
}

export async function login (app: Awaited<ReturnType<typeof buildTestApp>>, userName: string, password: string) {
  return app.inject({ method: 'POST', url: '/api/v1/auth', payload: { userName, password } })
}
