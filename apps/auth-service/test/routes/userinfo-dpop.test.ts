import { describe, expect, it } from 'vitest'
import { USERINFO_PATH } from '@repo/contracts/authorization'
import { accessTokenHash } from '@repo/dpop/verify-proof'
import { AUDIENCE, ISSUER, buildTestApp, suiteApp } from '../helper.js'
import { expectRefusal } from './expect-refusal.js'
import { NOW, makeProof, proofKey, type ProofKey } from '../dpop/proofs.js'

const URL_ = `${ISSUER}${USERINFO_PATH}`
const ALGS = 'algs="ES256 EdDSA RS256 PS256"'
const INVALID_PROOF = {
  status: 401,
  challenge: `DPoP ${ALGS}, realm="${ISSUER}", error="invalid_dpop_proof", error_description="The DPoP proof is invalid"`,
  body: { statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message: 'The DPoP proof is invalid' }
}
const INVALID_TOKEN = {
  status: 401,
  challenge: `Bearer realm="${ISSUER}", error="invalid_token", error_description="The access token is invalid"`,
  body: { statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message: 'The access token is invalid' }
}

describe(`DPoP-bound tokens at ${USERINFO_PATH}`, () => {
  const app = suiteApp({}, { now: () => NOW })

  const tokenFor = async (key?: ProofKey) => {
    const jane = await app().users.find('Jane')
    if (!jane) throw new Error('no demo user Jane')
    const { accessToken } = await app().signAccessToken({
      sub: jane.id, clientId: 'web-app', audience: AUDIENCE, scope: 'openid', role: jane.role, jkt: key?.jkt
    })
    return accessToken
  }
  /** A proof for `method` of the userinfo URL, with the token's hash. */
  const proofFor = (key: ProofKey, token: string, claims: Record<string, unknown> = {}, method = 'GET') =>
    makeProof(key, { claims: { htm: method, htu: URL_, ath: accessTokenHash(token), ...claims } })
  const call = (headers: Record<string, string>, method: 'GET' | 'POST' = 'GET') =>
    app().inject({ method, url: USERINFO_PATH, headers })

  it.each(['GET', 'POST'] as const)('answers %s with a bound token and a proof by its key', async (method) => {
    const key = await proofKey()
    const token = await tokenFor(key)
    const response = await call({ authorization: `DPoP ${token}`, dpop: await proofFor(key, token, {}, method) }, method)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toMatchObject({ preferred_username: 'Jane' })
  })

  it('refuses a bound token sent as Bearer: invalid_token', async () => {
    const key = await proofKey()
    const token = await tokenFor(key)
    expectRefusal(await call({ authorization: `Bearer ${token}` }), INVALID_TOKEN)
    // A proof beside it changes nothing: the scheme says how the token is meant.
    expectRefusal(await call({ authorization: `Bearer ${token}`, dpop: await proofFor(key, token) }), INVALID_TOKEN)
  })

  it('refuses a bearer token sent as DPoP: invalid_token', async () => {
    const key = await proofKey()
    const token = await tokenFor()
    expectRefusal(await call({ authorization: `DPoP ${token}`, dpop: await proofFor(key, token) }), INVALID_TOKEN)
  })

  it.each<[string, (key: ProofKey, token: string) => Promise<Record<string, string>>]>([
    ['no DPoP header', async () => ({})],
    ['a proof by another key than cnf.jkt', async (_key, token) => ({ dpop: await proofFor(await proofKey(), token) })],
    ['a proof without ath', async (key, token) => ({ dpop: await proofFor(key, token, { ath: undefined }) })],
    ['a proof with the hash of another token', async (key, token) => ({ dpop: await proofFor(key, token, { ath: accessTokenHash(`${token}x`) }) })],
    ['a proof for the token endpoint', async (key, token) => ({ dpop: await proofFor(key, token, { htu: `${ISSUER}/oauth/token` }) })],
    ['a proof for POST sent with GET', async (key, token) => ({ dpop: await proofFor(key, token, { htm: 'POST' }) })]
  ])('refuses %s: invalid_dpop_proof with a DPoP challenge', async (_case, make) => {
    const key = await proofKey()
    const token = await tokenFor(key)
    expectRefusal(await call({ authorization: `DPoP ${token}`, ...await make(key, token) }), INVALID_PROOF)
  })

  it('refuses a proof presented twice', async () => {
    const key = await proofKey()
    const token = await tokenFor(key)
    const headers = { authorization: `DPoP ${token}`, dpop: await proofFor(key, token) }
    expect((await call(headers)).statusCode).toBe(200)
    expectRefusal(await call(headers), INVALID_PROOF)
  })
})

describe(`${USERINFO_PATH} with DPOP_NONCE=true`, () => {
  it('a proof without the nonce: use_dpop_nonce and the nonce in DPoP-Nonce; with it, the answer', async () => {
    const app = await buildTestApp({ DPOP_NONCE: 'true' }, { now: () => NOW })
    const jane = await app.users.find('Jane')
    const key = await proofKey()
    const { accessToken } = await app.signAccessToken(
      { sub: jane?.id as string, clientId: 'web-app', audience: AUDIENCE, scope: 'openid', jkt: key.jkt })
    const call = async (claims: Record<string, unknown>) => app.inject({
      method: 'GET',
      url: USERINFO_PATH,
      headers: {
        authorization: `DPoP ${accessToken}`,
        dpop: await makeProof(key, { claims: { htm: 'GET', htu: URL_, ath: accessTokenHash(accessToken), ...claims } })
      }
    })
    const asked = await call({})
    expect(asked.statusCode).toBe(401)
    const description = 'Resource server requires nonce in DPoP proof'
    expect(asked.headers['www-authenticate'])
      .toBe(`DPoP ${ALGS}, realm="${ISSUER}", error="use_dpop_nonce", error_description="${description}"`)
    expect(asked.json()).toEqual({ statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message: description })
    const nonce = asked.headers['dpop-nonce']
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect((await call({ nonce })).statusCode).toBe(200)
  })
})
