import type { FastifyInstance, FastifyRequest, onSendHookHandler } from 'fastify'
import { DPOP_ERRORS, DPOP_NONCE_HEADER } from '@repo/dpop/constants'
import { DpopProofError } from '@repo/dpop/verify-proof'
import type { AuthenticatedClient } from './authenticate-client.js'
import { InvalidDpopProofError, UseDpopNonceError, invalidDpopProof } from './oauth-errors.js'

/** The key a request proved it holds (RFC 7638 thumbprint), or none: a bearer grant. */
export type TokenRequestProof = { jkt: string } | undefined

/**
 * The DPoP proof of a `POST` to one of the OAuth endpoints (`endpoint`, its URL as the metadata names
 * it), checked (RFC 9449 §4.3) and its `jti` never seen before; undefined without a `DPoP` header.
 * Refusals are the OAuth errors of §5.10 and §8.
 */
export async function oauthRequestProof (
  app: FastifyInstance, request: FastifyRequest, endpoint: string
): Promise<TokenRequestProof> {
  let proof
  try {
    proof = await app.dpop.proofOf(request.headers, { method: 'POST', url: endpoint })
  } catch (error) {
    if (!(error instanceof DpopProofError)) throw error
    if (error.code === DPOP_ERRORS.useNonce) throw new UseDpopNonceError({ reason: error.reason })
    throw invalidDpopProof(error.reason)
  }
  return proof && { jkt: proof.jkt }
}

/**
 * The DPoP proof of a token request (RFC 9449 §5). No proof is a bearer grant, except for a client
 * registered with `--require-dpop` (`dpop_bound_access_tokens`, RFC 9449 §5.2).
 */
export async function tokenRequestProof (
  app: FastifyInstance, request: FastifyRequest, client: AuthenticatedClient, tokenEndpoint: string
): Promise<TokenRequestProof> {
  const proof = await oauthRequestProof(app, request, tokenEndpoint)
  if (proof === undefined && client.client?.dpopBoundAccessTokens === true) {
    throw new InvalidDpopProofError({
      message: 'A DPoP proof is required for this client', reason: 'a bearer grant for a --require-dpop client'
    })
  }
  return proof
}

/** With DPOP_NONCE: every answer of the route, a refusal included, carries the current nonce (§8). */
export function sendDpopNonce (app: FastifyInstance): onSendHookHandler {
  return function (request, reply, payload, done) {
    const nonce = app.dpop.currentNonce()
    if (nonce !== undefined) reply.header(DPOP_NONCE_HEADER, nonce)
    done(null, payload)
  }
}
