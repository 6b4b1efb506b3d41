import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { CAEP_SESSION_REVOKED, SSF_POLL_PATH_PREFIX, SSF_STREAMS_PATH } from '@repo/contracts/ssf'
import { SignalLog, type SignalEvent } from '../../src/signals/signal-log.js'
import type { App } from '../authorization/browser-flow.js'
import { ENGINES, engineEnv, openTestDatabase, type Engine } from '../databases.js'
import { NOW } from '../dpop/proofs.js'
import { ISSUER, buildTestApp, tempDataDir } from '../helper.js'
import { receiverBearer, ssf } from './ssf-receiver.js'

/** Jane's session ended by her logout, as routes/pages/logout.ts records it. */
const LOGOUT: SignalEvent = {
  type: CAEP_SESSION_REVOKED,
  subject: {
    format: 'complex',
    user: { format: 'iss_sub', iss: ISSUER, sub: 'jane-id' },
    session: { format: 'opaque', id: 'sid-1' }
  },
  payload: { event_timestamp: NOW / 1000, initiating_entity: 'user', reason_admin: { en: 'RP-initiated logout' } }
}

async function world (engine: Engine, env: Record<string, string> = {}) {
  const dbEnv = engine === 'sqlite' ? { DATA_DIR: await tempDataDir() } : await engineEnv(engine)
  const app = await buildTestApp({ ...dbEnv, ...env }, { now: () => NOW })
  const a = await receiverBearer(app, 'consumer-a')
  const streamId = (await ssf(app, 'POST', SSF_STREAMS_PATH, a, {})).json().stream_id as string
  const poll = (body: object, headers = a) => ssf(app, 'POST', `${SSF_POLL_PATH_PREFIX}${streamId}`, headers, body)
  return { app, a, streamId, poll, dbEnv }
}

const metric = async (app: App, line: RegExp) => (await app.inject('/metrics')).body.split('\n').find((text) => line.test(text))

describe.each(ENGINES)('POST /ssf/poll/:stream_id (RFC 8936), on %s', (engine: Engine) => {
  it('delivers a recorded event as a SET that verifies with the JWKS; acknowledged, it is not sent again; a re-ack is fine', async () => {
    const { app, streamId, poll } = await world(engine)
    const eventId = await app.signals.record(LOGOUT)
    const response = await poll({ returnImmediately: true })
    expect([response.statusCode, response.headers['cache-control']]).toEqual([200, 'no-store'])
    const jti = `${eventId}.${streamId}`
    expect(Object.keys(response.json().sets)).toEqual([jti])
    expect(response.json()).not.toHaveProperty('moreAvailable')

    const jwks = createLocalJWKSet((await app.inject('/.well-known/jwks.json')).json())
    const { payload, protectedHeader } = await jwtVerify(response.json().sets[jti] as string, jwks, {
      issuer: ISSUER, audience: 'consumer-a', typ: 'secevent+jwt', currentDate: new Date(NOW)
    })
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: app.keyRing.jwks().keys[0]?.kid, typ: 'secevent+jwt' })
    expect(payload).toEqual({
      iss: ISSUER,
      jti,
      iat: NOW / 1000,
      aud: 'consumer-a',
      txn: eventId,
      sub_id: LOGOUT.subject,
      events: { [CAEP_SESSION_REVOKED]: LOGOUT.payload }
    })

    // Unacknowledged, it comes again; acknowledged, no more.
    expect(Object.keys((await poll({ returnImmediately: true })).json().sets)).toEqual([jti])
    const acked = await poll({ ack: [jti], returnImmediately: true })
    expect([acked.statusCode, acked.json()]).toEqual([200, { sets: {} }])
    // The answer to that poll may have been lost: the receiver acknowledges again.
    const again = await poll({ ack: [jti], returnImmediately: true })
    expect([again.statusCode, again.json()]).toEqual([200, { sets: {} }])
    expect(await metric(app, /^ssf_polls_total\{outcome="sets"\}/)).toBe('ssf_polls_total{outcome="sets"} 2')
    expect(await metric(app, /^ssf_polls_total\{outcome="empty"\}/)).toBe('ssf_polls_total{outcome="empty"} 2')
  })

  it('refuses an acknowledgement of a jti unknown on this stream: 400 naming it, and applies nothing of that poll', async () => {
    const { app, a, streamId, poll } = await world(engine)
    const eventId = await app.signals.record(LOGOUT)
    const jti = `${eventId}.${streamId}`
    const otherStream = (await ssf(app, 'POST', SSF_STREAMS_PATH, a, {})).json().stream_id as string
    const unknown = ['no-such-jti', `${eventId}.${otherStream}`, `0123.${streamId}`]
    const refused = await poll({ ack: [jti, ...unknown], returnImmediately: true })
    expect([refused.statusCode, refused.headers['cache-control'], refused.json()]).toEqual([400, 'no-store', {
      err: 'invalid_request', description: `unknown jti on this stream: ${unknown.join(', ')}`
    }])
    const errs = await poll({ setErrs: { 'no-such-jti': { err: 'invalid_key', description: 'x' } }, returnImmediately: true })
    expect([errs.statusCode, errs.json()]).toEqual([400, { err: 'invalid_request', description: 'unknown jti on this stream: no-such-jti' }])
    // The good jti of the refused poll was not acknowledged.
    expect(Object.keys((await poll({ returnImmediately: true })).json().sets)).toEqual([jti])
    expect(await metric(app, /^ssf_polls_total\{outcome="refused"\}/)).toBe('ssf_polls_total{outcome="refused"} 2')
  })

  it('takes a SET error as an acknowledgement, counted by its code', async () => {
    const { app, streamId, poll } = await world(engine)
    const jti = `${await app.signals.record(LOGOUT)}.${streamId}`
    const response = await poll({ setErrs: { [jti]: { err: 'invalid_key', description: 'unknown kid' } }, returnImmediately: true })
    expect([response.statusCode, response.json()]).toEqual([200, { sets: {} }])
    expect(await metric(app, /^ssf_set_errors_total/)).toBe('ssf_set_errors_total{err="invalid_key"} 1')
  })

  it('answers a waiting long poll with an event recorded while it waits', async () => {
    const { app, streamId, poll } = await world(engine)
    const answer = poll({})
    await vi.waitUntil(() => app.ssfDelivery.waiting === 1)
    expect(await metric(app, /^ssf_polls_waiting /)).toBe('ssf_polls_waiting 1')
    const eventId = await app.signals.record(LOGOUT)
    const response = await answer
    expect([response.statusCode, Object.keys(response.json().sets)]).toEqual([200, [`${eventId}.${streamId}`]])
    expect(app.ssfDelivery.waiting).toBe(0)
  })

  it('wakes a waiting poll for an event another process recorded', async () => {
    // PostgreSQL: the NOTIFY wakes it (the re-check is far off); SQLite: the re-check finds it.
    const recheck: Record<string, string> = engine === 'postgres'
      ? { SSF_RECHECK: '10s', SSF_LONG_POLL_TIMEOUT: '60s' }
      : { SSF_RECHECK: '100ms' }
    const { app, streamId, poll, dbEnv } = await world(engine, recheck)
    const answer = poll({})
    await vi.waitUntil(() => app.ssfDelivery.waiting === 1)
    const location = dbEnv.DATABASE_URL === undefined
      ? { dataDir: dbEnv.DATA_DIR as string }
      : { dataDir: '/nonexistent', databaseUrl: dbEnv.DATABASE_URL }
    const otherProcess = new SignalLog(await openTestDatabase(location), () => NOW)
    const eventId = await otherProcess.record(LOGOUT)
    // Well before the 10 s re-check: only the NOTIFY can have woken it.
    await vi.waitUntil(() => app.ssfDelivery.waiting === 0, { timeout: 5000, interval: 20 })
    const response = await answer
    expect(Object.keys(response.json().sets)).toEqual([`${eventId}.${streamId}`])
  })

  it('stops waiting when the receiver hangs up', async () => {
    const { app, a, streamId } = await world(engine)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `${SSF_POLL_PATH_PREFIX}${streamId}`,
      headers: { ...a, 'content-type': 'application/json' }
    })
    request.on('error', () => {})
    request.end('{}')
    await vi.waitUntil(() => app.ssfDelivery.waiting === 1)
    request.destroy()
    await vi.waitUntil(() => app.ssfDelivery.waiting === 0)
    // Nothing was signed for nobody: the event recorded now is the next poll's.
    const eventId = await app.signals.record(LOGOUT)
    const next = await ssf(app, 'POST', `${SSF_POLL_PATH_PREFIX}${streamId}`, a, { returnImmediately: true })
    expect(Object.keys(next.json().sets)).toEqual([`${eventId}.${streamId}`])
  })

  it('answers a waiting poll with no SETs when the app closes, without waiting for its timeout', async () => {
    const { app, a, streamId } = await world(engine)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    const answer = fetch(`http://127.0.0.1:${port}${SSF_POLL_PATH_PREFIX}${streamId}`, {
      method: 'POST', headers: { ...a, 'content-type': 'application/json' }, body: '{}'
    })
    await vi.waitUntil(() => app.ssfDelivery.waiting === 1)
    // Before the server waits for its open requests (25 s of long poll, beyond this test's time).
    await app.close()
    const response = await answer
    expect([response.status, await response.json()]).toEqual([200, { sets: {} }])
  })

  it('gives at most maxEvents SETs and says more are available; the acknowledgement rides on the next poll', async () => {
    const { app, streamId, poll } = await world(engine)
    const jtis: string[] = []
    for (let index = 0; index < 3; index++) jtis.push(`${await app.signals.record(LOGOUT)}.${streamId}`)
    const first = await poll({ maxEvents: 2, returnImmediately: true })
    const sent = Object.keys(first.json().sets)
    expect([sent.length, first.json().moreAvailable]).toEqual([2, true])
    for (const jti of sent) expect(decodeJwt(first.json().sets[jti] as string).jti).toBe(jti)
    const second = await poll({ ack: sent, returnImmediately: true })
    expect(second.json()).toEqual({ sets: { [jtis.find((jti) => !sent.includes(jti)) as string]: expect.any(String) } })
  })
})
