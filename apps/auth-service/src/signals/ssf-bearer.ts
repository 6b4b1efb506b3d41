import { SSF_MANAGE_SCOPE, SSF_READ_SCOPE } from '@repo/contracts/ssf'
import { parseScope } from '@repo/contracts/scopes'
import type { KeyRing } from '../keys/key-ring.js'
import { readBearerHeader } from '../userinfo/bearer-header.js'
import { bearerRefusals } from '../userinfo/bearer-refusals.js'
import { AccessTokenRejection, ownAccessTokens } from '../userinfo/own-access-tokens.js'

export interface SsfBearerOptions {
  /** This service's issuer: the tokens' `iss`, the `aud` they must name, and the challenges' realm. */
  issuer: string
  keyRing: KeyRing
  clockToleranceSeconds: number
  /** Milliseconds since the epoch. */
  now: () => number
  /** The registered client of that id, as it is now (removed: undefined). */
  findClient: (clientId: string) => Promise<{ ssfReceiver: boolean } | undefined>
}

/** What the SSF endpoints need to know of the request. */
export interface SsfRequest {
  method: string
  headers: { authorization?: string | undefined }
  query: unknown
}

/** The receiver a request was authenticated as: its streams are the ones it may see. */
export interface SsfReceiver {
  clientId: string
}

const NOT_DPOP = 'The Shared Signals endpoints take a bearer token (Authorization: Bearer), not DPoP'

/** A read (GET) needs `ssf.read`; everything else, polling included, manages a stream: `ssf.manage`. */
export const requiredSsfScope = (method: string): string =>
  method === 'GET' || method === 'HEAD' ? SSF_READ_SCOPE : SSF_MANAGE_SCOPE

const namesAccessToken = (query: unknown) =>
  typeof query === 'object' && query !== null && Object.hasOwn(query, 'access_token')

const audiences = (aud: unknown): unknown[] => Array.isArray(aud) ? aud : [aud]

/**
 * Authenticates a Shared Signals receiver (SSF 1.0 §9, CAEP interoperability profile §2.7): an
 * access token of this service, in the Authorization header only (RFC 6750 §2.1), for this issuer
 * (`aud`), issued to a client registered with `--ssf-receiver` for itself (client_credentials:
 * `sub` = `client_id`), with the scope the method needs. Refusals are RFC 6750 answers with a
 * challenge (userinfo/bearer-refusals.ts): 401 bare (no token), 400 `invalid_request` (malformed, in
 * the query, or DPoP), 401 `invalid_token`, 403 `insufficient_scope`.
 *
 * DPoP is refused: receivers are registered without `--require-dpop`, and a bound token would need a
 * proof per request that no SSF client sends; a bound token presented as a bearer one is worth nothing
 * without its key (RFC 9449 §7.2), so it is `invalid_token`.
 */
export function ssfBearer ({ issuer, keyRing, clockToleranceSeconds, now, findClient }: SsfBearerOptions) {
  const refusals = bearerRefusals(issuer)
  const verify = ownAccessTokens({ issuer, keyRing, clockToleranceSeconds, now })

  return async function authenticateReceiver (request: SsfRequest): Promise<SsfReceiver> {
    if (namesAccessToken(request.query)) throw refusals.notInHeader('access_token in the query')
    const presented = readBearerHeader(request.headers.authorization)
    if ('problem' in presented) {
      const { problem, reason } = presented
      if (problem === 'no-credentials') throw refusals.missingToken(reason)
      throw problem === 'malformed' ? refusals.malformedHeader(reason) : refusals.invalidToken(reason)
    }
    if (presented.scheme === 'DPoP') throw refusals.invalidRequest(NOT_DPOP, 'the DPoP scheme')
    const token = await verify(presented.token).catch((error: unknown) => {
      throw error instanceof AccessTokenRejection ? refusals.invalidToken(error.message, error.expired) : error
    })
    if (token.jkt !== undefined) throw refusals.invalidToken('a DPoP-bound token sent as Bearer')
    if (!audiences(token.claims.aud).includes(issuer)) {
      throw refusals.invalidToken('aud does not name this issuer: a token for a resource server')
    }
    // Only a token a client got for itself: a user's token names the user in `sub`.
    const clientId = token.claims.client_id
    if (typeof clientId !== 'string' || clientId !== token.sub) {
      throw refusals.invalidToken('not a client_credentials token (sub is not client_id)')
    }
    const client = await findClient(clientId)
    if (!client) throw refusals.invalidToken(`client ${clientId} is no longer registered`)
    if (!client.ssfReceiver) throw refusals.invalidToken(`client ${clientId} is not an SSF receiver`)
    const scope = requiredSsfScope(request.method)
    if (!parseScope(token.scope).includes(scope)) {
      throw refusals.insufficientScope(scope, `scope "${token.scope}" has no ${scope}`)
    }
    return { clientId }
  }
}
