import { describe, expect, it, vi } from 'vitest'
import type { Health } from '@repo/contracts/health'
import { captureLogs } from '../helper.js'
import { sessionRevoked, signalsApp } from './signals-helper.js'

const within = { timeout: 5000, interval: 5 }

describe('the signals poll loop', () => {
  it('opens its stream with a client-credentials token, deleting the one of its earlier run', async () => {
    const { transmitter } = await signalsApp({}, {}, (_issuer, transmitter) => {
      transmitter.state.streams.push({ stream_id: 'earlier', description: 'consumer-test' })
      transmitter.state.streams.push({ stream_id: 'a-twin', description: 'another-consumer' })
    })
    expect(transmitter.state.deleted).toEqual(['earlier'])
    expect(transmitter.state.streams.map((stream) => stream.description)).toEqual(['another-consumer', 'consumer-test'])
    expect(transmitter.state.tokenRequests).toBe(1)
  })

  it.each([
    ['names another issuer in its SSF configuration', { configurationIssuer: 'https://evil.example.com' }, 0],
    ['gives a poll URL on another origin', { pollOrigin: 'http://127.0.0.2:9' }, 1]
  ])('never polls a transmitter that %s (logged, signals unreachable)', async (_name, lie, streams) => {
    const logs = captureLogs()
    const { issuer, transmitter, app } = await signalsApp({}, { logger: logs.logger, waitForKeys: false },
      (_issuer, transmitter) => { Object.assign(transmitter.state, lie) })
    await app.ready()
    await vi.waitUntil(() => logs.lines.some((line) => line.includes('signals poll failed')), within)
    const health = (await app.inject('/health/ready')).json<Health>()
    expect(health.details?.signals?.[issuer.origin]?.state).toBe('unreachable')
    expect(transmitter.state.polls).toEqual([])
    expect(transmitter.state.streams.length).toBeLessThanOrEqual(streams)
    const line = logs.lines.map((one) => JSON.parse(one) as { msg: string, level: number })
      .find((one) => one.msg === 'signals poll failed')
    expect(line?.level).toBe(50)
  })

  it('fetches a new token after a 401 and goes on', async () => {
    const { issuer, transmitter } = await signalsApp()
    transmitter.revokeTokens()
    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-1', Math.floor(Date.now() / 1000)) })
    await vi.waitUntil(() => transmitter.state.acks.includes(jti), within)
    expect(transmitter.state.tokenRequests).toBe(2)
  })

  it('opens a new stream when its stream is gone (404)', async () => {
    const { transmitter } = await signalsApp()
    const first = transmitter.state.streams[0]?.stream_id
    transmitter.state.streams = []
    await vi.waitUntil(() => transmitter.state.streams.length === 1, within)
    expect(transmitter.state.streams[0]?.stream_id).not.toBe(first)
  })

  it('drops the acknowledgements a 400 refused, and polls on without them', async () => {
    const { issuer, transmitter } = await signalsApp()
    const refusal = { err: 'invalid_request', description: 'unknown jti' }
    transmitter.state.scripted.push({ status: 400, body: refusal, onlyWithAcks: true })
    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-2', Math.floor(Date.now() / 1000)) })
    // The answer carrying the SET comes first, then the 400 refuses the poll carrying its ack.
    await vi.waitUntil(() => transmitter.state.scripted.length === 0, within)
    const refusedAt = transmitter.state.polls.findIndex((poll) => poll.ack?.includes(jti))
    await vi.waitUntil(() => transmitter.state.polls.length > refusedAt + 1, within)
    expect(transmitter.state.polls[refusedAt + 1]?.ack).toEqual([])
    // Still unacknowledged there, the SET comes again: acknowledged then, as already applied.
    await vi.waitUntil(() => transmitter.state.acks.includes(jti), within)
  })

  it('keeps its pending acknowledgements through a 5xx', async () => {
    const { issuer, transmitter } = await signalsApp()
    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-3', Math.floor(Date.now() / 1000)) })
    transmitter.state.scripted.push({ status: 503 })
    await vi.waitUntil(() => transmitter.state.acks.includes(jti), within)
    const carrying = transmitter.state.polls.filter((poll) => poll.ack?.includes(jti))
    expect(carrying.length).toBeGreaterThanOrEqual(1)
  })

  it('stops at app close, aborting the long poll in flight', async () => {
    const { transmitter, app } = await signalsApp()
    transmitter.state.longPollMs = 60_000
    const polls = transmitter.state.polls.length
    await vi.waitUntil(() => transmitter.state.polls.length > polls, within)
    const started = performance.now()
    await app.close()
    expect(performance.now() - started).toBeLessThan(2000)
  })
})
