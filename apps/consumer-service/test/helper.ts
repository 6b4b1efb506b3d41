import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { onTestFinished } from 'vitest'
import { buildApp, type AppOverrides } from '../src/app.js'
import type { ConsumerConfig } from '../src/config.js'
import type { FakeIssuer } from './fake-issuer.js'

export async function tempDataDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'consumer-service-test-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export function testConfig (issuer: FakeIssuer, overrides: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    issuer: issuer.origin,
    audience: 'consumer-service',
    jwksUrl: issuer.jwksUrl,
    allowedAlgs: ['RS256', 'ES256', 'EdDSA'],
    clockToleranceSeconds: 5,
    jwksCacheTtlSeconds: 300,
    jwksCooldownSeconds: 30,
    jwksFetchTimeoutMs: 1000,
    jwksMaxStaleSeconds: 3600,
    verifiedTokenCacheSeconds: 60,
    dataDir: '',
    logLevel: 'silent',
    prettyLogs: false,
    ...overrides
  }
}

/** A clock the test moves by hand; the key set's TTL, cooldown and stale bound all read it. */
export function manualClock (start = Date.now()) {
  const clock = {
    ms: start,
    now: () => clock.ms,
    advance (ms: number) { clock.ms += ms }
  }
  return clock
}

/** Builds the consumer against `issuer`, waits until its keys are loaded (unless told not to), closes it after the test. */
export async function buildTestApp (issuer: FakeIssuer, config: Partial<ConsumerConfig> = {}, overrides: AppOverrides & { waitForKeys?: boolean } = {}) {
  const dataDir = config.dataDir ?? await tempDataDir()
  const { waitForKeys = true, ...appOverrides } = overrides
  const app = await buildApp(testConfig(issuer, { ...config, dataDir }), { logger: false, ...appOverrides })
  onTestFinished(() => app.close())
  if (waitForKeys) await until(() => app.keySet.loaded)
  return app
}

export async function until (condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(10)
  }
}

export function bearer (token: string) {
  return { authorization: `Bearer ${token}` }
}

export function captureLogs () {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  return { lines, logger: { level: 'info', stream } }
}

export const INVALID_TOKEN_CHALLENGE = 'Bearer realm="consumer-service", error="invalid_token", error_description="The access token is invalid"'
