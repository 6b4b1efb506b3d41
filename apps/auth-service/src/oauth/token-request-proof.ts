import type { FastifyInstance, FastifyRequest } from 'fastify'
import { DPOP_ERRORS } from '@repo/dpop/constants'
import { DpopProofError } from '@repo/dpop/verify-proof'
import type { AuthenticatedClient } from './authenticate-client.js'
import { InvalidDpopProofError, UseDpopNonceError, invalidDpopProof } from './oauth-errors.js'

/** The key a token request proved it holds (RFC 7638 thumbprint), or none: a bearer grant. */
export type TokenRequestProof = { jkt: string } | undefined

/**
 * The DPoP proof of a token request (RFC 9449 §5): checked as made for `POST` to the token endpoint
 * as the metadata names it, and its `jti` never seen before. No proof is a bearer grant, except for
 * a client registered with `--require-dpop` (`dpop_bound_access_tokens`, RFC 9449 §5.2).
 */
export async function tokenRequestProof (
  app: FastifyInstance, request: FastifyRequest, client: AuthenticatedClient, tokenEndpoint: string
): Promise<TokenRequestProof> {
  let proof
  try {
    proof = await app.dpop.proofOf(request.headers, { method: 'POST', url: tokenEndpoint })
  } catch (error) {
    if (!(error instanceof DpopProofError)) throw error
    if (error.code === DPOP_ERRORS.useNonce) throw new UseDpopNonceError({ reason: error.reason })
    throw invalidDpopProof(error.reason)
  }
  if (proof === undefined && client.client?.dpopBoundAccessTokens === true) {
    throw new InvalidDpopProofError({
      message: 'A DPoP proof is required for this client', reason: 'a bearer grant for a --require-dpop client'
    })
  }
  return proof && { jkt: proof.jkt }
}
