import { describe, expect, it, vi } from 'vitest'
import { SSF_EVENTS_ADDED } from '../../src/db/schema.js'
import { SignalLog } from '../../src/signals/signal-log.js'
import { ENGINES, openTestDatabase, type Engine } from '../databases.js'
import { eventIdsOf, NEVER, newStream, openEngine, sessionRevoked, setsOf } from './engine-fixture.js'

const NOTHING = { status: 200, body: { sets: {} } }
/** Long enough never to elapse in a test: only what the case is about ends the wait. */
const LONG = 600_000

describe.each(ENGINES)('Delivery long polls on %s', (engine: Engine) => {
  it('waits while nothing is pending, and answers the event the signal log announces', async () => {
    const { streams, delivery, log } = await openEngine(engine, { recheckMs: LONG, longPollTimeoutMs: LONG })
    const stream = await newStream(streams)
    const polling = delivery.poll(stream, {}, NEVER)
    await vi.waitUntil(() => delivery.waiting === 1)
    const id = await log.record(sessionRevoked())
    const answer = await polling
    expect(eventIdsOf(setsOf(answer))).toEqual([id])
    expect(delivery.waiting).toBe(0)
  })

  it('answers at once with returnImmediately, without waiting', async () => {
    const { streams, delivery } = await openEngine(engine, { recheckMs: LONG, longPollTimeoutMs: LONG })
    const stream = await newStream(streams)
    expect(await delivery.poll(stream, { returnImmediately: true }, NEVER)).toEqual(NOTHING)
    expect(delivery.waiting).toBe(0)
  })

  it('finds, on its re-check, an event another process wrote without telling this one', async () => {
    const { streams, delivery, location, clock } = await openEngine(engine, { recheckMs: 20, longPollTimeoutMs: LONG })
    const stream = await newStream(streams)
    const polling = delivery.poll(stream, {}, NEVER)
    await vi.waitUntil(() => delivery.waiting === 1)
    // Another process (the CLI): its own connection and signal log; no NOTIFY is watched here.
    const id = await new SignalLog(await openTestDatabase(location), clock.now).record(sessionRevoked())
    expect(eventIdsOf(setsOf(await polling))).toEqual([id])
    expect(delivery.waiting).toBe(0)
  })

  it('answers no SETs when the long-poll timeout passes', async () => {
    const { streams, delivery } = await openEngine(engine, { recheckMs: LONG, longPollTimeoutMs: 30 })
    const stream = await newStream(streams)
    expect(await delivery.poll(stream, {}, NEVER)).toEqual(NOTHING)
    expect(delivery.waiting).toBe(0)
  })

  it('stops waiting when the request is aborted, and does not wait for one aborted already', async () => {
    const { streams, delivery } = await openEngine(engine, { recheckMs: LONG, longPollTimeoutMs: LONG })
    const stream = await newStream(streams)
    const hangUp = new AbortController()
    const polling = delivery.poll(stream, {}, hangUp.signal)
    await vi.waitUntil(() => delivery.waiting === 1)
    hangUp.abort()
    expect(await polling).toEqual(NOTHING)
    expect(delivery.waiting).toBe(0)
    expect(await delivery.poll(stream, {}, hangUp.signal)).toEqual(NOTHING)
    expect(delivery.waiting).toBe(0)
  })

  it('answers every waiting poll with no SETs at close, and later polls at once', async () => {
    const { streams, delivery } = await openEngine(engine, { recheckMs: LONG, longPollTimeoutMs: LONG })
    const [one, two] = [await newStream(streams), await newStream(streams)]
    const polls = [delivery.poll(one, {}, NEVER), delivery.poll(two, {}, NEVER)]
    await vi.waitUntil(() => delivery.waiting === 2)
    delivery.close()
    expect(await Promise.all(polls)).toEqual([NOTHING, NOTHING])
    expect(delivery.waiting).toBe(0)
    expect(await delivery.poll(one, {}, NEVER)).toEqual(NOTHING)
  })

  it('keeps waiting through a wake-up that brought nothing for its stream', async () => {
    const { streams, delivery, log } = await openEngine(engine, { recheckMs: LONG, longPollTimeoutMs: LONG })
    const mine = await newStream(streams)
    const theirs = await newStream(streams, 'receiver-b')
    const polls = [delivery.poll(mine, {}, NEVER), delivery.poll(theirs, {}, NEVER)] as const
    await vi.waitUntil(() => delivery.waiting === 2)
    // A verification event for the other stream wakes both polls; only the other one has something.
    await streams.requestVerification('receiver-b', theirs.streamId)
    expect(Object.keys(setsOf(await polls[1]))).toHaveLength(1)
    const id = await log.record(sessionRevoked())
    expect(eventIdsOf(setsOf(await polls[0]))).toEqual([id])
    expect(delivery.waiting).toBe(0)
  })
})

describe('Delivery long polls on postgres, across connections', () => {
  it('is woken by an event committed through another connection (NOTIFY)', async () => {
    const { streams, delivery, location, db, clock } = await openEngine('postgres',
      { recheckMs: LONG, longPollTimeoutMs: LONG })
    await db.watch(SSF_EVENTS_ADDED, () => delivery.wake())
    const stream = await newStream(streams)
    const polling = delivery.poll(stream, {}, NEVER)
    await vi.waitUntil(() => delivery.waiting === 1)
    const replica = new SignalLog(await openTestDatabase(location), clock.now)
    const id = await replica.record(sessionRevoked())
    expect(eventIdsOf(setsOf(await polling))).toEqual([id])
    expect(delivery.waiting).toBe(0)
  })
})
