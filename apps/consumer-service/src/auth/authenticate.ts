import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { ACCESS_TOKEN_TYP, type AccessTokenClaims, type VerificationAlgorithm } from '@repo/contracts/access-token'
import type { ReplayCache } from '@repo/dpop/replay-cache'
import { DpopRejection, SignalsUnavailable, TokenRejection } from '../errors.js'
import type { Trusted } from '../plugins/trusted-issuers.js'
import type { ResourceUrlsOf } from '../resource-metadata/resource-urls.js'
import { checkProfile, type Verified } from './access-token-profile.js'
import { readCredentials, type Scheme } from './bearer-token.js'
import type { Challenges } from './challenges.js'
import { bearerRefusal, checkProofKey } from './dpop-binding.js'
import { createDpopProofs } from './dpop-proofs.js'
import { createKeyResolver, KeyNotCached } from './key-resolver.js'
import { createRefusals } from './refusals.js'
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
    /** What every `WWW-Authenticate` challenge this service sends names: its `realm` and `resource_metadata`. */
    challenges: Challenges
  }
  interface FastifyRequest {
    /** The trusted issuer the token's `iss` named, once its key was found. */
    tokenIssuer: Trusted | undefined
    /** How the accepted token came: as a bearer token, or DPoP-bound with a proof (for later challenges). */
    tokenScheme: Scheme
  }
}

export interface AuthenticateOptions {
  /** The `realm` of the challenges: this service's own identifier. */
  realm: string
  /** Where the resource metadata is, as a request reached the service: every challenge names it (RFC 9728 §5.1). */
  resourceUrls: ResourceUrlsOf
  allowedAlgs: readonly VerificationAlgorithm[]
  clockToleranceSeconds: number
  /** `SSF_MAX_TOKEN_LIFETIME`: a longer-lived token of an issuer that sends signals outlives what they keep. */
  maxSignalledLifetimeSeconds: number
  /**
   * How long a verified token may be answered from the cache, kept within the JWKS cache bound.
   * The cache answers only while the issuer's keys still hold the key that verified the token.
   */
  verifiedTokenCacheMs: number
  /** The DPoP proof checks (RFC 9449 §7.1): where `htu` is checked against, the `iat` window, the replay cache. */
  dpop: { publicUrl: string | undefined, iatWindowSeconds: number, replayCache: ReplayCache }
  /** Milliseconds since the epoch. */
  now: () => number
}

const VERIFIED_TOKEN_CACHE_SIZE = 1000

/**
 * The onRequest hook of every protected route: the token and its scheme (auth/bearer-token.ts); for
 * DPoP, the proof (auth/dpop-proofs.ts); the verified-token cache, then fast-jwt with the key of the
 * issuer the token names (auth/key-resolver.ts) and the RFC 9068 profile (auth/access-token-profile.ts);
 * the token's binding to the proof's key, or its issuer's DPoP policy (auth/dpop-binding.ts); last,
 * the proof's replay check. Every refusal and its status is in auth/refusals.ts.
 */
async function authenticatePlugin (app: FastifyInstance, options: AuthenticateOptions) {
  const { realm, resourceUrls, allowedAlgs, clockToleranceSeconds, verifiedTokenCacheMs, dpop, now } = options
  const { maxSignalledLifetimeSeconds } = options
  const proofs = createDpopProofs({ ...dpop, clockToleranceSeconds, now })
  const toleranceMs = clockToleranceSeconds * 1000
  const keys = createKeyResolver(app.trustedIssuers, allowedAlgs)
  const challenges: Challenges = { realm, resourceMetadata: (request) => resourceUrls(request)?.metadata }
  const refusals = createRefusals(challenges, app.metrics)
  const verifiedTokens = new VerifiedTokens<Verified>(verifiedTokenCacheMs > 0 ? VERIFIED_TOKEN_CACHE_SIZE : 0)

  await app.register(fastifyJwt, {
    // Verify-only (no private key). A key function as the secret is fast-jwt's key resolver for app.jwt.verify.
    secret: { public: keys.resolve },
    verify: {
      algorithms: [...allowedAlgs],
      // The key function returns the key (patches/fast-jwt@6.3.6.patch): app.jwt.verify is synchronous, no
      // promise and no turn of the microtask queue per token. A key not at hand is fetched in verifyToken.
      keySync: true,
      // No allowedIss, allowedAud or requiredClaims: the profile check makes those, per issuer and each under
      // a reason of its own (fast-jwt's errors for them differ only in their message).
      checkTyp: ACCESS_TOKEN_TYP,
      // fast-jwt counts clock tolerance in milliseconds.
      clockTolerance: toleranceMs,
      // The cache is ours (below): it answers before the token is decoded.
      cache: false
    }
  })
  const jwt = app.jwt

  app.decorate('challenges', challenges)
  app.decorateRequest('tokenIssuer', undefined)
  app.decorateRequest('tokenScheme', 'bearer')

  const counters = app.metrics
  const accept = (request: FastifyRequest, { claims, trusted }: Verified, scheme: Scheme = 'bearer') => {
    request.user = claims
    request.tokenIssuer = trusted
    request.tokenScheme = scheme
    counters.countAccepted(scheme === 'bearer' ? 'none' : 'dpop')
    // Not even the log line's object unless it is written.
    if (request.log.level === 'debug' || request.log.level === 'trace') {
      const { iss, sub, client_id: clientId, scope } = claims
      request.log.debug({ iss, sub, client_id: clientId, scope }, 'access token verified')
    }
  }

  /** After fast-jwt: the payload, with the key the resolver chose for it, must fit the RFC 9068 profile. */
  const check = (token: string, payload: object): Verified | TokenRejection => {
    const chosen = keys.takeChosen(payload)
    if (!chosen) return new TokenRejection('no key was chosen for the verified payload', 'other')
    const nowMs = now()
    const checked = checkProfile(payload, chosen, nowMs / 1000, clockToleranceSeconds)
    if (checked instanceof TokenRejection) return checked
    // Answered again only while every check above would still pass: from nbf and iat to exp (with
    // the clock tolerance), and for no longer than VERIFIED_TOKEN_CACHE.
    const { nbf, iat, exp } = checked.claims
    const notBefore = Math.max(nbf ?? 0, iat) * 1000 - toleranceMs
    verifiedTokens.set(token, checked, notBefore, Math.min(nowMs + verifiedTokenCacheMs, exp * 1000 + toleranceMs))
    return checked
  }

  /** Exactly this token, verified before, while the key that verified it is still the issuer's. */
  const cachedToken = (token: string): Verified | undefined => {
    const cached = verifiedTokens.get(token, now())
    const current = cached !== undefined && cached.trusted.keys.current(cached.kid, cached.alg) === cached.key
    return current ? cached : undefined
  }
  const verifyNow = (token: string): Verified => {
    const checked = check(token, jwt.verify<object>(token))
    if (checked instanceof TokenRejection) throw checked
    return checked
  }
  /**
   * A token not in the cache: verified at once when its issuer's key is at hand (nearly always), or
   * once the key is fetched (an unknown `kid`, within the JWKS cooldown). Throws, or rejects, why not.
   */
  const verifyToken = (token: string): Verified | Promise<Verified> => {
    try {
      return verifyNow(token)
    } catch (error) {
      // fast-jwt wraps what its key function throws in its key-fetching error.
      const missing = error instanceof Error && 'originalError' in error ? error.originalError : undefined
      if (!(missing instanceof KeyNotCached)) throw error
      return keys.fetch(missing, () => verifyNow(token))
    }
  }

  /**
   * What the issuer's revocation signals say of a verified token, cached or not (plugins/signals.ts):
   * revoked since it was issued, or unknown while the signals are away past the grace (SSF_OUTAGE=refuse).
   */
  const signals = app.signals
  const checkSignals = ({ claims, trusted }: Verified): Error | undefined => {
    if (signals.size === 0) return undefined
    const issuerSignals = signals.get(trusted.issuer.issuer)
    if (issuerSignals === undefined) return undefined
    if (claims.exp - claims.iat > maxSignalledLifetimeSeconds) {
      return new TokenRejection(`a lifetime over SSF_MAX_TOKEN_LIFETIME (${maxSignalledLifetimeSeconds}s)`, 'claims')
    }
    const verdict = issuerSignals.check(claims)
    if (verdict === 'revoked') return new TokenRejection('revoked by its issuer\'s signals', 'revoked')
    if (verdict === 'unavailable') return new SignalsUnavailable(`${trusted.issuer.issuer}'s signals are unavailable`)
    return undefined
  }

  /**
   * A DPoP request: the proof first, whatever the cache holds (the cache spares the token's signature
   * only), then the token, its binding to the proof's key, and last the proof's one use.
   */
  const authenticateDpop = async (request: FastifyRequest, token: string): Promise<Verified> => {
    const proof = proofs.verify(request, token)
    const found = cachedToken(token) ?? verifyToken(token)
    const verified = found instanceof Promise ? await found : found
    checkProofKey(verified, proof.jkt)
    const stopped = checkSignals(verified)
    if (stopped) throw stopped
    const claimed = proofs.claim(proof)
    // The memory cache answers at once: no await (a promise and a turn of the microtask queue) for it.
    if (!(typeof claimed === 'boolean' ? claimed : await claimed)) {
      throw new DpopRejection('the proof was used before (or the replay cache is full)', 'dpop_replay')
    }
    return verified
  }

  /** A bearer token: accepted unless bound to a key, or from an issuer that requires DPoP. */
  const acceptBearer = (request: FastifyRequest, verified: Verified): Error | undefined => {
    const refusal = bearerRefusal(verified) ?? checkSignals(verified)
    if (refusal) return refusals.refused(request, refusal, 'bearer')
    accept(request, verified)
    return undefined
  }

  app.decorate('authenticate', function authenticate (request, _reply, done) {
    const credentials = readCredentials(request.headers.authorization)
    if (!('token' in credentials)) return done(refusals.noToken(request, credentials))
    const { scheme, token } = credentials
    // RFC 6750 §2: one way only. A token in the query string as well as the header is refused outright.
    if (typeof request.query === 'object' && request.query !== null && 'access_token' in request.query) {
      return done(refusals.sentTwice(request, scheme))
    }
    if (scheme === 'dpop') {
      authenticateDpop(request, token).then((verified) => {
        accept(request, verified, 'dpop')
        done()
      }, (error: unknown) => { done(refusals.refused(request, error, scheme)) })
      return
    }
    let verified: Verified | Promise<Verified>
    try {
      verified = cachedToken(token) ?? verifyToken(token)
    } catch (error) {
      return done(refusals.refused(request, error, scheme))
    }
    if (!(verified instanceof Promise)) return done(acceptBearer(request, verified))
    verified.then((found) => { done(acceptBearer(request, found)) },
      (error: unknown) => { done(refusals.refused(request, error, scheme)) })
  })
}

/** Verifies access tokens with @fastify/jwt, taking keys only from the trusted issuer the token names. */
export const authenticate = fp(authenticatePlugin, {
  name: 'authenticate', dependencies: ['error-handler', 'trusted-issuers', 'metrics', 'signals']
})
