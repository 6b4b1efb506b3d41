import { describe, expect, it } from 'vitest'
import { END_SESSION_PATH } from '@repo/contracts/authorization'
import { REVOCATION_PATH } from '@repo/contracts/oauth'
import { CAEP_SESSION_REVOKED } from '@repo/contracts/ssf'
import {
  type App, addBrowserClient, codeFor, exchangeFields, tokenRequest
} from '../authorization/browser-flow.js'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { ISSUER, buildTestApp, login } from '../helper.js'
import { recordedEvents } from './recorded-events.js'

// Half a second past a whole second: `event_timestamp` is the second of the change, rounded down.
const NOW = Date.UTC(2030, 0, 1) + 1500
const NOW_SECONDS = Math.floor(NOW / 1000)

const user = (sub: string) => ({ format: 'iss_sub', iss: ISSUER, sub })
const opaque = (id: string) => ({ format: 'opaque', id })
const revoked = (initiatingEntity: string, reason: string) =>
  ({ event_timestamp: NOW_SECONDS, initiating_entity: initiatingEntity, reason_admin: { en: reason } })

/** A revocation's event cannot be written: the statement that records it fails, inside its transaction. */
const breakEventLog = (app: App) => app.db.run('DROP TABLE ssf_events')

describe.each(ENGINES)('what the auth service tells Shared Signals receivers, on %s', (engine: Engine) => {
  /** An app at NOW, Jane's id, and a browser login of Jane at `spa` exchanged: its session, tokens, code. */
  async function signedIn (clientGrants: Array<'authorization_code' | 'refresh_token'> = ['authorization_code', 'refresh_token']) {
    const app = await buildTestApp(await engineEnv(engine), { now: () => NOW })
    await addBrowserClient(app, 'spa', { grantTypes: clientGrants })
    const jane = (await app.users.find('Jane'))!.id
    const { code, verifier, cookie } = await codeFor(app, 'spa', 'Jane', NOW)
    const exchanged = await tokenRequest(app, exchangeFields('spa', code, verifier))
    expect(exchanged.statusCode).toBe(200)
    const tokens = exchanged.json() as { refresh_token?: string, id_token: string }
    const sid = (await app.sessions.find(cookie.split('=')[1]!, NOW))!.sid
    return { app, jane, sid, cookie, code, verifier, refreshToken: tokens.refresh_token, idToken: tokens.id_token }
  }

  const logout = (app: App, idToken: string, cookie: string) => app.inject({
    method: 'GET', url: `${END_SESSION_PATH}?${new URLSearchParams({ id_token_hint: idToken }).toString()}`, headers: { cookie }
  })
  const redeem = (app: App, refreshToken: string) =>
    tokenRequest(app, { grant_type: 'refresh_token', client_id: 'spa', refresh_token: refreshToken })
  const revoke = (app: App, token: string, clientId = 'spa') => app.inject({
    method: 'POST',
    url: REVOCATION_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token, client_id: clientId }).toString()
  })

  describe('RP-initiated logout', () => {
    it('records session-revoked for {user, session}, initiated by the user', async () => {
      const { app, jane, sid, cookie, idToken } = await signedIn()
      expect((await logout(app, idToken, cookie)).statusCode).toBe(200)
      const events = await recordedEvents(app.db)
      expect(events).toEqual([{
        type: CAEP_SESSION_REVOKED,
        subject: { format: 'complex', user: user(jane), session: opaque(sid) },
        payload: revoked('user', 'RP-initiated logout'),
        txn: events[0]?.id,
        id: expect.stringMatching(/^[0-9a-f]{32}$/)
      }])
    })

    it('records nothing when the browser has no live session: nothing was revoked', async () => {
      const { app, cookie, idToken } = await signedIn()
      await logout(app, idToken, cookie)
      // The same browser again: its session ended already.
      expect((await logout(app, idToken, cookie)).statusCode).toBe(200)
      expect(await recordedEvents(app.db)).toHaveLength(1)
    })

    it('commits the session\'s end, its refresh tokens\' revocation and its event together, or none of them', async () => {
      const { app, cookie, idToken, refreshToken } = await signedIn()
      await breakEventLog(app)
      expect((await logout(app, idToken, cookie)).statusCode).toBe(500)
      expect(await app.sessions.find(cookie.split('=')[1]!, NOW)).toBeDefined()
      expect(await app.refreshTokens.inspect(refreshToken!, NOW)).toMatchObject({ active: true })
    })
  })

  describe('a refresh token used twice (reuse detection)', () => {
    it('records session-revoked for {user, session, application}, by policy', async () => {
      const { app, jane, sid, refreshToken } = await signedIn()
      const second = (await redeem(app, refreshToken!)).json().refresh_token as string
      expect((await redeem(app, second)).statusCode).toBe(200)
      // The first token once more, its successor used already: theft. Then once more: revoked already.
      expect((await redeem(app, refreshToken!)).json()).toMatchObject({ error: 'invalid_grant' })
      expect((await redeem(app, refreshToken!)).json()).toMatchObject({ error: 'invalid_grant' })
      const events = await recordedEvents(app.db)
      expect(events.map(({ type, subject, payload }) => ({ type, subject, payload }))).toEqual([{
        type: CAEP_SESSION_REVOKED,
        subject: { format: 'complex', user: user(jane), session: opaque(sid), application: opaque('spa') },
        payload: revoked('policy', 'refresh token reused')
      }])
    })

    it('names no session for a family that came from no browser session (the JSON login)', async () => {
      const app = await buildTestApp(await engineEnv(engine), { now: () => NOW })
      const first = (await login(app, 'Jane', 'pass123')).json().refresh_token as string
      const redeemDemo = (token: string) =>
        tokenRequest(app, { grant_type: 'refresh_token', client_id: 'demo-client', refresh_token: token })
      const second = (await redeemDemo(first)).json().refresh_token as string
      await redeemDemo(second)
      expect((await redeemDemo(first)).statusCode).toBe(400)
      expect((await recordedEvents(app.db)).map(({ subject }) => subject)).toEqual([
        { format: 'complex', user: user((await app.users.find('Jane'))!.id), application: opaque('demo-client') }
      ])
    })

    it('records nothing for a retry within the grace period: that is no reuse', async () => {
      const { app, refreshToken } = await signedIn()
      const second = (await redeem(app, refreshToken!)).json().refresh_token as string
      expect((await redeem(app, refreshToken!)).json().refresh_token).toBe(second)
      expect(await recordedEvents(app.db)).toEqual([])
    })

    it('revokes nothing when its event cannot be recorded', async () => {
      const { app, refreshToken } = await signedIn()
      const second = (await redeem(app, refreshToken!)).json().refresh_token as string
      const third = (await redeem(app, second)).json().refresh_token as string
      await breakEventLog(app)
      expect((await redeem(app, refreshToken!)).statusCode).toBe(500)
      expect(await app.refreshTokens.inspect(third, NOW)).toMatchObject({ active: true })
    })
  })

  describe('RFC 7009 revocation of a refresh token', () => {
    it('records session-revoked for {user, session, application}, initiated by the user, once', async () => {
      const { app, jane, sid, refreshToken } = await signedIn()
      expect((await revoke(app, refreshToken!)).statusCode).toBe(200)
      expect((await revoke(app, refreshToken!)).statusCode).toBe(200)
      const events = await recordedEvents(app.db)
      expect(events.map(({ type, subject, payload }) => ({ type, subject, payload }))).toEqual([{
        type: CAEP_SESSION_REVOKED,
        subject: { format: 'complex', user: user(jane), session: opaque(sid), application: opaque('spa') },
        payload: revoked('user', 'refresh token revoked by the client')
      }])
    })

    it('records nothing for an unknown token, nor for another client\'s', async () => {
      const { app, refreshToken } = await signedIn()
      await addBrowserClient(app, 'other-spa')
      expect((await revoke(app, 'not-a-token')).statusCode).toBe(200)
      expect((await revoke(app, refreshToken!, 'other-spa')).statusCode).toBe(400)
      expect(await recordedEvents(app.db)).toEqual([])
      expect(await app.refreshTokens.inspect(refreshToken!, NOW)).toMatchObject({ active: true })
    })

    it('revokes nothing when its event cannot be recorded', async () => {
      const { app, refreshToken } = await signedIn()
      await breakEventLog(app)
      expect((await revoke(app, refreshToken!)).statusCode).toBe(500)
      expect(await app.refreshTokens.inspect(refreshToken!, NOW)).toMatchObject({ active: true })
    })
  })

  describe('an authorization code used twice', () => {
    it('records session-revoked for the family its first use issued, by policy, once', async () => {
      const { app, jane, sid, code, verifier } = await signedIn()
      for (const attempt of [1, 2]) {
        expect((await tokenRequest(app, exchangeFields('spa', code, verifier))).json(), `attempt ${attempt}`)
          .toMatchObject({ error: 'invalid_grant' })
      }
      const events = await recordedEvents(app.db)
      expect(events.map(({ type, subject, payload }) => ({ type, subject, payload }))).toEqual([{
        type: CAEP_SESSION_REVOKED,
        subject: { format: 'complex', user: user(jane), session: opaque(sid), application: opaque('spa') },
        payload: revoked('policy', 'authorization code replayed')
      }])
    })

    it('records nothing when its first use issued no refresh token: nothing is revoked', async () => {
      const { app, code, verifier, refreshToken } = await signedIn(['authorization_code'])
      expect(refreshToken).toBeUndefined()
      expect((await tokenRequest(app, exchangeFields('spa', code, verifier))).statusCode).toBe(400)
      expect(await recordedEvents(app.db)).toEqual([])
    })

    it('revokes nothing when its event cannot be recorded', async () => {
      const { app, code, verifier, refreshToken } = await signedIn()
      await breakEventLog(app)
      expect((await tokenRequest(app, exchangeFields('spa', code, verifier))).statusCode).toBe(500)
      expect(await app.refreshTokens.inspect(refreshToken!, NOW)).toMatchObject({ active: true })
    })
  })
})
