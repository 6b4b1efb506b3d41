import type { FastifyInstance, FastifyRequest, onSendHookHandler } from 'fastify'
import { DPOP_ERRORS, DPOP_NONCE_HEADER } from '@repo/dpop/constants'
import { DpopProofError } from '@repo/dpop/verify-proof'
import type { AuthenticatedClient } from './authenticate-client.js'
import { InvalidDpopProofError, UseDpopNonceError, invalidDpopProof } from './oauth-errors.js'

/**
 * The key a request proved it holds (RFC 7638 thumbprint), or none: a bearer grant. `claim` is the
 * replay check, made once the grant was found good and before it is used or any token issued: a
 * request refused for its grant leaves its proof unclaimed (no room taken in the replay cache, the
 * client may send it again with a good grant). Called again it does nothing (the first outcome).
 */
export type TokenRequestProof = { jkt: string, claim: () => Promise<void> } | undefined

/** The OAuth error a refused proof answers (RFC 9449 §5.10, §8). */
function oauthRefusal (error: unknown): unknown {
  if (!(error instanceof DpopProofError)) return error
  if (error.code === DPOP_ERRORS.useNonce) return new UseDpopNonceError({ reason: error.reason })
  return invalidDpopProof(error.reason)
}

/**
 * The DPoP proof of a `POST` to one of the OAuth endpoints (`endpoint`, its URL as the metadata names
 * it), checked (RFC 9449 §4.3); its `jti` is claimed by `claim`. Undefined without a `DPoP` header.
 */
export async function oauthRequestProof (
  app: FastifyInstance, request: FastifyRequest, endpoint: string
): Promise<TokenRequestProof> {
  const proof = await app.dpop.verify(request.headers, { method: 'POST', url: endpoint })
    .catch((error: unknown) => { throw oauthRefusal(error) })
  if (proof === undefined) return undefined
  let claimed: Promise<void> | undefined
  const claim = () => {
    claimed ??= app.dpop.claim(proof).catch((error: unknown) => { throw oauthRefusal(error) })
    return claimed
  }
  return { jkt: proof.jkt, claim }
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
