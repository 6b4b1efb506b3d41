import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthConfig } from '../config.js'
import { createTokenIssuer, type SignAccessToken } from '../tokens/token-issuer.js'
import { RefreshTokenStore } from '../tokens/refresh-token-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs an access token with the active key. */
    signAccessToken: SignAccessToken
    /** Refresh tokens: issued at login, rotated at the token endpoint, revoked at the revocation endpoint. */
    refreshTokens: RefreshTokenStore
  }
}

export interface TokenIssuerPluginOptions {
  config: AuthConfig
  now: () => number
}

export const tokenIssuerPlugin = fp(async function tokenIssuer (app: FastifyInstance, { config, now }: TokenIssuerPluginOptions) {
  app.decorate('signAccessToken', createTokenIssuer({ issuer: config.issuer, ttlSeconds: config.tokenTtlSeconds, keyRing: app.keyRing, now }))
  app.decorate('refreshTokens', new RefreshTokenStore(app.db, {
    idleMs: config.refreshTokenIdleTtlSeconds * 1000,
    absoluteMs: config.refreshTokenAbsoluteTtlSeconds * 1000,
    reuseGraceMs: config.refreshTokenReuseGraceMs
  }))
}, { name: 'token-issuer', dependencies: ['signing-keys', 'database'] })
