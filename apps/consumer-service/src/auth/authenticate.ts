import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Compile } from 'typebox/compile'
import { ACCESS_TOKEN_TYP, AccessTokenClaimsSchema, AccessTokenHeaderSchema, type AccessTokenClaims, type SigningAlgorithm } from '@repo/contracts/access-token'
import { InvalidTokenError, KeysUnavailableError, TokenRejection, withChallenge, type ChallengeAttributes } from '../errors.js'
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
  }
}

export interface AuthenticateOptions {
  issuer: string
  audience: string
  allowedAlgs: readonly SigningAlgorithm[]
  clockToleranceSeconds: number
  /**
   * How long a verified token may be answered from fast-jwt's cache. Kept within the JWKS cache
   * bound; and since the key is resolved from the current key set before the cache is consulted,
   * a token whose key was removed from the JWKS is refused whatever the cache holds.
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

async function authenticatePlugin (app: FastifyInstance, options: AuthenticateOptions) {
  const { issuer, audience, allowedAlgs, clockToleranceSeconds, verifiedTokenCacheMs, now } = options
  const keySet = app.issuerKeys
  const realm = audience
  const invalidToken = { error: 'invalid_token', error_description: 'The access token is invalid' }

  await app.register(fastifyJwt, {
    decode: { complete: true },
    // Runs after the token is decoded and before its signature is checked: the only way in for a key.
    secret: async (_request: FastifyRequest, token: TokenOrHeader) => {
      const header: unknown = 'header' in token ? token.header : token
      if (!tokenHeader.Check(header)) throw new TokenRejection('header is not {alg, kid, typ: at+jwt} with an allowed alg')
      if (!allowedAlgs.includes(header.alg)) throw new TokenRejection(`alg ${header.alg} is not allowed here`)
      const found = await keySet.resolve(header.kid, header.alg)
      if ('pem' in found) return found.pem
      if (found.reason === 'unavailable') {
        throw Object.assign(new KeysUnavailableError(), { headers: { 'retry-after': String(found.retryAfterSeconds) } })
      }
      throw new TokenRejection(found.reason === 'alg-mismatch' ? 'alg differs from the key\'s alg' : 'unknown kid')
    },
    verify: {
      algorithms: [...allowedAlgs],
      allowedIss: issuer,
      allowedAud: audience,
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

  app.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    const bearer = readBearerToken(request.headers.authorization)
    if ('error' in bearer) {
      request.log.info({ reason: bearer.reason }, 'access token rejected')
      const attributes: ChallengeAttributes | undefined = bearer.error.statusCode === 400
        ? { error: 'invalid_request', error_description: bearer.error.message }
        : bearer.error instanceof InvalidTokenError ? invalidToken : undefined
      throw withChallenge(bearer.error, realm, attributes)
    }
    request.bearerToken = bearer.token
    try {
      await request.jwtVerify()
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        request.log.warn('access token not verifiable: issuer keys unavailable')
        throw error
      }
      const reason = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error)
      request.log.info({ reason }, 'access token rejected')
      throw withChallenge(new InvalidTokenError(), realm, invalidToken)
    }
    // The signature holds; now the claims must also match the contract both services compile against.
    const claims = request.user
    const latestIssuedAt = now() / 1000 + clockToleranceSeconds
    if (!tokenClaims.Check(claims) || claims.iat > latestIssuedAt) {
      request.log.info({ reason: 'claims do not match the access token contract' }, 'access token rejected')
      throw withChallenge(new InvalidTokenError(), realm, invalidToken)
    }
    request.log.debug({ sub: claims.sub, client_id: claims.client_id, scope: claims.scope }, 'access token verified')
  })
}

/** Verifies access tokens with @fastify/jwt, taking keys only from the trusted issuer's key set. */
export const authenticate = fp(authenticatePlugin, { name: 'authenticate', dependencies: ['error-handler', 'issuer-keys'] })
