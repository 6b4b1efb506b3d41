import { describe, expect, it } from 'vitest'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { buildTestApp } from '../helper.js'
import { basic, machineClient } from '../dpop/machine-client.js'
import { NOW, makeProof, proofKey } from '../dpop/proofs.js'

const USE_NONCE = { error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof' }
const NONCE = /^[A-Za-z0-9_-]{32}$/
const PERIOD_MS = 5 * 60_000

describe.each(ENGINES)('DPoP server nonces (DPOP_NONCE=true) on %s', (engine: Engine) => {
  async function setUp () {
    let clock = NOW
    const app = await buildTestApp({ ...await engineEnv(engine), DPOP_NONCE: 'true' }, { now: () => clock })
    const { authorization } = await machineClient(app, 'bot')
    const request = (headers: Record<string, string> = {}) => app.inject({
      method: 'POST',
      url: TOKEN_PATH,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization, ...headers },
      payload: 'grant_type=client_credentials'
    })
    return { app, request, advance: (ms: number) => { clock += ms }, now: () => clock }
  }

  it('a proof without a nonce gets use_dpop_nonce and one in DPoP-Nonce; with it, the grant', async () => {
    const { request } = await setUp()
    const key = await proofKey()
    const first = await request({ dpop: await makeProof(key) })
    expect(first.statusCode).toBe(400)
    expect(first.json()).toEqual(USE_NONCE)
    const nonce = first.headers['dpop-nonce'] as string
    expect(nonce).toMatch(NONCE)
    const second = await request({ dpop: await makeProof(key, { claims: { nonce } }) })
    expect(second.statusCode).toBe(200)
    expect(second.json().token_type).toBe('DPoP')
    expect(second.headers['dpop-nonce']).toBe(nonce)
  })

  it('every answer of the token endpoint carries the current nonce: a bearer grant, a refusal', async () => {
    const { request } = await setUp()
    const bearer = await request()
    expect(bearer.statusCode).toBe(200)
    expect(bearer.headers['dpop-nonce']).toMatch(NONCE)
    const refused = await request({ authorization: basic('bot', 'wrong') })
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['dpop-nonce']).toBe(bearer.headers['dpop-nonce'])
  })

  it('the previous period\'s nonce is still good; an older one gets use_dpop_nonce and the current one', async () => {
    const { request, advance, now } = await setUp()
    const key = await proofKey()
    const nonce = (await request()).headers['dpop-nonce'] as string
    const proofNow = (claims: Record<string, unknown>) => makeProof(key, { claims: { iat: Math.floor(now() / 1000), ...claims } })
    advance(PERIOD_MS)
    expect((await request({ dpop: await proofNow({ nonce }) })).statusCode).toBe(200)
    advance(PERIOD_MS)
    const stale = await request({ dpop: await proofNow({ nonce }) })
    expect(stale.statusCode).toBe(400)
    expect(stale.json()).toEqual(USE_NONCE)
    expect(stale.headers['dpop-nonce']).toMatch(NONCE)
    expect(stale.headers['dpop-nonce']).not.toBe(nonce)
  })

  it('a made-up nonce gets use_dpop_nonce', async () => {
    const { request } = await setUp()
    const response = await request({ dpop: await makeProof(await proofKey(), { claims: { nonce: 'A'.repeat(32) } }) })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual(USE_NONCE)
  })
})
