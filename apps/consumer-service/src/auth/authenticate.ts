import type { KeyObject } from 'node:crypto'
import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { Compile } from 'typebox/compile'
import {
  ACCESS_TOKEN_TYP, AccessTokenClaimsSchema, AccessTokenHeaderSchema, isAccessTokenTyp, type AccessTokenClaims, type VerificationAlgorithm
} from '@repo/contracts/access-token'
import {
  DuplicateTokenError, ExpiredTokenError, InvalidTokenError, KeysUnavailableError, MissingTokenError, TokenRejection, withChallenge, type ChallengeAttributes
} from '../errors.js'
import type { VerificationKey } from '../jwks/verification-key.js'
import type { Trusted } from '../plugins/trusted-issuers.js'
import type { RejectionReason } from '../plugins/metrics.js'
import { readBearerToken } from './bearer-token.js'
import { VerifiedTokens } from './verified-tokens.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: AccessTokenClaims
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: verifies the bearer token and sets `request.user` to its claims. */
    authenticate: onRequestHookHandler
    /** The `realm` of every `WWW-Authenticate` challenge this service sends. */
    bearerRealm: string
  }
  interface FastifyRequest {
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
   * How long a verified token may be answered from the cache, kept within the JWKS cache bound.
   * The cache answers only while the issuer's keys still hold the key that verified the token.
   */
  verifiedTokenCacheMs: number
  /** Milliseconds since the epoch. */
  now: () => number
}

/** A verified token, as the cache keeps it: its claims, and what it takes to know its key still holds. */
interface Verified {
  claims: AccessTokenClaims
  trusted: Trusted
  key: VerificationKey
  kid: string | undefined
  alg: string
}

/** The part of fast-jwt's decoded token its key resolver receives. */
interface DecodedToken { header: object, payload: unknown }

/** Where the key resolver leaves what it picked: on the token's decoded header, which only fast-jwt and this file see. */
const PICKED = Symbol('picked')
type Picked = Omit<Verified, 'claims'>

/** Every claim RFC 9068 §2.2 makes mandatory: a token without one is rejected, not waved through. */
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id']
const VERIFIED_TOKEN_CACHE_SIZE = 1000
const tokenHeader = Compile(AccessTokenHeaderSchema)
const tokenClaims = Compile(AccessTokenClaimsSchema)

async function authenticatePlugin (app: FastifyInstance, options: AuthenticateOptions) {
  const { realm, allowedAlgs, clockToleranceSeconds, verifiedTokenCacheMs, now } = options
  const toleranceMs = clockToleranceSeconds * 1000
  const registry = app.trustedIssuers
  const invalidToken = { error: 'invalid_token', error_description: 'The access token is invalid' }
  const expiredToken = { error: 'invalid_token', error_description: 'The access token expired' }
  const verifiedTokens = new VerifiedTokens<Verified>(verifiedTokenCacheMs > 0 ? VERIFIED_TOKEN_CACHE_SIZE : 0)

  /**
   * fast-jwt decodes a token once, hands it here before checking its signature (the only way in
   * for a key), then verifies it with the KeyObject this returns. The unverified `iss` only picks
   * which trusted issuer's keys to try, on an exact match.
   */
  function resolveKey ({ header, payload }: DecodedToken, callback: (error: Error | null, key?: KeyObject) => void): void {
    if (!tokenHeader.Check(header)) return callback(new TokenRejection('header has a member or value no conformant issuer sends (only alg, typ, kid, x5t, x5t#S256)', 'header'))
    if (!isAccessTokenTyp(header.typ)) return callback(new TokenRejection(`typ ${JSON.stringify(header.typ)} is not at+jwt (RFC 9068 §4)`, 'typ'))
    if (!allowedAlgs.includes(header.alg)) return callback(new TokenRejection(`alg ${header.alg} is not allowed here`, 'alg'))
    const iss = (payload as { iss?: unknown }).iss
    const trusted = typeof iss === 'string' ? registry.get(iss) : undefined
    if (!trusted) return callback(new TokenRejection(`iss ${JSON.stringify(iss)?.slice(0, 100)} is not a trusted issuer`, 'untrusted_issuer'))
    const { kid, alg } = header
    const use = (key: VerificationKey) => {
      (header as { [PICKED]?: Picked })[PICKED] = { trusted, key, kid, alg }
      callback(null, key.key)
    }
    const current = trusted.keys.current(kid, alg)
    if (current) return use(current)
    trusted.keys.lookup(kid, alg).then((found) => {
      if ('key' in found) return use(found.key)
      if (found.miss === 'unavailable') {
        return callback(Object.assign(new KeysUnavailableError(), { headers: { 'retry-after': String(found.retryAfterSeconds) }, detail: found.detail }))
      }
      callback(new TokenRejection(`${found.miss === 'unknown-kid' ? 'unknown kid' : 'unusable key'}: ${found.detail}`, found.miss === 'unknown-kid' ? 'unknown_kid' : 'unusable_key'))
    }, callback)
  }

  await app.register(fastifyJwt, {
    // Verify-only (no private key). A key fetcher as the secret is fast-jwt's key resolver for app.jwt.verify.
    secret: { public: resolveKey },
    verify: {
      algorithms: [...allowedAlgs],
      allowedIss: [...registry.keys()],
      allowedAud: [...new Set([...registry.values()].map(({ issuer }) => issuer.audience))],
      requiredClaims: REQUIRED_CLAIMS,
      checkTyp: ACCESS_TOKEN_TYP,
      // fast-jwt counts clock tolerance in milliseconds.
      clockTolerance: toleranceMs,
      // The cache is ours (below): it answers before the token is decoded.
      cache: false,
      // The header too, for what resolveKey left on it.
      complete: true
    }
  })
  const verifyToken = app.jwt.verify.bind(app.jwt) as (token: string) => Promise<{ header: { [PICKED]?: Picked }, payload: unknown }>

  app.decorate('bearerRealm', realm)
  app.decorateRequest('tokenIssuer', undefined)

  const counters = app.metrics
  // A bare challenge (no error attribute) for a request without a bearer token, as RFC 6750 §3.1 says.
  const reject = (request: FastifyRequest, kind: RejectionReason, reason: string, error: Error = new InvalidTokenError(), attributes: ChallengeAttributes | null = invalidToken) => {
    counters.jwtVerifications.inc({ outcome: 'rejected', reason: kind })
    request.log.info({ reason }, 'access token rejected')
    return withChallenge(error, realm, attributes ?? undefined)
  }

  const accept = (request: FastifyRequest, { claims, trusted }: Verified) => {
    request.user = claims
    request.tokenIssuer = trusted
    counters.countAccepted()
    // Not even the log line's object unless it is written.
    if (request.log.level === 'debug' || request.log.level === 'trace') {
      request.log.debug({ iss: claims.iss, sub: claims.sub, client_id: claims.client_id, scope: claims.scope }, 'access token verified')
    }
  }

  /** After fast-jwt: the claims must also fit the RFC 9068 profile, for the issuer whose key verified them. */
  const checkClaims = (request: FastifyRequest, { header, payload: claims }: Awaited<ReturnType<typeof verifyToken>>): Verified => {
    const chosen = header[PICKED]
    if (!tokenClaims.Check(claims)) throw reject(request, 'claims', 'claims do not fit the RFC 9068 access token profile')
    if (!chosen || claims.iss !== chosen.trusted.issuer.issuer) throw reject(request, 'claims', 'iss differs from the issuer whose key verified the token')
    const { audience } = chosen.trusted.issuer
    if (!(Array.isArray(claims.aud) ? claims.aud.includes(audience) : claims.aud === audience)) {
      throw reject(request, 'audience', `aud does not contain ${audience}, this service's audience for ${chosen.trusted.issuer.issuer}`)
    }
    if (claims.iat > now() / 1000 + clockToleranceSeconds) throw reject(request, 'claims', 'iat is in the future')
    return { claims, ...chosen }
  }

  const refuse = (request: FastifyRequest, thrown: unknown): Error => {
    // fast-jwt wraps what the key resolver gave up with (ours) in a key-fetching error.
    const error = (thrown as { code?: string, originalError?: unknown }).code === 'FAST_JWT_KEY_FETCHING_ERROR'
      ? (thrown as { originalError: unknown }).originalError
      : thrown
    if (error instanceof KeysUnavailableError) {
      counters.jwtVerifications.inc({ outcome: 'unavailable', reason: 'keys_unavailable' })
      request.log.warn({ reason: (error as { detail?: string }).detail }, 'access token not verifiable: issuer keys unavailable')
      return error
    }
    const code = (error as { code?: string }).code
    const reason = error instanceof Error ? `${code ?? error.name}: ${error.message}` : String(error)
    if (code === 'FAST_JWT_EXPIRED') return reject(request, 'expired', reason, new ExpiredTokenError(), expiredToken)
    return reject(request, rejectionKind(error), reason)
  }

  app.decorate('authenticate', function authenticate (request, _reply, done) {
    const token = readBearerToken(request.headers.authorization)
    if (typeof token !== 'string') {
      const attributes: ChallengeAttributes | null = token.error.statusCode === 400
        ? { error: 'invalid_request', error_description: token.error.message }
        : token.error instanceof InvalidTokenError ? invalidToken : null
      return done(reject(request, token.error instanceof MissingTokenError ? 'missing_token' : 'malformed', token.reason, token.error, attributes))
    }
    // RFC 6750 §2: one way only. A token in the query string as well as the header is refused outright.
    if (typeof request.query === 'object' && request.query !== null && 'access_token' in request.query) {
      return done(reject(request, 'malformed', 'a token in the query string as well as the Authorization header', new DuplicateTokenError(),
        { error: 'invalid_request', error_description: new DuplicateTokenError().message }))
    }
    // Exactly this token, verified before, while the key that verified it is still the issuer's.
    const cached = verifiedTokens.get(token, now())
    if (cached !== undefined && cached.trusted.keys.current(cached.kid, cached.alg) === cached.key) {
      accept(request, cached)
      return done()
    }
    verifyToken(token).then((decoded) => {
      const verified = checkClaims(request, decoded)
      // Answered again only while every check above would still pass: from nbf and iat to exp (with
      // the clock tolerance), and for no longer than VERIFIED_TOKEN_CACHE.
      const { nbf, iat, exp } = verified.claims
      verifiedTokens.set(token, verified, Math.max(nbf ?? 0, iat) * 1000 - toleranceMs, Math.min(now() + verifiedTokenCacheMs, exp * 1000 + toleranceMs))
      accept(request, verified)
    }, (error: unknown) => { throw refuse(request, error) }).then(() => done(), done)
  })
}

/**
 * The bounded reason for an error out of fast-jwt or the key resolver: ours carry it; fast-jwt's
 * have a code, and name the claim in their message.
 */
function rejectionKind (error: unknown): RejectionReason {
  if (error instanceof TokenRejection) return error.kind
  const { code, message } = error as { code?: string, message?: string }
  switch (code) {
    case 'FAST_JWT_INVALID_SIGNATURE':
    case 'FAST_JWT_MISSING_SIGNATURE':
      return 'signature'
    case 'FAST_JWT_MALFORMED':
      return 'malformed'
    case 'FAST_JWT_INVALID_CLAIM_VALUE':
    case 'FAST_JWT_MISSING_REQUIRED_CLAIM':
      if (typeof message !== 'string') return 'claims'
      if (/\baud\b/.test(message)) return 'audience'
      if (/\biss\b/.test(message)) return 'untrusted_issuer'
      return 'claims'
    default:
      return 'other'
  }
}

/** Verifies access tokens with @fastify/jwt, taking keys only from the trusted issuer the token names. */
export const authenticate = fp(authenticatePlugin, { name: 'authenticate', dependencies: ['error-handler', 'trusted-issuers', 'metrics'] })
