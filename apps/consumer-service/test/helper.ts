import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, onTestFinished, vi } from 'vitest'
import { loggerOptions } from '@repo/service-kit/logger'
import { startFakeIssuer, type FakeIssuer } from '@repo/service-harness/fake-issuer'
import { buildApp, type AppOverrides } from '../src/app.js'
import { loadConfig, type ConsumerConfig } from '../src/config.js'

export type { FakeIssuer, TestKey } from '@repo/service-harness/fake-issuer'
export { craftToken, makeKey } from '@repo/service-harness/fake-issuer'

type Env = Record<string, string | undefined>
type App = Awaited<ReturnType<typeof buildApp>>

export async function tempDataDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'consumer-service-test-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A fake issuer on loopback for this test, closed when it ends. */
export async function fakeIssuer (): Promise<FakeIssuer> {
  const issuer = await startFakeIssuer()
  onTestFinished(() => issuer.close())
  return issuer
}

/**
 * A configuration read by the real loader, trusting `issuer` and reading its JWKS URL directly
 * (`JWKS_URL: undefined` makes the consumer discover it instead; `TRUSTED_ISSUERS` replaces both).
 */
export function testConfig (issuer: FakeIssuer, env: Env = {}): ConsumerConfig {
  const single = env.TRUSTED_ISSUERS === undefined ? { ISSUER: issuer.origin, JWKS_URL: issuer.jwksUrl } : {}
  return loadConfig({ ...single, LOG_LEVEL: 'silent', JWKS_FETCH_TIMEOUT: '1s', ...env })
}

/**
 * A clock the test moves by hand. The app reads it through its `now` seam; get-jwks' caches read
 * `performance.now()` (lru-cache captured the global object when it loaded), so that is pointed at
 * it too, for this test only.
 */
export function manualClock (start = Date.now()) {
  const clock = {
    ms: start,
    now: () => clock.ms,
    /**
     * Moves the clock. lru-cache keeps the last reading for 1 ms of real time (`ttlResolution`), so
     * this lets that much pass before the next lookup: without it an expiry could go unseen.
     */
    async advance (ms: number) {
      clock.ms += ms
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  }
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => clock.ms)
  onTestFinished(() => spy.mockRestore())
  return clock
}

/** Resolves once `/health/ready` says the issuer's keys are loaded. */
export async function keysLoaded (app: App, timeout = 5000): Promise<void> {
  await vi.waitUntil(async () => (await app.inject('/health/ready')).statusCode === 200, { timeout, interval: 10 })
}

async function build (issuer: FakeIssuer, env: Env, overrides: AppOverrides & { waitForKeys?: boolean }, dataDir: string) {
  const { waitForKeys = true, ...appOverrides } = overrides
  const app = await buildApp(testConfig(issuer, { DATA_DIR: dataDir, ...env }), { logger: false, ...appOverrides })
  if (waitForKeys) await keysLoaded(app)
  return app
}

/** Builds the consumer against `issuer`, waits until its keys are loaded (unless told not to), closes it after the test. */
export async function buildTestApp (issuer: FakeIssuer, env: Env = {}, overrides: AppOverrides & { waitForKeys?: boolean } = {}) {
  const dataDir = env.DATA_DIR ?? await tempDataDir()
  const app = await build(issuer, env, overrides, dataDir)
  onTestFinished(() => app.close())
  return app
}

/**
 * One fake issuer and one consumer trusting it for a whole `describe`, for cases that leave both as
 * they found them (well within one JWKS cooldown and cache lifetime).
 */
export function suiteApp (env: Env = {}, prepare: (issuer: FakeIssuer) => void | Promise<void> = () => {}) {
  const state: { issuer?: FakeIssuer, app?: App, dir?: string } = {}
  beforeAll(async () => {
    state.issuer = await startFakeIssuer()
    await prepare(state.issuer)
    state.dir = await mkdtemp(join(tmpdir(), 'consumer-service-test-'))
    state.app = await build(state.issuer, env, {}, state.dir)
  })
  afterAll(async () => {
    await state.app?.close()
    await state.issuer?.close()
    if (state.dir) await rm(state.dir, { recursive: true, force: true })
  })
  const get = <K extends 'issuer' | 'app'>(key: K) => {
    const value = state[key]
    if (!value) throw new Error('suiteApp() is only usable inside the describe that declared it')
    return value as NonNullable<typeof state[K]>
  }
  return { issuer: () => get('issuer'), app: () => get('app') }
}

export function bearer (token: string) {
  return { authorization: `Bearer ${token}` }
}

export function captureLogs () {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  // The services' own options (redaction, serializers), so a test sees what production would log.
  return { lines, logger: { ...loggerOptions({ level: 'info', pretty: false }) as object, stream } }
}

/** What every challenge of a test app ends with (RFC 9728 §5.1): inject's Host is `localhost:80`. */
export const RESOURCE_METADATA = 'resource_metadata="http://localhost/.well-known/oauth-protected-resource"'

export const INVALID_TOKEN_CHALLENGE = 'Bearer realm="consumer-service", error="invalid_token", ' +
  `error_description="The access token is invalid", ${RESOURCE_METADATA}`
