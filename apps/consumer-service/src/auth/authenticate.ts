import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Compile } from 'typebox/compile'
import {
  ACCESS_TOKEN_TYP, AccessTokenClaimsSchema, AccessTokenHeaderSchema, isAccessTokenTyp, type AccessTokenClaims, type VerificationAlgorithm
} from '@repo/contracts/access-token'
import {
  DuplicateTokenError, ExpiredTokenError, InvalidTokenError, KeysUnavailableError, MissingTokenError, TokenRejection, withChallenge, type ChallengeAttributes
} from '../errors.js'
import type { Trusted } from '../plugins/trusted-issuers.js'
import type { RejectionReason } from '../plugins/metrics.js'
import { readBearerToken } from './bearer-token.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: AccessTokenClaims
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: verifies the bearer token and sets `request.user` to its claims. */
    authenticate: (request: FastifyRequest) => Promise<void>
    /** The `realm` of every `WWW-Authenticate` challenge this service sends. */
    bearerRealm: string
  }
  interface FastifyRequest {
    bearerToken: string | undefined
    /** The trusted issuer the token's `iss` named, once its key was found. */
    tokenIssuer: Trusted | undefined
  }
}

export interface AuthenticateOptions {
  /** The `realm` of the challenges: this service's own identifier. */
  realm: string
  allowedAlgs: readonly VerificationAlgorithm[]
  clockToleranceSeconds: number
  /**
   * How long a verified token may be answered from fast-jwt's cache. Kept within the JWKS cache
   * bound; and since the key is resolved before the cache is consulted, a token whose key is no
   * longer trusted is refused whatever the cache holds.
   */
  verifiedTokenCacheMs: number
  /** Milliseconds since the epoch. */
  now: () => number
}

/** Every claim RFC 9068 §2.2 makes mandatory: a token without one is rejected, not waved through. */
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id']
const VERIFIED_TOKEN_CACHE_SIZE = 1000
const tokenHeader = Compile(AccessTokenHeaderSchema)
const tokenClaims = Compile(AccessTokenClaimsSchema)
const EXPIRED = 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED'

async function authenticatePlugin (app: FastifyInstance, options: AuthenticateOptions) {
  const { realm, allowedAlgs, clockToleranceSeconds, verifiedTokenCacheMs, now } = options
  const registry = app.trustedIssuers
  const invalidToken = { error: 'invalid_token', error_description: 'The access token is invalid' }
  const expiredToken = { error: 'invalid_token', error_description: 'The access token expired' }

  await app.register(fastifyJwt, {
    decode: { complete: true },
    // Runs after the token is decoded and before its signature is checked: the only way in for a key.
    secret: async (request: FastifyRequest, token: TokenOrHeader) => {
      const { header, payload } = token as { header: unknown, payload: unknown }
      if (!tokenHeader.Check(header)) throw new TokenRejection('header has a member or value no conformant issuer sends (only alg, typ, kid, x5t, x5t#S256)', 'header')
      if (!isAccessTokenTyp(header.typ)) throw new TokenRejection(`typ ${JSON.stringify(header.typ)} is not at+jwt (RFC 9068 §4)`, 'typ')
      if (!allowedAlgs.includes(header.alg)) throw new TokenRejection(`alg ${header.alg} is not allowed here`, 'alg')
      // The unverified iss only picks which trusted issuer's keys to try, on an exact match.
      const iss = (payload as { iss?: unknown } | null)?.iss
      const trusted = typeof iss === 'string' ? registry.get(iss) : undefined
      if (!trusted) throw new TokenRejection(`iss ${JSON.stringify(iss)?.slice(0, 100)} is not a trusted issuer`, 'untrusted_issuer')
      const found = await trusted.keys.lookup(header.kid, header.alg)
      if ('key' in found) {
        request.tokenIssuer = trusted
        return found.key.pem
      }
      if (found.miss === 'unavailable') {
        throw Object.assign(new KeysUnavailableError(), { headers: { 'retry-after': String(found.retryAfterSeconds) }, detail: found.detail })
      }
      throw new TokenRejection(`${found.miss === 'unknown-kid' ? 'unknown kid' : 'unusable key'}: ${found.detail}`, found.miss === 'unknown-kid' ? 'unknown_kid' : 'unusable_key')
    },
    verify: {
      algorithms: [...allowedAlgs],
      allowedIss: [...registry.keys()],
      allowedAud: [...new Set([...registry.values()].map(({ issuer }) => issuer.audience))],
      requiredClaims: REQUIRED_CLAIMS,
      checkTyp: ACCESS_TOKEN_TYP,
      // fast-jwt counts clock tolerance in milliseconds.
      clockTolerance: clockToleranceSeconds * 1000,
      // Verified tokens, per key, by SHA-256 of the whole token; a cached entry also ends at the token's exp.
      cache: verifiedTokenCacheMs > 0 ? VERIFIED_TOKEN_CACHE_SIZE : false,
      cacheTTL: verifiedTokenCacheMs,
      extractToken: (request: FastifyRequest) => request.bearerToken
    }
  })

  app.decorate('bearerRealm', realm)
  app.decorateRequest('bearerToken', undefined)
  app.decorateRequest('tokenIssuer', undefined)

  // A bare challenge (no error attribute) for a request without a bearer token, as RFC 6750 §3.1 says.
  const verifications = app.metrics.jwtVerifications
  const reject = (request: FastifyRequest, kind: RejectionReason, reason: string, error: Error = new InvalidTokenError(), attributes: ChallengeAttributes | null = invalidToken) => {
    verifications.inc({ outcome: 'rejected', reason: kind })
    request.log.info({ reason }, 'access token rejected')
    return withChallenge(error, realm, attributes ?? undefined)
  }

  app.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    const bearer = readBearerToken(request.headers.authorization)
    if ('error' in bearer) {
      const attributes: ChallengeAttributes | null = bearer.error.statusCode === 400
        ? { error: 'invalid_request', error_description: bearer.error.message }
        : bearer.error instanceof InvalidTokenError ? invalidToken : null
      throw reject(request, bearer.error instanceof MissingTokenError ? 'missing_token' : 'malformed', bearer.reason, bearer.error, attributes)
    }
    // RFC 6750 §2: one way only. A token in the query string as well as the header is refused outright.
    if (typeof request.query === 'object' && request.query !== null && 'access_token' in request.query) {
      throw reject(request, 'malformed', 'a token in the query string as well as the Authorization header', new DuplicateTokenError(),
        { error: 'invalid_request', error_description: new DuplicateTokenError().message })
    }
    request.bearerToken = bearer.token
    try {
      await request.jwtVerify()
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        verifications.inc({ outcome: 'unavailable', reason: 'keys_unavailable' })
        request.log.warn({ reason: (error as { detail?: string }).detail }, 'access token not verifiable: issuer keys unavailable')
        throw error
      }
      const code = (error as { code?: string }).code
      const reason = error instanceof Error ? `${code ?? error.name}: ${error.message}` : String(error)
      if (code === EXPIRED) throw reject(request, 'expired', reason, new ExpiredTokenError(), expiredToken)
      throw reject(request, rejectionKind(error), reason)
    }
    // The signature holds; the claims must also fit the RFC 9068 profile, for the issuer that signed it.
    const claims = request.user
    const trusted = request.tokenIssuer
    if (!tokenClaims.Check(claims)) throw reject(request, 'claims', 'claims do not fit the RFC 9068 access token profile')
    if (!trusted || claims.iss !== trusted.issuer.issuer) throw reject(request, 'claims', 'iss differs from the issuer whose key verified the token')
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!audiences.includes(trusted.issuer.audience)) throw reject(request, 'audience', `aud does not contain ${trusted.issuer.audience}, this service's audience for ${trusted.issuer.issuer}`)
    if (claims.iat > now() / 1000 + clockToleranceSeconds) throw reject(request, 'claims', 'iat is in the future')
    verifications.inc({ outcome: 'accepted', reason: 'none' })
    request.log.debug({ iss: claims.iss, sub: claims.sub, client_id: claims.client_id, scope: claims.scope }, 'access token verified')
  })
}

/**
 * The bounded reason for an error out of `jwtVerify`: ours carry it; @fastify/jwt wraps fast-jwt's
 * (signature, claim values, missing claims, malformed tokens) in one code, told apart by message.
 */
function rejectionKind (error: unknown): RejectionReason {
  if (error instanceof TokenRejection) return error.kind
  const { code, message } = error as { code?: string, message?: string }
  if (code === 'FAST_JWT_MISSING_SIGNATURE') return 'signature'
  if (code !== 'FST_JWT_AUTHORIZATION_TOKEN_INVALID' && code !== 'FST_JWT_AUTHORIZATION_TOKEN_UNTRUSTED') return 'other'
  if (typeof message !== 'string') return 'other'
  if (/signature/i.test(message)) return 'signature'
  if (/malformed|invalid type|not a valid/i.test(message)) return 'malformed'
  if (/\baud\b/.test(message)) return 'audience'
  if (/\biss\b/.test(message)) return 'untrusted_issuer'
  return 'claims'
}

/** Verifies access tokens with @fastify/jwt, taking keys only from the trusted issuer the token names. */
export const authenticate = fp(authenticatePlugin, { name: 'authenticate', dependencies: ['error-handler', 'trusted-issuers', 'metrics'] })
