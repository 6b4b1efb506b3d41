import { describe, expect, it } from 'vitest'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { engineEnv } from '../databases.js'
import { buildTestApp } from '../helper.js'
import type { App } from '../authorization/browser-flow.js'
import { machineClient } from './machine-client.js'
import { NOW, makeProof, proofKey } from './proofs.js'

function clientCredentials (app: App, authorization: string, dpop: string) {
  return app.inject({
    method: 'POST',
    url: TOKEN_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization, dpop },
    payload: 'grant_type=client_credentials'
  })
}

describe('DPoP on two replicas of one PostgreSQL database', () => {
  it('a proof accepted by one is a replay on the other; a nonce of one is good on the other', async () => {
    const env = { ...await engineEnv('postgres'), DPOP_NONCE: 'true' }
    const [first, second] = [await buildTestApp(env, { now: () => NOW }), await buildTestApp(env, { now: () => NOW })]
    const { authorization } = await machineClient(first, 'bot')
    const key = await proofKey()

    const asked = await clientCredentials(first, authorization, await makeProof(key))
    expect(asked.json().error).toBe('use_dpop_nonce')
    const nonce = asked.headers['dpop-nonce'] as string
    const proof = await makeProof(key, { claims: { nonce } })
    const granted = await clientCredentials(second, authorization, proof)
    expect(granted.statusCode).toBe(200)
    expect(granted.json().token_type).toBe('DPoP')

    const replayed = await clientCredentials(first, authorization, proof)
    expect(replayed.statusCode).toBe(400)
    expect(replayed.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof is invalid' })
  })
})
