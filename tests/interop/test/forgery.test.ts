import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, tokenFor, type CallResult } from '@repo/service-harness/http'
import { decodeJwt, signJwt, withPayload } from '../src/jwt-parts.js'
import { startMixedTrust, type MixedTrust } from '../src/mixed-trust.js'
import { OIDC_ALGS, type OidcAlg } from '../src/oidc-issuer.js'
import { tail } from '../src/services.js'

const attackerKeys: Record<OidcAlg, () => KeyObject> = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  EdDSA: () => generateKeyPairSync('ed25519').privateKey
}

/**
 * Each trusted issuer's keys verify only tokens whose `iss` names that issuer. Every forgery here
 * differs from a token the consumer accepts (checked first, in the same test) in one respect only.
 */
describe('cross-issuer forgery against a consumer trusting both issuers', () => {
  let trust: MixedTrust
  beforeAll(async () => { trust = await startMixedTrust() })
  afterAll(async () => { await trust?.stop() })

  const protectedCall = (token: string) => call(`${trust.consumer.url}/api/v1/protected`, token)
  const expectAccepted = (response: CallResult) => expect(response.status, tail(trust.consumer)).toBe(200)
  const expectRefused = (response: CallResult) => {
    expect(response.status, tail(trust.consumer)).toBe(401)
    expect(response.body?.code).toBe('invalid_token')
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
  }

  it('refuses our auth-service signature under a payload claiming the oidc issuer', async () => {
    const token = await tokenFor(trust.auth.url, 'Jane', 'pass123')
    const { payload } = decodeJwt(token)
    // The splice itself is faithful: re-encoding the untouched payload gives back the very token.
    expect(withPayload(token, payload)).toBe(token)
    expectAccepted(await protectedCall(token))

    expectRefused(await protectedCall(withPayload(token, { ...payload, iss: trust.oidc.RS256.issuer })))
  })

  it('refuses an oidc-provider signature under a payload claiming our auth-service', async () => {
    const token = await trust.oidc.RS256.token()
    const { payload } = decodeJwt(token)
    expect(withPayload(token, payload)).toBe(token)
    expectAccepted(await protectedCall(token))

    expectRefused(await protectedCall(withPayload(token, { ...payload, iss: trust.authIssuer })))
  })

  it.each(OIDC_ALGS)('refuses a %s oidc-provider token re-signed by an attacker key under its kid', async (alg) => {
    const token = await trust.oidc[alg].token()
    const { header, payload } = decodeJwt(token)
    expectAccepted(await protectedCall(token))

    expectRefused(await protectedCall(signJwt(header, payload, attackerKeys[alg]())))
  })

  it('refuses an auth-service token re-signed by an attacker key under the kid its JWKS publishes', async () => {
    const token = await tokenFor(trust.auth.url, 'Jane', 'pass123')
    const { header, payload } = decodeJwt(token)
    const jwks = await (await fetch(`${trust.auth.url}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> }
    expect(jwks.keys.map(({ kid }) => kid)).toContain(header.kid)
    expectAccepted(await protectedCall(token))

    expectRefused(await protectedCall(signJwt(header, payload, attackerKeys[header.alg as OidcAlg]())))
  })
})
