import { describe, expect, it } from 'vitest'
import {
  CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED, POLL_DELIVERY_METHOD, PUSH_DELIVERY_METHOD, SSF_CONFIGURATION_PATH,
  SSF_POLL_PATH_PREFIX, SSF_STATUS_PATH, SSF_STREAMS_PATH, SSF_VERIFY_PATH
} from '@repo/contracts/ssf'
import { NOW } from '../dpop/proofs.js'
import { ISSUER, buildTestApp } from '../helper.js'
import { receiverBearer, ssf } from './ssf-receiver.js'

const CAEP = [CAEP_SESSION_REVOKED, CAEP_CREDENTIAL_CHANGE]
const ssfError = (err: string, description: string) => ({ err, description })

/** A stream's configuration as the transmitter answers it (docs/design/shared-signals.md §3.3). */
const configuration = (streamId: string, clientId: string, more: object = {}) => ({
  stream_id: streamId,
  iss: ISSUER,
  aud: clientId,
  delivery: { method: POLL_DELIVERY_METHOD, endpoint_url: `${ISSUER}${SSF_POLL_PATH_PREFIX}${streamId}` },
  events_supported: CAEP,
  events_requested: [],
  events_delivered: CAEP,
  min_verification_interval: 10,
  inactivity_timeout: 3600,
  ...more
})

async function world () {
  const clock = { ms: NOW }
  const app = await buildTestApp({}, { now: () => clock.ms })
  const a = await receiverBearer(app, 'consumer-a')
  const b = await receiverBearer(app, 'consumer-b')
  return { app, clock, a, b }
}

describe('GET /.well-known/ssf-configuration', () => {
  it('publishes the transmitter metadata to anyone, cached like the discovery documents', async () => {
    const app = await buildTestApp()
    const response = await app.inject(SSF_CONFIGURATION_PATH)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      spec_version: '1_0',
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      delivery_methods_supported: ['urn:ietf:rfc:8936'],
      configuration_endpoint: `${ISSUER}/ssf/streams`,
      status_endpoint: `${ISSUER}/ssf/status`,
      verification_endpoint: `${ISSUER}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL'
    })
    expect(response.headers['cache-control']).toBe('public, max-age=300')
    expect(response.headers['access-control-allow-origin']).toBe('*')
    const preflight = await app.inject({ method: 'OPTIONS', url: SSF_CONFIGURATION_PATH, headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' } })
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD')
  })
})

describe('SSF stream management', () => {
  it('creates, reads, updates, replaces and deletes a receiver\'s stream; every answer no-store', async () => {
    const { app, a } = await world()
    const created = await ssf(app, 'POST', SSF_STREAMS_PATH, a, {
      events_requested: [CAEP_SESSION_REVOKED, 'https://example.com/unknown-event'],
      delivery: { method: POLL_DELIVERY_METHOD },
      description: 'consumer-service host-1:3000'
    })
    expect(created.statusCode).toBe(201)
    expect(created.headers['cache-control']).toBe('no-store')
    const streamId = created.json().stream_id as string
    expect(streamId).toMatch(/^[0-9a-f]{32}$/)
    const asCreated = configuration(streamId, 'consumer-a', {
      events_requested: [CAEP_SESSION_REVOKED, 'https://example.com/unknown-event'],
      events_delivered: [CAEP_SESSION_REVOKED],
      description: 'consumer-service host-1:3000'
    })
    expect(created.json()).toEqual(asCreated)

    const one = await ssf(app, 'GET', `${SSF_STREAMS_PATH}?stream_id=${streamId}`, a)
    expect([one.statusCode, one.headers['cache-control'], one.json()]).toEqual([200, 'no-store', asCreated])
    const all = await ssf(app, 'GET', SSF_STREAMS_PATH, a)
    expect([all.statusCode, all.json()]).toEqual([200, [asCreated]])

    // PATCH changes what it names; transmitter-supplied members may come back unchanged.
    const patched = await ssf(app, 'PATCH', SSF_STREAMS_PATH, a, { stream_id: streamId, description: 'renamed', iss: ISSUER, aud: 'consumer-a' })
    expect([patched.statusCode, patched.json()]).toEqual([200, { ...asCreated, description: 'renamed' }])
    // PUT replaces: no events_requested is every event.
    const replaced = await ssf(app, 'PUT', SSF_STREAMS_PATH, a, { stream_id: streamId, description: 'replaced' })
    expect([replaced.statusCode, replaced.json()]).toEqual([200, configuration(streamId, 'consumer-a', { description: 'replaced' })])

    const deleted = await ssf(app, 'DELETE', `${SSF_STREAMS_PATH}?stream_id=${streamId}`, a)
    expect([deleted.statusCode, deleted.body, deleted.headers['cache-control']]).toEqual([204, '', 'no-store'])
    const gone = await ssf(app, 'GET', `${SSF_STREAMS_PATH}?stream_id=${streamId}`, a)
    expect([gone.statusCode, gone.json()]).toEqual([404, ssfError('not_found', `no stream ${streamId} of this receiver`)])
    expect((await ssf(app, 'GET', SSF_STREAMS_PATH, a)).json()).toEqual([])
  })

  it.each<[string, object, string]>([
    ['push delivery', { delivery: { method: PUSH_DELIVERY_METHOD, endpoint_url: 'https://rx.example/events' } },
      'delivery method urn:ietf:rfc:8935 is not supported: only poll (urn:ietf:rfc:8936)'],
    ['a poll endpoint of its own', { delivery: { method: POLL_DELIVERY_METHOD, endpoint_url: 'https://rx.example/poll' } },
      'delivery.endpoint_url is supplied by the transmitter for poll delivery'],
    ['a stream_id', { stream_id: 'mine' }, 'stream_id is supplied by the transmitter'],
    ['an aud', { aud: 'consumer-b' }, 'aud is supplied by the transmitter'],
    ['events_delivered', { events_delivered: [CAEP_SESSION_REVOKED] }, 'events_delivered is supplied by the transmitter']
  ])('refuses to create a stream with %s: 400, nothing created', async (_case, request, description) => {
    const { app, a } = await world()
    const response = await ssf(app, 'POST', SSF_STREAMS_PATH, a, request)
    expect([response.statusCode, response.headers['cache-control'], response.json()]).toEqual([400, 'no-store', ssfError('invalid_request', description)])
    expect((await ssf(app, 'GET', SSF_STREAMS_PATH, a)).json()).toEqual([])
  })

  it('refuses an update that changes a transmitter-supplied member: 400, nothing changed', async () => {
    const { app, a } = await world()
    const streamId = (await ssf(app, 'POST', SSF_STREAMS_PATH, a, { description: 'kept' })).json().stream_id as string
    const cases: Array<[object, string]> = [
      [{ iss: 'https://evil.example' }, 'iss is supplied by the transmitter'],
      [{ inactivity_timeout: 1 }, 'inactivity_timeout is supplied by the transmitter'],
      [{ delivery: { method: PUSH_DELIVERY_METHOD } }, 'delivery method urn:ietf:rfc:8935 is not supported: only poll (urn:ietf:rfc:8936)']
    ]
    for (const [change, description] of cases) {
      const response = await ssf(app, 'PATCH', SSF_STREAMS_PATH, a, { stream_id: streamId, description: 'changed', ...change })
      expect([response.statusCode, response.json()]).toEqual([400, ssfError('invalid_request', description)])
    }
    expect((await ssf(app, 'GET', `${SSF_STREAMS_PATH}?stream_id=${streamId}`, a)).json().description).toBe('kept')
  })

  it('answers another receiver\'s stream as not found, on every endpoint, and changes nothing', async () => {
    const { app, a, b } = await world()
    const streamId = (await ssf(app, 'POST', SSF_STREAMS_PATH, a, { description: 'a' })).json().stream_id as string
    const notFound = ssfError('not_found', `no stream ${streamId} of this receiver`)
    const attempts = [
      ssf(app, 'GET', `${SSF_STREAMS_PATH}?stream_id=${streamId}`, b),
      ssf(app, 'PATCH', SSF_STREAMS_PATH, b, { stream_id: streamId, description: 'b' }),
      ssf(app, 'PUT', SSF_STREAMS_PATH, b, { stream_id: streamId, description: 'b' }),
      ssf(app, 'DELETE', `${SSF_STREAMS_PATH}?stream_id=${streamId}`, b),
      ssf(app, 'GET', `${SSF_STATUS_PATH}?stream_id=${streamId}`, b),
      ssf(app, 'POST', SSF_STATUS_PATH, b, { stream_id: streamId, status: 'disabled' }),
      ssf(app, 'POST', SSF_VERIFY_PATH, b, { stream_id: streamId }),
      ssf(app, 'POST', `${SSF_POLL_PATH_PREFIX}${streamId}`, b, { returnImmediately: true })
    ]
    for (const response of await Promise.all(attempts)) {
      expect([response.statusCode, response.headers['cache-control'], response.json()]).toEqual([404, 'no-store', notFound])
    }
    expect((await ssf(app, 'GET', SSF_STREAMS_PATH, b)).json()).toEqual([])
    const mine = await ssf(app, 'GET', `${SSF_STATUS_PATH}?stream_id=${streamId}`, a)
    expect(mine.json()).toEqual({ stream_id: streamId, status: 'enabled' })
    expect((await ssf(app, 'GET', `${SSF_STREAMS_PATH}?stream_id=${streamId}`, a)).json().description).toBe('a')
  })

  it('gives a receiver at most 20 streams: the 21st is 409; another receiver is not affected', async () => {
    const { app, a, b } = await world()
    for (let index = 0; index < 20; index++) {
      expect((await ssf(app, 'POST', SSF_STREAMS_PATH, a, {})).statusCode).toBe(201)
    }
    const refused = await ssf(app, 'POST', SSF_STREAMS_PATH, a, {})
    expect([refused.statusCode, refused.headers['cache-control'], refused.json()]).toEqual([409, 'no-store',
      ssfError('too_many_streams', 'this receiver has as many streams as it may have: delete one first')])
    expect((await ssf(app, 'GET', SSF_STREAMS_PATH, a)).json()).toHaveLength(20)
    expect((await ssf(app, 'POST', SSF_STREAMS_PATH, b, {})).statusCode).toBe(201)
    // Deleting one makes room again.
    const first = (await ssf(app, 'GET', SSF_STREAMS_PATH, a)).json()[0].stream_id as string
    expect((await ssf(app, 'DELETE', `${SSF_STREAMS_PATH}?stream_id=${first}`, a)).statusCode).toBe(204)
    expect((await ssf(app, 'POST', SSF_STREAMS_PATH, a, {})).statusCode).toBe(201)
  })

  it('reads and sets a stream\'s status, with its reason', async () => {
    const { app, a } = await world()
    const streamId = (await ssf(app, 'POST', SSF_STREAMS_PATH, a, {})).json().stream_id as string
    const set = await ssf(app, 'POST', SSF_STATUS_PATH, a, { stream_id: streamId, status: 'paused', reason: 'maintenance' })
    expect([set.statusCode, set.headers['cache-control'], set.json()]).toEqual([200, 'no-store', { stream_id: streamId, status: 'paused', reason: 'maintenance' }])
    const read = await ssf(app, 'GET', `${SSF_STATUS_PATH}?stream_id=${streamId}`, a)
    expect([read.statusCode, read.json()]).toEqual([200, { stream_id: streamId, status: 'paused', reason: 'maintenance' }])
    const bad = await ssf(app, 'POST', SSF_STATUS_PATH, a, { stream_id: streamId, status: 'asleep' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toEqual({ err: 'invalid_request', description: expect.stringContaining('body/status') })
  })

  it('queues a verification: 204, again within 10 s 429 with Retry-After, then 204 again', async () => {
    const { app, clock, a } = await world()
    const streamId = (await ssf(app, 'POST', SSF_STREAMS_PATH, a, {})).json().stream_id as string
    const verify = () => ssf(app, 'POST', SSF_VERIFY_PATH, a, { stream_id: streamId, state: 'abc' })
    const first = await verify()
    expect([first.statusCode, first.body, first.headers['cache-control']]).toEqual([204, '', 'no-store'])
    clock.ms += 9_999
    const soon = await verify()
    expect([soon.statusCode, soon.headers['retry-after'], soon.headers['cache-control'], soon.json()]).toEqual([429, '10', 'no-store',
      ssfError('too_many_requests', 'at most one verification per 10 s per stream')])
    clock.ms += 1
    expect((await verify()).statusCode).toBe(204)
    // Both queued verifications are delivered on the stream, each with the state asked for.
    const polled = await ssf(app, 'POST', `${SSF_POLL_PATH_PREFIX}${streamId}`, a, { returnImmediately: true })
    expect(Object.keys(polled.json().sets)).toHaveLength(2)
  })

  it('answers malformed requests 400 in the SSF error shape', async () => {
    const { app, a } = await world()
    const notJson = await app.inject({ method: 'POST', url: SSF_STREAMS_PATH, headers: { ...a, 'content-type': 'application/json' }, payload: '{"description":' })
    expect([notJson.statusCode, notJson.json()]).toEqual([400, ssfError('invalid_request', 'the request body is not valid JSON')])
    const noId = await ssf(app, 'DELETE', SSF_STREAMS_PATH, a)
    expect([noId.statusCode, noId.json()]).toEqual([400, ssfError('invalid_request', 'querystring must have required property \'stream_id\'')])
  })
})
