import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose'
import { startFakeIssuer } from '@repo/service-harness/fake-issuer'
import { afterAll, describe, expect, it } from 'vitest'
import { accessTokenHash, dpopRequests, proofClients, type DpopHeaders } from '../src/dpop-proofs.js'
import { mintBoundTokens } from '../src/token-pool.js'

const URL = 'http://127.0.0.1:4100/api/v1/protected'
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { cnf?: { jkt?: string } }

describe('the DPoP requests the bench sends', async () => {
  const issuer = await startFakeIssuer()
  afterAll(() => issuer.close())
  const clients = proofClients(3)
  const tokens = mintBoundTokens(issuer, 'RS256', 6, clients)

  it('binds token i to client i mod clients, by the RFC 7638 thumbprint jose computes', async () => {
    for (const [i, { token, client }] of tokens.entries()) {
      expect(client).toBe(clients[i % 3])
      const jwk = client.publicKey.export({ format: 'jwk' }) as JWK
      expect(payloadOf(token).cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk, 'sha256') })
    }
  })

  it('sends each token as DPoP with a proof jose accepts: htm, htu, ath, iat now, the bound key', async () => {
    const requests = dpopRequests(tokens, URL, 8, 4)
    for (const [i, { authorization, dpop }] of requests.entries()) {
      const { token } = tokens[(4 + i) % tokens.length] as { token: string }
      expect(authorization).toBe(`DPoP ${token}`)
      const verified = await jwtVerify(dpop, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] })
      const { payload, protectedHeader } = verified
      expect(protectedHeader.jwk).not.toHaveProperty('d')
      expect(payload).toMatchObject({ htm: 'GET', htu: URL, ath: accessTokenHash(token) })
      expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5)
      expect(await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256')).toBe(payloadOf(token).cnf?.jkt)
    }
  })

  it('gives every proof a jti of its own', () => {
    const jtis = dpopRequests(tokens, URL, 50).map(({ dpop }: DpopHeaders) =>
      (JSON.parse(Buffer.from(dpop.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti)
    expect(new Set(jtis).size).toBe(50)
  })
})
