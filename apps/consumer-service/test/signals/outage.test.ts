import { describe, expect, it, vi } from 'vitest'
import type { Health } from '@repo/contracts/health'
import { bearer, manualClock } from '../helper.js'
import { signalsApp } from './signals-helper.js'

const REPORTS = '/api/v1/reports'
type App = Awaited<ReturnType<typeof signalsApp>>['app']

async function signalsHealth (app: App, issuer: string) {
  const body = (await app.inject('/health/ready')).json<Health>()
  return body.details?.signals?.[issuer]
}

async function metric (app: App, name: string): Promise<number> {
  const text = await app.metrics.registry.getSingleMetricAsString(name)
  return Number(text.split('\n').find((line) => line.startsWith(`${name}{`))?.split(' ').at(-1))
}

describe('while the issuer\'s signals are unreachable', () => {
  it('under SSF_OUTAGE=refuse: serves through the grace, then refuses its tokens 503 with Retry-After', async () => {
    const clock = manualClock()
    const { issuer, transmitter, app } = await signalsApp({ SSF_OUTAGE: 'refuse', SSF_OUTAGE_GRACE: '1m' },
      { now: clock.now })
    const token = issuer.token()
    expect((await app.inject({ url: REPORTS, headers: bearer(token) })).statusCode).toBe(200)
    expect(await metric(app, 'ssf_signals_up')).toBe(1)

    transmitter.state.pollStatus = 503
    await vi.waitUntil(async () => (await signalsHealth(app, issuer.origin))?.state === 'unreachable',
      { timeout: 5000, interval: 5 })
    expect((await app.inject({ url: REPORTS, headers: bearer(token) })).statusCode).toBe(200)
    expect(await signalsHealth(app, issuer.origin)).toMatchObject({ outage_policy: 'refuse', refusing_in_seconds: 60 })

    await clock.advance(60_001)
    const refused = await app.inject({ url: REPORTS, headers: bearer(token) })
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe('5')
    expect(refused.json()).toMatchObject({ code: 'temporarily_unavailable' })
    const ready = await app.inject('/health/ready')
    expect(ready.statusCode).toBe(200)
    expect(ready.json<Health>().details?.signals?.[issuer.origin]).toMatchObject({
      state: 'refusing', unreachable_seconds: 60, refusing_in_seconds: 0, entries: 0
    })
    expect(await metric(app, 'ssf_signals_up')).toBe(0)

    transmitter.state.pollStatus = undefined
    await vi.waitUntil(async () => (await signalsHealth(app, issuer.origin))?.state === 'live',
      { timeout: 5000, interval: 5 })
    expect((await app.inject({ url: REPORTS, headers: bearer(token) })).statusCode).toBe(200)
  })

  it('under SSF_OUTAGE=serve (the default): keeps accepting its tokens past any grace', async () => {
    const clock = manualClock()
    const { issuer, transmitter, app } = await signalsApp({ SSF_OUTAGE_GRACE: '1m' }, { now: clock.now })
    const token = issuer.token()
    transmitter.state.pollStatus = 503
    await vi.waitUntil(async () => (await signalsHealth(app, issuer.origin))?.state === 'unreachable',
      { timeout: 5000, interval: 5 })
    await clock.advance(120_000)
    expect((await app.inject({ url: REPORTS, headers: bearer(token) })).statusCode).toBe(200)
    expect(await signalsHealth(app, issuer.origin)).toMatchObject({ state: 'unreachable', outage_policy: 'serve' })
  })
})

describe('readiness', () => {
  it('waits until the stream has caught up (its verification seen), with the state in the details', async () => {
    const clock = manualClock()
    const { issuer, transmitter, app } = await signalsApp({}, { now: clock.now, waitForKeys: false },
      (_issuer, transmitter) => { transmitter.state.pollStatus = 503 })
    await vi.waitUntil(async () => (await signalsHealth(app, issuer.origin))?.state === 'unreachable',
      { timeout: 5000, interval: 5 })
    await vi.waitUntil(() => app.trustedIssuers.get(issuer.origin)?.keys.ready, { timeout: 5000, interval: 5 })
    const waiting = await app.inject('/health/ready')
    expect(waiting.statusCode).toBe(503)
    expect(waiting.json()).toMatchObject({ status: 'unavailable', details: { signals: { [issuer.origin]: {} } } })

    transmitter.state.pollStatus = undefined
    await vi.waitUntil(async () => (await app.inject('/health/ready')).statusCode === 200, { timeout: 5000, interval: 5 })
    expect(await signalsHealth(app, issuer.origin)).toMatchObject({ state: 'live', stream_id: transmitter.state.streams[0]?.stream_id })
  })

  it('turns ready after SSF_STARTUP_WAIT even if the stream never caught up', async () => {
    const clock = manualClock()
    const { issuer, app } = await signalsApp({ SSF_STARTUP_WAIT: '10s' }, { now: clock.now, waitForKeys: false },
      (_issuer, transmitter) => { transmitter.state.pollStatus = 503 })
    await vi.waitUntil(() => app.trustedIssuers.get(issuer.origin)?.keys.ready, { timeout: 5000, interval: 5 })
    expect((await app.inject('/health/ready')).statusCode).toBe(503)
    await clock.advance(10_000)
    expect((await app.inject('/health/ready')).statusCode).toBe(200)
  })
})
