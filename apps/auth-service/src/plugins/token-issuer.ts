import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthConfig } from '../config.js'
import { createTokenIssuer, type IssueToken } from '../tokens/token-issuer.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs an access token for a user with the active key. */
    issueToken: IssueToken
  }
}

export interface TokenIssuerPluginOptions {
  config: AuthConfig
  now: () => number
}

export const tokenIssuerPlugin = fp(async function tokenIssuer (app: FastifyInstance, { config, now }: TokenIssuerPluginOptions) {
  app.decorate('issueToken', createTokenIssuer({
    issuer: config.issuer,
    audience: config.audience,
    clientId: config.clientId,
    ttlSeconds: config.tokenTtlSeconds,
    keyRing: app.keyRing,
    now
  }))
}, { name: 'token-issuer', dependencies: ['signing-keys'] })
