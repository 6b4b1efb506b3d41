import { describe, expect, it } from 'vitest'
import { CAEP_CREDENTIAL_CHANGE } from '@repo/contracts/ssf'
import { sweepSignals } from '../../src/signals/retention.js'
import { ENGINES, type Engine } from '../databases.js'
import { BACKFILL, credentialChange, NEVER, newStream, openEngine, S, sessionRevoked, T0 } from './engine-fixture.js'

const HOUR = 3600 * S
const RETENTION = 24 * HOUR
const sweepAt = (now: number) => ({ now, retentionMs: RETENTION, backfillMs: BACKFILL, inactivityMs: HOUR })

describe.each(ENGINES)('sweepSignals on %s', (engine: Engine) => {
  const eventIds = async (db: Awaited<ReturnType<typeof openEngine>>['db']) =>
    (await db.all<{ id: string }>('SELECT id FROM ssf_events')).map((row) => row.id).sort()

  it('deletes an event past the retention even if unacknowledged, not one a millisecond younger', async () => {
    const { db, log, streams, delivery, clock } = await openEngine(engine)
    const stream = await newStream(streams)
    await log.record(sessionRevoked('old'))
    clock.advance(1)
    const younger = await log.record(sessionRevoked('younger'))
    clock.set(T0 + RETENTION + 1)
    await delivery.poll(stream, { maxEvents: 0 }, NEVER)
    expect(await sweepSignals(db, sweepAt(T0 + RETENTION + 1))).toEqual({ events: 1, streams: 0 })
    expect(await eventIds(db)).toEqual([younger])
  })

  it('deletes an event past the backfill window once every stream it is owed to acknowledged it', async () => {
    const { db, log, streams, delivery, clock } = await openEngine(engine)
    const all = await newStream(streams)
    const changes = await newStream(streams, 'receiver-b', { eventsRequested: [CAEP_CREDENTIAL_CHANGE] })
    const disabled = await newStream(streams, 'receiver-c')
    await streams.setStatus('receiver-c', disabled.streamId, 'disabled')
    const revoked = await log.record(sessionRevoked())
    const changed = await log.record(credentialChange())
    clock.advance(BACKFILL)
    const recent = await log.record(sessionRevoked('recent'))
    // Created once the window has passed the first events: never given them, so never owed them.
    clock.advance(1)
    await newStream(streams, 'receiver-d')
    const ack = (stream: { streamId: string }, ...ids: string[]) =>
      delivery.poll(stream as never, { maxEvents: 0, ack: ids.map((id) => `${id}.${stream.streamId}`) }, NEVER)
    await ack(all, revoked, changed, recent)
    const at = T0 + BACKFILL + 1
    // Only the stream delivered credential-change still owes it; the disabled stream owes nothing, not
    // even its own stream-updated event.
    expect(await sweepSignals(db, sweepAt(at))).toEqual({ events: 2, streams: 0 })
    expect(await eventIds(db)).toEqual([changed, recent].sort())
    await ack(changes, changed)
    expect(await sweepSignals(db, sweepAt(at))).toEqual({ events: 1, streams: 0 })
    expect(await eventIds(db)).toEqual([recent])
    const acks = await db.all<{ event_id: string }>('SELECT event_id FROM ssf_acks')
    expect(acks.map((row) => row.event_id)).toEqual([recent])
    expect(await sweepSignals(db, sweepAt(at))).toEqual({ events: 0, streams: 0 })
  })

  it('deletes a stream not polled for the inactivity timeout, with its acknowledgements and own events', async () => {
    const { db, log, streams, delivery, clock } = await openEngine(engine)
    const idle = await newStream(streams)
    const active = await newStream(streams)
    const shared = await log.record(sessionRevoked())
    await streams.requestVerification('receiver-a', idle.streamId)
    await delivery.poll(idle, { maxEvents: 0, ack: [`${shared}.${idle.streamId}`] }, NEVER)
    clock.advance(HOUR)
    await delivery.poll(active, { maxEvents: 0 }, NEVER)
    expect(await sweepSignals(db, sweepAt(T0 + HOUR + 1))).toEqual({ events: 1, streams: 1 })
    expect((await streams.list('receiver-a')).map((stream) => stream.streamId)).toEqual([active.streamId])
    expect(await eventIds(db)).toEqual([shared])
    expect(await db.all('SELECT event_id FROM ssf_acks')).toEqual([])
  })
})
