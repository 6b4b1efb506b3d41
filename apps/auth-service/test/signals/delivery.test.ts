import { describe, expect, it } from 'vitest'
import { Compile } from 'typebox/compile'
import { CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED, PollErrorSchema, SSF_VERIFICATION } from '@repo/contracts/ssf'
import { ENGINES, type Engine } from '../databases.js'
import {
  BACKFILL, claimsOf, credentialChange, eventIdsOf, ISSUER, NEVER, newStream, openEngine, S, sessionRevoked, setsOf, T0
} from './engine-fixture.js'

const NOTHING = { status: 200, body: { sets: {} } }
const now = { returnImmediately: true }

describe.each(ENGINES)('Delivery on %s', (engine: Engine) => {
  it('gives a new stream the events of the backfill window, oldest first, and not one recorded before it', async () => {
    const { streams, delivery, log, clock } = await openEngine(engine)
    clock.set(T0 - BACKFILL - 1)
    await log.record(sessionRevoked('too-old'))
    clock.set(T0 - BACKFILL)
    const first = await log.record(sessionRevoked('first'))
    clock.set(T0 - S)
    const second = await log.record(credentialChange('second'))
    clock.set(T0)
    const stream = await newStream(streams)
    const answer = await delivery.poll(stream, now, NEVER)
    expect(answer).toEqual({ status: 200, body: { sets: expect.any(Object) } })
    expect(eventIdsOf(setsOf(answer))).toEqual([first, second])
  })

  it('gives each SET its claims: jti <event>.<stream>, aud the receiver, txn, sub_id and the event', async () => {
    const { streams, delivery, log } = await openEngine(engine)
    const stream = await newStream(streams)
    const id = await log.record({ ...credentialChange('u9'), txn: 'txn-1' })
    const answer = await delivery.poll(stream, now, NEVER)
    expect(claimsOf(setsOf(answer))).toEqual([{
      iss: ISSUER,
      jti: `${id}.${stream.streamId}`,
      iat: T0 / 1000,
      aud: 'receiver-a',
      txn: 'txn-1',
      sub_id: { format: 'iss_sub', iss: ISSUER, sub: 'u9' },
      events: { [CAEP_CREDENTIAL_CHANGE]: { credential_type: 'password', change_type: 'update' } }
    }])
  })

  it('gives a stream only the event types it is delivered, and its own verification events only', async () => {
    const { streams, delivery, log, clock } = await openEngine(engine)
    const changes = await newStream(streams, 'receiver-a', { eventsRequested: [CAEP_CREDENTIAL_CHANGE] })
    const none = await newStream(streams, 'receiver-a', { eventsRequested: ['https://example.test/other'] })
    await log.record(sessionRevoked())
    const change = await log.record(credentialChange())
    // Events of one millisecond come in any order: this one is later.
    clock.advance(S)
    await streams.requestVerification('receiver-a', changes.streamId, 'hello')
    await streams.requestVerification('receiver-a', none.streamId, 'other')
    const answer = await delivery.poll(changes, now, NEVER)
    const claims = claimsOf(setsOf(answer))
    expect(claims.map((set) => Object.keys(set.events)[0])).toEqual([CAEP_CREDENTIAL_CHANGE, SSF_VERIFICATION])
    expect(claims[0]!.jti).toBe(`${change}.${changes.streamId}`)
    expect(claims[1]).toMatchObject({
      sub_id: { format: 'opaque', id: changes.streamId },
      events: { [SSF_VERIFICATION]: { state: 'hello' } }
    })
    const other = await delivery.poll(none, now, NEVER)
    expect(claimsOf(setsOf(other)).map((set) => set.events))
      .toEqual([{ [SSF_VERIFICATION]: { state: 'other' } }])
  })

  it('stops giving what was acknowledged or reported as an error; a re-ack is fine', async () => {
    const { streams, delivery, log, db } = await openEngine(engine)
    const stream = await newStream(streams)
    const [a, b, c] = [await log.record(sessionRevoked('a')), await log.record(sessionRevoked('b')),
      await log.record(sessionRevoked('c'))]
    const jti = (id: string) => `${id}.${stream.streamId}`
    const setErrs = { [jti(b)]: { err: 'invalid_key', description: 'no key for kid k1' } }
    const answer = await delivery.poll(stream, { ...now, ack: [jti(a)], setErrs }, NEVER)
    expect(eventIdsOf(setsOf(answer))).toEqual([c])
    expect(await delivery.poll(stream, { ...now, ack: [jti(a), jti(c)] }, NEVER)).toEqual(NOTHING)
    expect(await delivery.poll(stream, { ...now, ack: [jti(c)] }, NEVER)).toEqual(NOTHING)
    expect(await db.all('SELECT event_id, err FROM ssf_acks ORDER BY err')).toEqual(expect.arrayContaining([
      { event_id: a, err: null }, { event_id: b, err: 'invalid_key: no key for kid k1' }, { event_id: c, err: null }
    ]))
    expect(await db.all('SELECT event_id FROM ssf_acks')).toHaveLength(3)
  })

  it('refuses a poll naming an unknown jti with 400 invalid_request, and applies none of it', async () => {
    const { streams, delivery, log, db } = await openEngine(engine)
    const stream = await newStream(streams)
    const other = await newStream(streams, 'receiver-b')
    const known = await log.record(sessionRevoked())
    await streams.requestVerification('receiver-b', other.streamId)
    const [verification] = await db.all<{ id: string }>('SELECT id FROM ssf_events WHERE stream_id IS NOT NULL')
    const unknown = [`${known}.${other.streamId}`, `${'0'.repeat(32)}.${stream.streamId}`, known, 'x',
      `${verification!.id}.${stream.streamId}`, `.${stream.streamId}`]
    const answer = await delivery.poll(stream,
      {
        ack: [`${known}.${stream.streamId}`, ...unknown.slice(0, 3)],
        setErrs: {
          [unknown[3]!]: { err: 'e', description: 'd' },
          [unknown[4]!]: { err: 'e', description: 'd' },
          [unknown[5]!]: { err: 'e', description: 'd' }
        }
      }, NEVER)
    expect(answer).toEqual({
      status: 400,
      body: {
        err: 'invalid_request',
        description: `unknown jti on this stream: ${unknown.slice(0, 5).join(', ')}`
      }
    })
    expect(await db.all('SELECT event_id FROM ssf_acks')).toEqual([])
    expect(eventIdsOf(setsOf(await delivery.poll(stream, now, NEVER)))).toEqual([known])
  })

  it('names at most five unknown jtis, each cut to 128 characters, within the error schema\'s 1000', async () => {
    const { streams, delivery } = await openEngine(engine)
    const stream = await newStream(streams)
    const long = Array.from({ length: 6 }, (_, i) => `${i}`.repeat(256))
    const answer = await delivery.poll(stream, { ack: long }, NEVER)
    expect(answer).toEqual({
      status: 400,
      body: {
        err: 'invalid_request',
        description: `unknown jti on this stream: ${long.slice(0, 5).map((jti) => jti.slice(0, 128)).join(', ')}`
      }
    })
    expect(Compile(PollErrorSchema).Check(answer.body)).toBe(true)
  })

  it('with maxEvents 0 only acknowledges, and answers no SETs however many wait', async () => {
    const { streams, delivery, log } = await openEngine(engine)
    const stream = await newStream(streams)
    const acked = await log.record(sessionRevoked('a'))
    const kept = await log.record(sessionRevoked('b'))
    expect(await delivery.poll(stream, { maxEvents: 0, ack: [`${acked}.${stream.streamId}`] }, NEVER)).toEqual(NOTHING)
    expect(eventIdsOf(setsOf(await delivery.poll(stream, now, NEVER)))).toEqual([kept])
  })

  it('says moreAvailable only when more events wait than it answered, and answers at most 100', async () => {
    const { streams, delivery, log } = await openEngine(engine)
    const stream = await newStream(streams)
    for (let i = 0; i < 101; i++) await log.record(sessionRevoked(`u${i}`))
    const two = await delivery.poll(stream, { ...now, maxEvents: 2 }, NEVER)
    expect(Object.keys(setsOf(two))).toHaveLength(2)
    expect(two.body).toMatchObject({ moreAvailable: true })
    const capped = await delivery.poll(stream, { ...now, maxEvents: 1000 }, NEVER)
    expect(Object.keys(setsOf(capped))).toHaveLength(100)
    expect(capped.body).toMatchObject({ moreAvailable: true })
    const jtis = Object.keys(setsOf(capped)).slice(0, 99)
    const last = await delivery.poll(stream, { ...now, ack: jtis, maxEvents: 2 }, NEVER)
    expect(Object.keys(setsOf(last))).toHaveLength(2)
    expect(last.body).not.toHaveProperty('moreAvailable')
  })

  it('answers a paused or disabled stream at once with no SETs; a paused one keeps its events', async () => {
    const { streams, delivery, log, clock } = await openEngine(engine)
    const stream = await newStream(streams, 'receiver-a', { eventsRequested: [CAEP_SESSION_REVOKED] })
    const kept = await log.record(sessionRevoked())
    const paused = (await streams.setStatus('receiver-a', stream.streamId, 'paused'))!
    expect(await delivery.poll(paused, {}, NEVER)).toEqual(NOTHING)
    expect(delivery.waiting).toBe(0)
    const enabled = (await streams.setStatus('receiver-a', stream.streamId, 'enabled'))!
    const claims = claimsOf(setsOf(await delivery.poll(enabled, now, NEVER)))
    expect(claims.map((set) => set.jti.split('.')[0])).toContain(kept)
    const disabled = (await streams.setStatus('receiver-a', stream.streamId, 'disabled'))!
    expect(await delivery.poll(disabled, {}, NEVER)).toEqual(NOTHING)
    clock.advance(BACKFILL + S)
    const again = (await streams.setStatus('receiver-a', stream.streamId, 'enabled'))!
    const afterwards = claimsOf(setsOf(await delivery.poll(again, now, NEVER)))
    expect(afterwards.map((set) => set.jti.split('.')[0])).not.toContain(kept)
  })

  it('records when the stream was last polled', async () => {
    const { streams, delivery, clock } = await openEngine(engine)
    const stream = await newStream(streams)
    clock.advance(42 * S)
    await delivery.poll(stream, { maxEvents: 0 }, NEVER)
    expect(await streams.get('receiver-a', stream.streamId)).toMatchObject({ lastPolledAt: T0 + 42 * S })
  })
})
