import { describe, expect, it, vi } from 'vitest'
import { bearer, captureLogs, makeKey, manualClock, type FakeIssuer } from '../helper.js'
import { acked, errored, sessionRevoked, setsCounted, signalsApp } from './signals-helper.js'
import type { FakeTransmitter } from '@repo/service-harness/fake-transmitter'

const REPORTS = '/api/v1/reports'

type Bad = (issuer: FakeIssuer, transmitter: FakeTransmitter, claims: Record<string, unknown>) => Promise<string> | string

/**
 * Each bad SET would revoke Jane's session if it were applied: it must be refused (setErr), counted and
 * logged under its outcome, and her token still accepted.
 */
describe('a SET the receiver must not apply', () => {
  it.each<[string, string, string, Bad]>([
    ['a bad signature', 'bad_signature', 'invalid_key', async (issuer, transmitter, claims) => {
      const stranger = await makeKey('RS256', { kid: issuer.keys.RS256.kid })
      return transmitter.push({ claims, signer: stranger.privateKey })
    }],
    ['an unknown key', 'bad_signature', 'invalid_key', async (_issuer, transmitter, claims) =>
      transmitter.push({ claims, key: await makeKey('RS256') })],
    ['an untrusted issuer', 'untrusted_issuer', 'invalid_issuer', (_issuer, transmitter, claims) =>
      transmitter.push({ claims: { ...claims, iss: 'https://evil.example.com' } })],
    ['another audience', 'wrong_audience', 'invalid_audience', (_issuer, transmitter, claims) =>
      transmitter.push({ claims: { ...claims, aud: 'someone-else' } })],
    ['a typ other than secevent+jwt', 'malformed', 'invalid_request', (_issuer, transmitter, claims) =>
      transmitter.push({ claims, header: { typ: 'JWT' } })],
    ['a sub claim', 'malformed', 'invalid_request', (_issuer, transmitter, claims) =>
      transmitter.push({ claims: { ...claims, sub: 'jane' } })],
    ['two events', 'malformed', 'invalid_request', (_issuer, transmitter, claims) =>
      transmitter.push({
        claims: { ...claims, events: { ...(claims.events as object), 'https://example.com/other': {} } }
      })],
    ['a jti other than its key', 'malformed', 'invalid_request', (_issuer, transmitter, claims) =>
      transmitter.push({ claims, mapJti: 'not-its-jti' })],
    ['a subject of another issuer', 'malformed', 'invalid_request', (_issuer, transmitter, claims) =>
      transmitter.push({
        claims: { ...claims, sub_id: { format: 'iss_sub', iss: 'https://evil.example.com', sub: 'jane' } }
      })],
    ['an unsigned SET (alg none)', 'bad_signature', 'invalid_key', (_issuer, transmitter, claims) =>
      transmitter.push({ claims, header: { alg: 'none' }, signer: 'none' })],
    ['an algorithm not allowed (RS384)', 'bad_signature', 'invalid_key', (_issuer, transmitter, claims) =>
      transmitter.push({ claims, header: { alg: 'RS384' } })]
  ])('with %s is refused (%s, setErr %s), logged, counted; the token still works', async (_name, outcome, err, bad) => {
    const logs = captureLogs()
    const { issuer, transmitter, app } = await signalsApp({}, { logger: logs.logger })
    const now = Math.floor(Date.now() / 1000)
    const jane = issuer.token(undefined, { claims: { sub: 'jane', sid: 'sid-jane', iat: now - 10 } })
    const jti = await bad(issuer, transmitter, sessionRevoked(issuer, 'jane', 'sid-jane', now - 5))

    await errored(transmitter, jti)
    expect(transmitter.state.setErrs[jti]?.err).toBe(err)
    expect(transmitter.state.acks).not.toContain(jti)
    expect(await setsCounted(app, outcome)).toBe(1)
    expect(await setsCounted(app, 'applied')).toBe(0)
    const line = logs.lines.map((one) => JSON.parse(one) as Record<string, unknown>)
      .find((one) => one.msg === 'SET refused' && one.jti === jti)
    expect(line).toMatchObject({ outcome, level: 40 })
    expect(logs.lines.join('\n')).not.toMatch(/eyJ[\w-]+\.eyJ/)
    expect((await app.inject({ url: REPORTS, headers: bearer(jane) })).statusCode).toBe(200)
  })

  it('applies a replayed SET once: acknowledged again, counted replayed, its new content ignored', async () => {
    const { issuer, transmitter, app } = await signalsApp()
    const now = Math.floor(Date.now() / 1000)
    const first = transmitter.push({ claims: { ...sessionRevoked(issuer, 'jane', 'sid-r', now - 100), jti: 'evt-1.s' } })
    await acked(transmitter, first)
    transmitter.state.acks.length = 0
    // Same jti, a later time: applied again, it would revoke the token below.
    const again = transmitter.push({ claims: { ...sessionRevoked(issuer, 'jane', 'sid-r', now), jti: 'evt-1.s' } })
    await acked(transmitter, again)
    expect(await setsCounted(app, 'replayed')).toBe(1)
    expect(await setsCounted(app, 'applied')).toBe(1)
    const token = issuer.token(undefined, { claims: { sub: 'jane', sid: 'sid-r', iat: now - 50 } })
    expect((await app.inject({ url: REPORTS, headers: bearer(token) })).statusCode).toBe(200)
  })

  it('acknowledges a stale SET (older than any token it could refuse) without applying it', async () => {
    const { issuer, transmitter, app } = await signalsApp({ SSF_MAX_TOKEN_LIFETIME: '1m', CLOCK_TOLERANCE: '5s' })
    const now = Math.floor(Date.now() / 1000)
    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-s', now - 120) })
    await acked(transmitter, jti)
    expect(await setsCounted(app, 'stale')).toBe(1)
    expect(await setsCounted(app, 'applied')).toBe(0)
  })
})

describe('a SET whose key cannot be had now (the JWKS unreachable)', () => {
  it('is neither acknowledged nor refused: it comes back, and is applied once the key is there', async () => {
    const clock = manualClock()
    const { issuer, transmitter, app } = await signalsApp({}, { now: clock.now })
    const rotated = await makeKey('RS256')
    transmitter.state.jwksStatus = 503
    // Past the JWKS cooldown: the unknown kid makes the consumer fetch, and the fetch fails.
    await clock.advance(31_000)
    const now = Math.floor(clock.now() / 1000)
    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-k', now - 5), key: rotated })
    await vi.waitUntil(async () => await setsCounted(app, 'key_unavailable') >= 1, { timeout: 5000, interval: 5 })
    expect(transmitter.state.acks).not.toContain(jti)
    expect(transmitter.state.setErrs).not.toHaveProperty(jti)
    expect(transmitter.pending()).toContain(jti)

    issuer.state.published.push(rotated.jwk)
    transmitter.state.jwksStatus = undefined
    await clock.advance(31_000)
    await acked(transmitter, jti)
    expect(await setsCounted(app, 'applied')).toBe(1)
  })
})
