import { describe, expect, it } from 'vitest'
import { CAEP_CREDENTIAL_CHANGE, CAEP_EVENTS, SSF_STREAM_UPDATED, SSF_VERIFICATION } from '@repo/contracts/ssf'
import { ENGINES, type Engine } from '../databases.js'
import { BACKFILL, MIN_VERIFICATION, NEVER, newStream, openEngine, S, T0 } from './engine-fixture.js'

describe.each(ENGINES)('StreamStore on %s', (engine: Engine) => {
  it('creates, reads, lists, updates and removes a client\'s streams', async () => {
    const { streams } = await openEngine(engine)
    const created = await newStream(streams, 'receiver-a', { description: 'consumer host-1' })
    expect(created).toEqual({
      streamId: expect.stringMatching(/^[0-9a-f]{32}$/),
      clientId: 'receiver-a',
      description: 'consumer host-1',
      eventsRequested: [],
      eventsDelivered: [...CAEP_EVENTS],
      status: 'enabled',
      backfillFrom: T0 - BACKFILL,
      createdAt: T0,
      lastPolledAt: T0
    })
    const second = await newStream(streams, 'receiver-a', { eventsRequested: [CAEP_CREDENTIAL_CHANGE] })
    expect(await streams.get('receiver-a', created.streamId)).toEqual(created)
    expect((await streams.list('receiver-a')).map((stream) => stream.streamId).sort())
      .toEqual([created.streamId, second.streamId].sort())
    const updated = await streams.update('receiver-a', created.streamId, { eventsRequested: [CAEP_CREDENTIAL_CHANGE] })
    expect(updated).toEqual({
      ...created,
      eventsRequested: [CAEP_CREDENTIAL_CHANGE],
      eventsDelivered: [CAEP_CREDENTIAL_CHANGE]
    })
    expect(await streams.update('receiver-a', created.streamId, { description: 'host-2' }))
      .toEqual({ ...updated, description: 'host-2' })
    expect(await streams.remove('receiver-a', created.streamId)).toBe(true)
    expect(await streams.get('receiver-a', created.streamId)).toBeUndefined()
    expect(await streams.remove('receiver-a', created.streamId)).toBe(false)
    expect(await streams.list('receiver-a')).toEqual([second])
  })

  it('delivers the CAEP events asked for, all of them when none or an empty list is asked for', async () => {
    const { streams } = await openEngine(engine)
    const asked = async (eventsRequested?: string[]) =>
      (await newStream(streams, 'receiver-a', eventsRequested ? { eventsRequested } : {})).eventsDelivered
    expect(await asked()).toEqual([...CAEP_EVENTS])
    expect(await asked([])).toEqual([...CAEP_EVENTS])
    expect(await asked(['https://example.test/unknown', CAEP_CREDENTIAL_CHANGE, CAEP_CREDENTIAL_CHANGE]))
      .toEqual([CAEP_CREDENTIAL_CHANGE])
    expect(await asked(['https://example.test/unknown'])).toEqual([])
  })

  it('shows a stream to its own client only: another client reads, changes and removes nothing', async () => {
    const { streams } = await openEngine(engine)
    const stream = await newStream(streams, 'receiver-a')
    expect(await streams.get('receiver-b', stream.streamId)).toBeUndefined()
    expect(await streams.list('receiver-b')).toEqual([])
    expect(await streams.update('receiver-b', stream.streamId, { description: 'taken' })).toBeUndefined()
    expect(await streams.setStatus('receiver-b', stream.streamId, 'paused')).toBeUndefined()
    expect(await streams.requestVerification('receiver-b', stream.streamId)).toBe('unknown')
    expect(await streams.remove('receiver-b', stream.streamId)).toBe(false)
    expect(await streams.get('receiver-a', stream.streamId)).toEqual(stream)
  })

  it('refuses a client\'s 21st stream, not another client\'s first, and accepts one again after a removal', async () => {
    const { streams } = await openEngine(engine)
    const made = await Promise.all(Array.from({ length: 20 }, () => newStream(streams, 'receiver-a')))
    expect(await streams.create('receiver-a', {})).toBe('too-many')
    expect(await streams.create('receiver-b', {})).toMatchObject({ clientId: 'receiver-b' })
    await streams.remove('receiver-a', made[0]!.streamId)
    expect(await streams.create('receiver-a', {})).toMatchObject({ clientId: 'receiver-a' })
    expect(await streams.list('receiver-a')).toHaveLength(20)
  })

  it('records a stream-updated event for the stream when its status changes, none when it stays', async () => {
    const { streams, db } = await openEngine(engine)
    const stream = await newStream(streams)
    expect(await streams.setStatus('receiver-a', stream.streamId, 'paused', 'maintenance'))
      .toEqual({ ...stream, status: 'paused', statusReason: 'maintenance' })
    await streams.setStatus('receiver-a', stream.streamId, 'paused')
    const rows = await db.all('SELECT event_type, subject, payload, stream_id FROM ssf_events')
    expect(rows).toEqual([{
      event_type: SSF_STREAM_UPDATED,
      subject: `{"format":"opaque","id":"${stream.streamId}"}`,
      payload: '{"status":"paused","reason":"maintenance"}',
      stream_id: stream.streamId
    }])
  })

  it('starts a re-enabled stream from the backfill window: what happened while disabled before it is not sent', async () => {
    const { streams, clock } = await openEngine(engine)
    const stream = await newStream(streams)
    await streams.setStatus('receiver-a', stream.streamId, 'disabled')
    clock.advance(3600 * S)
    const paused = await streams.setStatus('receiver-a', stream.streamId, 'paused')
    expect(paused).toMatchObject({ status: 'paused', backfillFrom: T0 + 3600 * S - BACKFILL })
    clock.advance(3600 * S)
    // Paused to enabled keeps the window: a paused stream's events are kept for it.
    expect(await streams.setStatus('receiver-a', stream.streamId, 'enabled'))
      .toMatchObject({ status: 'enabled', backfillFrom: T0 + 3600 * S - BACKFILL })
  })

  it('queues a verification event at most once per minimum interval, for that stream alone', async () => {
    const { streams, clock, db } = await openEngine(engine)
    const stream = await newStream(streams)
    expect(await streams.requestVerification('receiver-a', stream.streamId, 'state-1')).toBe('queued')
    clock.advance(MIN_VERIFICATION - 1)
    expect(await streams.requestVerification('receiver-a', stream.streamId, 'state-2')).toBe('too-soon')
    clock.advance(1)
    expect(await streams.requestVerification('receiver-a', stream.streamId)).toBe('queued')
    expect(await streams.requestVerification('receiver-a', 'f'.repeat(32))).toBe('unknown')
    const rows = await db.all('SELECT event_type, payload, stream_id FROM ssf_events ORDER BY recorded_at')
    expect(rows).toEqual([
      { event_type: SSF_VERIFICATION, payload: '{"state":"state-1"}', stream_id: stream.streamId },
      { event_type: SSF_VERIFICATION, payload: '{}', stream_id: stream.streamId }
    ])
  })

  it('removes a stream with its acknowledgements and its own events, not the shared ones', async () => {
    const { streams, db, log, delivery } = await openEngine(engine)
    const stream = await newStream(streams)
    const other = await newStream(streams)
    const shared = await log.record({ type: CAEP_EVENTS[0], subject: { format: 'opaque', id: 'x' }, payload: {} })
    await streams.requestVerification('receiver-a', stream.streamId)
    await streams.requestVerification('receiver-a', other.streamId)
    expect(await delivery.poll(stream, { ack: [`${shared}.${stream.streamId}`], maxEvents: 0 }, NEVER))
      .toEqual({ status: 200, body: { sets: {} } })
    await streams.remove('receiver-a', stream.streamId)
    expect(await db.all('SELECT stream_id FROM ssf_acks')).toEqual([])
    const left = await db.all<{ id: string, stream_id: string | null }>('SELECT id, stream_id FROM ssf_events')
    expect(left.map((row) => row.stream_id ?? row.id).sort()).toEqual([other.streamId, shared].sort())
  })
})
