import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, tokenFor } from '@repo/service-harness/http'
import { decodeJwt } from '../src/jwt-parts.js'
import { startMixedTrust, type MixedTrust } from '../src/mixed-trust.js'
import { OIDC_ALGS, OIDC_AUDIENCE, OIDC_CLIENT_ID, OIDC_KIDS } from '../src/oidc-issuer.js'
import { tail } from '../src/services.js'

/**
 * One consumer-service process trusting our auth-service and three oidc-providers (one per signing
 * algorithm): tokens from a second, independent implementation of RFC 9068 are accepted beside ours.
 */
describe('a consumer trusting our auth-service and oidc-provider', () => {
  let trust: MixedTrust
  beforeAll(async () => { trust = await startMixedTrust() })
  afterAll(async () => { await trust?.stop() })

  const url = (path: string) => `${trust.consumer.url}/api/v1/${path}`
  const postReport = (token: string, title: string) => call(url('reports'), token, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title })
  })

  describe.each(OIDC_ALGS)('oidc-provider signing with %s', (alg) => {
    it('is accepted on /protected, with its issuer and client in the claims', async () => {
      const token = await trust.oidc[alg].token()
      expect(decodeJwt(token).header.alg).toBe(alg)

      const response = await call(url('protected'), token)
      expect(response.status, tail(trust.consumer)).toBe(200)
      expect(response.body?.claims).toMatchObject({ iss: trust.oidc[alg].issuer, client_id: OIDC_CLIENT_ID, aud: OIDC_AUDIENCE })
    })

    it('reads reports with reports:read, and is refused writing with it', async () => {
      const token = await trust.oidc[alg].token('reports:read')

      expect((await call(url('reports'), token)).status, tail(trust.consumer)).toBe(200)
      const denied = await postReport(token, `read-only ${alg}`)
      expect(denied.status).toBe(403)
      expect(denied.body?.code).toBe('insufficient_scope')
      expect(denied.headers.get('www-authenticate')).toContain('scope="reports:write"')
    })

    it('writes reports with reports:write, and is refused reading with it', async () => {
      const token = await trust.oidc[alg].token('reports:write')

      const created = await postReport(token, `written with ${alg}`)
      expect(created.status, tail(trust.consumer)).toBe(201)
      expect(created.body).toMatchObject({ title: `written with ${alg}`, createdBy: OIDC_CLIENT_ID })
      const denied = await call(url('reports'), token)
      expect(denied.status).toBe(403)
      expect(denied.headers.get('www-authenticate')).toContain('scope="reports:read"')
    })

    // The variations a conformant issuer may send that this suite exercises for real: no `nbf`, a
    // named kid (ours are thumbprints), a JWKS whose RSA and OKP keys carry no `alg` (the consumer
    // infers it from kty/crv), and a jwks_uri outside /.well-known. The `application/at+jwt` typ,
    // which oidc-provider can't be made to send, is covered by the consumer's own unit tests.
    it('accepts its token shape: no nbf, a named kid, a JWK without alg for RSA and OKP', async () => {
      const token = await trust.oidc[alg].token()
      const { header, payload } = decodeJwt(token)
      expect(header).toEqual({ alg, typ: 'at+jwt', kid: OIDC_KIDS[alg] })
      expect(payload).not.toHaveProperty('nbf')
      expect(typeof payload.scope).toBe('string')
      const discovery = await (await fetch(`${trust.oidc[alg].issuer}/.well-known/openid-configuration`)).json() as { jwks_uri: string }
      expect(discovery.jwks_uri).toBe(`${trust.oidc[alg].issuer}/jwks`)
      const jwks = await (await fetch(discovery.jwks_uri)).json() as { keys: Array<Record<string, unknown>> }
      const jwk = jwks.keys.find(({ kid }) => kid === OIDC_KIDS[alg])
      expect(jwk).toMatchObject({ kid: OIDC_KIDS[alg], use: 'sig' })
      expect(jwk?.alg).toBe(alg === 'ES256' ? 'ES256' : undefined)

      expect((await call(url('protected'), token)).status, tail(trust.consumer)).toBe(200)
    })
  })

  it('accepts a token from our auth-service alongside oidc-provider tokens, concurrently', async () => {
    const [jane, ...oidcTokens] = await Promise.all([
      tokenFor(trust.auth.url, 'Jane', 'pass123'),
      ...OIDC_ALGS.map((alg) => trust.oidc[alg].token())
    ])
    const responses = await Promise.all([jane, ...oidcTokens].map((token) => call(url('protected'), token)))

    expect(responses.map(({ status }) => status), tail(trust.consumer)).toEqual([200, 200, 200, 200])
    expect(responses.map(({ body }) => (body?.claims as { iss?: string } | undefined)?.iss))
      .toEqual([trust.authIssuer, ...OIDC_ALGS.map((alg) => trust.oidc[alg].issuer)])
    expect(responses[0]?.body?.claims).toMatchObject({ sub: expect.any(String), role: 'write', scope: 'reports:read reports:write' })
  })
})
