import { randomBytes } from 'node:crypto'
import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { accessTokenHash, type BoundToken, type ProofClient } from './dpop-proofs.js'

/** Long enough to outlive a full run; the consumer's clock tolerance doesn't matter then. */
const LIFETIME_SECONDS = 3600

/**
 * Distinct valid tokens for the consumer, signed by the bench's own issuer with its `alg` key: as
 * an issuer would mint them for a fleet of users, without a login (and scrypt) per token.
 */
export function mintTokens (issuer: FakeIssuer, alg: SigningAlgorithm, size: number): string[] {
  const exp = Math.floor(Date.now() / 1000) + LIFETIME_SECONDS
  return Array.from({ length: size }, (_, i) => issuer.token(issuer.keys[alg], { claims: { sub: `bench-${i}`, exp } }))
}

/**
 * Distinct valid tokens bound to DPoP keys (`cnf.jkt`, RFC 9449 §6.1), as an issuer mints them for
 * proof-bound grants: token `i` is bound to `clients[i % clients.length]`, so each client holds many.
 */
export function mintBoundTokens (
  issuer: FakeIssuer, alg: SigningAlgorithm, size: number, clients: readonly ProofClient[]
): BoundToken[] {
  const exp = Math.floor(Date.now() / 1000) + LIFETIME_SECONDS
  return Array.from({ length: size }, (_, i) => {
    const client = clients[i % clients.length] as ProofClient
    const token = issuer.token(issuer.keys[alg], { claims: { sub: `bench-${i}`, exp, cnf: { jkt: client.jkt } } })
    return { token, ath: accessTokenHash(token), client }
  })
}

/** Well-formed, signed tokens whose `kid` no JWKS lists: each one a cache miss if the consumer let it be. */
export function unknownKidTokens (issuer: FakeIssuer, size: number): string[] {
  const exp = Math.floor(Date.now() / 1000) + LIFETIME_SECONDS
  return Array.from({ length: size }, () => issuer.token(issuer.keys.ES256, {
    header: { kid: randomBytes(32).toString('base64url').slice(0, 43) },
    claims: { exp }
  }))
}
