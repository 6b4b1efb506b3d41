import type { FastifyRequest } from 'fastify'
import { bearerChallenge, dpopChallenge } from '@repo/contracts/bearer'
import { DPOP_SIGNING_ALGS } from '@repo/dpop/constants'
import type { Scheme } from './bearer-token.js'

/*
 * The `WWW-Authenticate` challenges of the consumer's refusals (auth/refusals.ts says which is sent
 * when): RFC 6750 §3's Bearer, RFC 9449 §7.1's DPoP (`algs`), each ending with RFC 9728 §5.1's
 * `resource_metadata`: where a client learns which issuers and scopes to ask for.
 */

/** What every challenge names besides its error: this service's `realm`, and where its metadata is. */
export interface Challenges {
  /** This service's own identifier (`AUDIENCE`): the Bearer challenges' `realm`. */
  realm: string
  /** The absolute URL of the resource metadata, as the request reached the service; undefined: none to give. */
  resourceMetadata: (request: FastifyRequest) => string | undefined
}

/** The attributes after `error` and the like: `resource_metadata`, when there is one. */
function metadataOf (challenges: Challenges, request: FastifyRequest): Record<string, string> {
  const url = challenges.resourceMetadata(request)
  return url === undefined ? {} : { resource_metadata: url }
}

/** The DPoP challenge without an error: what a client needs to know to use the scheme (RFC 9449 §7.1). */
export function bareDpopChallenge (challenges: Challenges, request: FastifyRequest): string {
  return dpopChallenge(DPOP_SIGNING_ALGS, metadataOf(challenges, request))
}

/** Both bare challenges: no token came, and either scheme would do. */
export function bareChallenges (challenges: Challenges, request: FastifyRequest): string[] {
  return [bearerChallenge(challenges.realm, metadataOf(challenges, request)), bareDpopChallenge(challenges, request)]
}

/** The challenge of a refusal, in the request's scheme. */
export function challenge (
  challenges: Challenges, request: FastifyRequest, scheme: Scheme, error: string, description: string,
  more: Record<string, string> = {}
): string {
  const attributes = { error, error_description: description, ...more, ...metadataOf(challenges, request) }
  return scheme === 'dpop'
    ? dpopChallenge(DPOP_SIGNING_ALGS, attributes)
    : bearerChallenge(challenges.realm, attributes)
}
