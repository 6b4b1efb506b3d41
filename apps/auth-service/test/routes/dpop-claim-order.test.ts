import { describe, expect, it } from 'vitest'
import { USERINFO_PATH } from '@repo/contracts/authorization'
import { MemoryReplayCache } from '@repo/dpop/replay-cache'
import { accessTokenHash } from '@repo/dpop/verify-proof'
import { addBrowserClient, codeFor, exchangeFields, tokenRequest, type App } from '../authorization/browser-flow.js'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { AUDIENCE, ISSUER, buildTestApp, suiteApp } from '../helper.js'
import { basic, machineClient } from '../dpop/machine-client.js'
import { NOW, makeProof, proofKey, type ProofKey } from '../dpop/proofs.js'

const INVALID_PROOF = { error: 'invalid_dpop_proof', error_description: 'The DPoP proof is invalid' }
const INVALID_CLIENT = { error: 'invalid_client', error_description: 'Client authentication failed' }
const INVALID_SCOPE = { error: 'invalid_scope', error_description: 'The requested scope is not allowed for this client' }
const INVALID_CODE = { error: 'invalid_grant', error_description: 'The authorization code is invalid' }
const INVALID_REFRESH = { error: 'invalid_grant', error_description: 'The refresh token is invalid' }

interface Attempt { fields: Record<string, string>, headers: Record<string, string> }
/**
 * A grant refused for itself (not its proof), and the same grant made good, both to be sent with one
 * proof (by `key` when the grant is bound to one).
 */
type GrantPair = (app: App) => Promise<{
  refused: Attempt, good: Attempt, refusal: { status: number, body: object }, key?: ProofKey
}>

const machine = (fields: Record<string, string>) => ({ grant_type: 'client_credentials', ...fields })

const GRANTS: Array<[string, GrantPair]> = [
  ['a wrong client secret', async (app) => {
    const headers = await machineClient(app, `bot-${crypto.randomUUID()}`)
    const [id] = Buffer.from(headers.authorization.slice(6), 'base64').toString().split(':')
    return {
      refused: { fields: machine({}), headers: { authorization: basic(id as string, 'not-the-secret') } },
      good: { fields: machine({}), headers },
      refusal: { status: 401, body: INVALID_CLIENT }
    }
  }],
  ['a scope the client may not have', async (app) => {
    const headers = await machineClient(app, `bot-${crypto.randomUUID()}`)
    return {
      refused: { fields: machine({ scope: 'reports:write' }), headers },
      good: { fields: machine({ scope: 'reports:read' }), headers },
      refusal: { status: 400, body: INVALID_SCOPE }
    }
  }],
  ['an unknown authorization code', async (app) => {
    const clientId = `spa-${crypto.randomUUID()}`
    await addBrowserClient(app, clientId)
    const { code, verifier } = await codeFor(app, clientId, 'Jane', NOW)
    return {
      refused: { fields: exchangeFields(clientId, `${code}x`, verifier), headers: {} },
      good: { fields: exchangeFields(clientId, code, verifier), headers: {} },
      refusal: { status: 400, body: INVALID_CODE }
    }
  }],
  ['a code_verifier that does not match', async (app) => {
    const clientId = `spa-${crypto.randomUUID()}`
    await addBrowserClient(app, clientId)
    const { code, verifier } = await codeFor(app, clientId, 'Jane', NOW)
    return {
      refused: { fields: exchangeFields(clientId, code, `${verifier.slice(1)}A`), headers: {} },
      good: { fields: exchangeFields(clientId, code, verifier), headers: {} },
      refusal: { status: 400, body: INVALID_CODE }
    }
  }],
  ['an unknown refresh token', async (app) => {
    const clientId = `spa-${crypto.randomUUID()}`
    await addBrowserClient(app, clientId)
    const { code, verifier } = await codeFor(app, clientId, 'Jane', NOW)
    const key = await proofKey()
    const exchanged = await tokenRequest(app, exchangeFields(clientId, code, verifier), { dpop: await makeProof(key) })
    const refresh = (token: string) => ({ grant_type: 'refresh_token', client_id: clientId, refresh_token: token })
    const token = exchanged.json().refresh_token as string
    return {
      refused: { fields: refresh(`${token}x`), headers: {} },
      good: { fields: refresh(token), headers: {} },
      refusal: { status: 400, body: INVALID_REFRESH },
      key
    }
  }]
]

describe.each(ENGINES)('the DPoP replay check at POST /oauth/token on %s', (engine: Engine) => {
  const app = suiteApp(() => engineEnv(engine), { now: () => NOW })

  it.each(GRANTS)('a proof refused with %s is not spent: sent again with the good grant, tokens', async (_, make) => {
    const { refused, good, refusal, key = await proofKey() } = await make(app())
    const dpop = await makeProof(key)
    const first = await tokenRequest(app(), refused.fields, { ...refused.headers, dpop })
    expect(first.statusCode, first.body).toBe(refusal.status)
    expect(first.json()).toEqual(refusal.body)
    const second = await tokenRequest(app(), good.fields, { ...good.headers, dpop })
    expect(second.statusCode, second.body).toBe(200)
    expect(second.json().token_type).toBe('DPoP')
  })

  it('a replayed proof leaves the code unused: exchanged with a fresh proof, tokens', async () => {
    await addBrowserClient(app(), 'spa-retry')
    const key = await proofKey()
    const spent = await makeProof(key)
    const headers = await machineClient(app(), 'spender-bot')
    const spending = await tokenRequest(app(), machine({}), { ...headers, dpop: spent })
    expect(spending.statusCode).toBe(200)
    const { code, verifier } = await codeFor(app(), 'spa-retry', 'Jane', NOW)
    const replayed = await tokenRequest(app(), exchangeFields('spa-retry', code, verifier), { dpop: spent })
    expect(replayed.statusCode).toBe(400)
    expect(replayed.json()).toEqual(INVALID_PROOF)
    const retried = await tokenRequest(app(), exchangeFields('spa-retry', code, verifier), { dpop: await makeProof(key) })
    expect(retried.statusCode, retried.body).toBe(200)
    expect(retried.json()).toMatchObject({ token_type: 'DPoP', refresh_token: expect.any(String) })
  })
})

describe('a memory replay cache of 2 proofs', () => {
  const tinyCacheApp = () => buildTestApp({}, { now: () => NOW, dpopReplayCache: new MemoryReplayCache({ maxEntries: 2 }) })

  it('at POST /oauth/token, a flood of proofs with refused grants takes no room: good grants still get tokens', async () => {
    const app = await tinyCacheApp()
    const headers = await machineClient(app, 'flood-bot')
    await addBrowserClient(app, 'spa-flood')
    const machineGrant = async (scope: string) => tokenRequest(app, machine({ scope }),
      { ...headers, dpop: await makeProof(await proofKey()) })
    for (let i = 0; i < 5; i++) {
      const badCode = await tokenRequest(app, exchangeFields('spa-flood', `unknown-code-${i}`, 'v'.repeat(43)),
        { dpop: await makeProof(await proofKey()) })
      expect(badCode.statusCode).toBe(400)
      expect(badCode.json()).toEqual(INVALID_CODE)
      const badScope = await machineGrant('reports:write')
      expect(badScope.statusCode).toBe(400)
      expect(badScope.json()).toEqual(INVALID_SCOPE)
    }
    for (let i = 0; i < 2; i++) expect((await machineGrant('reports:read')).statusCode).toBe(200)
    // Two good grants fill it (their proofs are all within their window): the cache is that small.
    const full = await machineGrant('reports:read')
    expect(full.statusCode).toBe(400)
    expect(full.json()).toEqual(INVALID_PROOF)
  })

  it(`at ${USERINFO_PATH}, a flood of proofs with refused tokens takes no room: a valid one is answered`, async () => {
    const app = await tinyCacheApp()
    const jane = await app.users.find('Jane')
    if (!jane) throw new Error('no demo user Jane')
    const key = await proofKey()
    const tokenFor = async (scope: string) => (await app.signAccessToken(
      { sub: jane.id, clientId: 'web-app', audience: AUDIENCE, scope, role: jane.role, jkt: key.jkt })).accessToken
    const call = async (token: string) => app.inject({
      method: 'GET',
      url: USERINFO_PATH,
      headers: {
        authorization: `DPoP ${token}`,
        dpop: await makeProof(key, { claims: { htm: 'GET', htu: `${ISSUER}${USERINFO_PATH}`, ath: accessTokenHash(token) } })
      }
    })
    const good = await tokenFor('openid')
    const noOpenid = await tokenFor('reports:read')
    for (let i = 0; i < 5; i++) {
      // A signature that does not verify, and a valid token without the openid scope: each with a valid proof.
      expect((await call(`${good.slice(0, -2)}${i}A`)).statusCode).toBe(401)
      expect((await call(noOpenid)).statusCode).toBe(403)
    }
    const answered = await call(good)
    expect(answered.statusCode, answered.body).toBe(200)
    expect(answered.json()).toMatchObject({ preferred_username: 'Jane' })
  })
})
