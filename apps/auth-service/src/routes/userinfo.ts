import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { USERINFO_PATH } from '@repo/contracts/authorization'
import { ErrorBodySchema } from '@repo/contracts/errors'
import { parseScope } from '@repo/contracts/scopes'
import { OPENID_SCOPE, UserinfoResponseSchema, type UserinfoResponse } from '@repo/contracts/userinfo'
import { DPOP_ERRORS } from '@repo/dpop/constants'
import { DpopProofError, type VerifiedProof } from '@repo/dpop/verify-proof'
import { readBearerHeader } from '../userinfo/bearer-header.js'
import { bearerRefusals } from '../userinfo/bearer-refusals.js'
import { dpopRefusals } from '../userinfo/dpop-refusals.js'
import { AccessTokenRejection, ownAccessTokens } from '../userinfo/own-access-tokens.js'

export interface UserinfoRoutesOptions {
  /** This service's issuer: the tokens' `iss`, and the challenges' realm. */
  issuer: string
  clockToleranceSeconds: number
  /** Milliseconds since the epoch. */
  now: () => number
}

const FORM = 'application/x-www-form-urlencoded'
const NOT_A_FORM = 'A POST body must be application/x-www-form-urlencoded, or absent'

const namesAccessToken = (fields: unknown) =>
  typeof fields === 'object' && fields !== null && Object.hasOwn(fields, 'access_token')

/**
 * `GET|POST /userinfo` (OpenID Connect Core §5.3): the user an access token of this service was
 * issued for, as they are now. The token must come in the Authorization header (RFC 6750 §2.1);
 * one in the query or the form body is refused rather than read, as those end up in logs. A
 * DPoP-bound token (`cnf.jkt`) comes as `Authorization: DPoP` with a proof by its key (RFC 9449 §7),
 * never as a bearer token. Every refusal is in userinfo/bearer-refusals.ts and dpop-refusals.ts.
 */
export async function userinfoRoutes (
  fastify: FastifyInstance, { issuer, clockToleranceSeconds, now }: UserinfoRoutesOptions
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const refusals = bearerRefusals(issuer)
  const dpop = dpopRefusals(issuer)
  const userinfoUrl = `${issuer}${USERINFO_PATH}`

  /** A refused proof's answer: `use_dpop_nonce` with the nonce, else `invalid_dpop_proof`. */
  function proofRefusal (error: unknown): unknown {
    if (!(error instanceof DpopProofError)) return error
    if (error.code === DPOP_ERRORS.useNonce) return dpop.useNonce(error.reason, app.dpop.currentNonce())
    return dpop.invalidProof(error.reason)
  }
  /** The proof of a `DPoP` request (RFC 9449 §7.1): for this method and URL, with the token's hash. */
  async function proofOf (request: FastifyRequest, accessToken: string): Promise<VerifiedProof> {
    const proof = await app.dpop.verify(request.headers, { method: request.method, url: userinfoUrl, accessToken })
      .catch((error: unknown) => { throw proofRefusal(error) })
    if (!proof) throw dpop.invalidProof('the DPoP scheme without a DPoP header')
    return proof
  }
  const verify = ownAccessTokens({ issuer, keyRing: app.keyRing, clockToleranceSeconds, now })

  // This scope only: a POST may carry a form (§5.3.1), read only to see whether it holds a token.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  app.addContentTypeParser('*', (request, payload, done) => {
    done(refusals.invalidRequest(NOT_A_FORM, `a body of type ${request.headers['content-type']}`), undefined)
  })

  // The precise reason, for the log only (the service's error handler logs the code).
  app.addHook('onError', (request, reply, error: Error & { reason?: string }, done) => {
    if (error.reason !== undefined) request.log.info({ reason: error.reason }, 'userinfo request refused')
    done()
  })

  async function userinfo (request: FastifyRequest, reply: FastifyReply): Promise<UserinfoResponse> {
    if (namesAccessToken(request.query) || namesAccessToken(request.body)) {
      throw refusals.notInHeader('access_token in the query or the body')
    }
    const presented = readBearerHeader(request.headers.authorization)
    if ('problem' in presented) {
      const { problem, reason } = presented
      if (problem === 'no-credentials') throw refusals.missingToken(reason)
      throw problem === 'malformed' ? refusals.malformedHeader(reason) : refusals.invalidToken(reason)
    }
    const proof = presented.scheme === 'DPoP' ? await proofOf(request, presented.token) : undefined
    const token = await verify(presented.token).catch((error: unknown) => {
      throw error instanceof AccessTokenRejection ? refusals.invalidToken(error.message, error.expired) : error
    })
    // A bound token is worth nothing without its key (§7.2); an unbound one has no key to prove.
    if (token.jkt !== undefined && proof === undefined) throw refusals.invalidToken('a DPoP-bound token sent as Bearer')
    if (token.jkt === undefined && proof !== undefined) throw refusals.invalidToken('a bearer token sent as DPoP')
    if (proof !== undefined && proof.jkt !== token.jkt) throw dpop.invalidProof('a proof by another key than cnf.jkt')
    if (!parseScope(token.scope).includes(OPENID_SCOPE)) {
      throw refusals.insufficientScope(OPENID_SCOPE, `scope "${token.scope}" has no ${OPENID_SCOPE}`)
    }
    // The user as they are now: removed since the token was issued, they are nobody.
    const user = await app.users.findById(token.sub)
    if (!user) throw refusals.invalidToken('the user no longer exists')
    // The replay check last, once the token and its binding were accepted: only the holder of a valid
    // bound token and its key takes room in the replay cache.
    if (proof !== undefined) await app.dpop.claim(proof).catch((error: unknown) => { throw proofRefusal(error) })
    reply.header('cache-control', 'no-store')
    return { sub: user.id, preferred_username: user.userName, role: user.role }
  }

  app.route({
    method: ['GET', 'POST'],
    url: USERINFO_PATH,
    schema: {
      response: {
        200: UserinfoResponseSchema,
        400: ErrorBodySchema,
        401: ErrorBodySchema,
        403: ErrorBodySchema,
        413: ErrorBodySchema,
        503: ErrorBodySchema
      }
    },
    handler: userinfo
  })
}
