import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createIdTokenIssuer, type SignIdToken } from '../tokens/id-token-issuer.js'
import { createTokenIssuer, type SignAccessToken } from '../tokens/token-issuer.js'
import { RefreshTokenStore, type RefreshLifetimes } from '../tokens/refresh-token-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs an access token with the active key. */
    signAccessToken: SignAccessToken
    /** Signs an OpenID Connect ID token with the active key. */
    signIdToken: SignIdToken
    /** Refresh tokens: issued at login, rotated at the token endpoint, revoked at the revocation endpoint. */
    refreshTokens: RefreshTokenStore
  }
}

export interface TokenIssuerPluginOptions {
  /** The `iss` of every access token. */
  issuer: string
  /** `TOKEN_TTL`: an access token's lifetime. */
  accessTokenTtlSeconds: number
  refreshTokens: RefreshLifetimes
  /** Milliseconds since the epoch. */
  now: () => number
}

export const tokenIssuerPlugin = fp(async function tokenIssuer (
  app: FastifyInstance, { issuer, accessTokenTtlSeconds, refreshTokens, now }: TokenIssuerPluginOptions
) {
  const ttlSeconds = accessTokenTtlSeconds
  app.decorate('signAccessToken', createTokenIssuer({ issuer, ttlSeconds, keyRing: app.keyRing, now }))
  app.decorate('signIdToken', createIdTokenIssuer({ issuer, ttlSeconds, keyRing: app.keyRing, now }))
  app.decorate('refreshTokens', new RefreshTokenStore(app.db, refreshTokens, { log: app.signals, issuer }))
}, { name: 'token-issuer', dependencies: ['signing-keys', 'database', 'signals'] })
