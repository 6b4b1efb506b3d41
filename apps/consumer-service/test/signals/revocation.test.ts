import { describe, expect, it } from 'vitest'
import { dpopHeaders, dpopKey, proof } from '../auth/dpop-client.js'
import { bearer, RESOURCE_METADATA } from '../helper.js'
import { acked, sessionRevoked, setsCounted, signalsApp } from './signals-helper.js'

const REPORTS = '/api/v1/reports'
const REVOKED_CHALLENGE = 'Bearer realm="consumer-service", error="invalid_token", ' +
  `error_description="The access token was revoked", ${RESOURCE_METADATA}`

describe('a session revoked by the issuer\'s signals', () => {
  it('is refused for that session\'s token (401, exact challenge) while another user\'s token is accepted', async () => {
    const { issuer, transmitter, app } = await signalsApp()
    const now = Math.floor(Date.now() / 1000)
    const jane = issuer.token(undefined, { claims: { sub: 'jane', sid: 'sid-jane', iat: now - 10 } })
    const john = issuer.token(undefined, { claims: { sub: 'john', sid: 'sid-john', iat: now - 10 } })
    expect((await app.inject({ url: REPORTS, headers: bearer(jane) })).statusCode).toBe(200)

    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-jane', now - 5) })
    await acked(transmitter, jti)

    const refused = await app.inject({ url: REPORTS, headers: bearer(jane) })
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['www-authenticate']).toBe(REVOKED_CHALLENGE)
    expect(refused.json()).toMatchObject({ code: 'invalid_token', message: 'The access token was revoked' })
    expect((await app.inject({ url: REPORTS, headers: bearer(john) })).statusCode).toBe(200)
    // Jane's next login (a token issued after the revocation) works.
    const again = issuer.token(undefined, { claims: { sub: 'jane', sid: 'sid-jane-2', iat: now } })
    expect((await app.inject({ url: REPORTS, headers: bearer(again) })).statusCode).toBe(200)
    expect(await setsCounted(app, 'applied')).toBe(1)
  })

  it('refuses a token the verified-token cache holds', async () => {
    const { issuer, transmitter, app } = await signalsApp()
    const now = Math.floor(Date.now() / 1000)
    const jane = issuer.token(undefined, { claims: { sub: 'jane', sid: 'sid-c', iat: now - 10 } })
    // Verified twice: the second verification stores it (auth/verified-tokens.ts), the third is a hit.
    for (let round = 0; round < 3; round++) {
      expect((await app.inject({ url: REPORTS, headers: bearer(jane) })).statusCode).toBe(200)
    }
    const jwksBefore = issuer.state.requests.jwks
    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-c', now - 5) })
    await acked(transmitter, jti)
    const refused = await app.inject({ url: REPORTS, headers: bearer(jane) })
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['www-authenticate']).toBe(REVOKED_CHALLENGE)
    expect(issuer.state.requests.jwks).toBe(jwksBefore)
  })

  it('is refused for a DPoP-bound token of that session too, with the DPoP challenge', async () => {
    const publicUrl = 'https://api.example.com'
    const { issuer, transmitter, app } = await signalsApp({ PUBLIC_URL: publicUrl })
    const key = await dpopKey('ES256')
    const now = Math.floor(Date.now() / 1000)
    const token = issuer.token(issuer.keys.ES256, {
      claims: { sub: 'jane', sid: 'sid-d', iat: now - 10, cnf: { jkt: key.jkt } }
    })
    const call = async () => app.inject({
      url: REPORTS, headers: dpopHeaders(token, await proof(key, { htu: `${publicUrl}${REPORTS}`, token }))
    })
    expect((await call()).statusCode).toBe(200)
    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-d', now - 5) })
    await acked(transmitter, jti)
    const refused = await call()
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['www-authenticate']).toBe('DPoP algs="ES256 EdDSA RS256 PS256", error="invalid_token", ' +
      'error_description="The access token was revoked", ' +
      'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"')
  })

  it('refuses a token of an issuer with signals that lives longer than SSF_MAX_TOKEN_LIFETIME', async () => {
    const { issuer, app } = await signalsApp({ SSF_MAX_TOKEN_LIFETIME: '5m' })
    const now = Math.floor(Date.now() / 1000)
    const long = issuer.token(undefined, { claims: { iat: now, nbf: now, exp: now + 301 } })
    const refused = await app.inject({ url: REPORTS, headers: bearer(long) })
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'invalid_token', message: 'The access token is invalid' })
    const fits = issuer.token(undefined, { claims: { iat: now, nbf: now, exp: now + 300 } })
    expect((await app.inject({ url: REPORTS, headers: bearer(fits) })).statusCode).toBe(200)
  })

  it('refuses every token of a user whose password changed (credential-change), not a new one', async () => {
    const { issuer, transmitter, app } = await signalsApp()
    const now = Math.floor(Date.now() / 1000)
    const before = issuer.token(undefined, { claims: { sub: 'jane', iat: now - 10 } })
    const jti = transmitter.push({
      claims: {
        sub_id: { format: 'iss_sub', iss: issuer.origin, sub: 'jane' },
        events: {
          'https://schemas.openid.net/secevent/caep/event-type/credential-change': {
            credential_type: 'password', change_type: 'update', event_timestamp: now - 5
          }
        }
      }
    })
    await acked(transmitter, jti)
    expect((await app.inject({ url: REPORTS, headers: bearer(before) })).statusCode).toBe(401)
    const after = issuer.token(undefined, { claims: { sub: 'jane', iat: now } })
    expect((await app.inject({ url: REPORTS, headers: bearer(after) })).statusCode).toBe(200)
  })

  it('acknowledges on the next poll, which still asks for more', async () => {
    const { issuer, transmitter } = await signalsApp()
    const jti = transmitter.push({ claims: sessionRevoked(issuer, 'jane', 'sid-x', Math.floor(Date.now() / 1000)) })
    await acked(transmitter, jti)
    const carrying = transmitter.state.polls.filter((poll) => poll.ack?.includes(jti))
    expect(carrying).toHaveLength(1)
    expect(carrying[0]).toMatchObject({ maxEvents: 50, returnImmediately: false })
  })
})
