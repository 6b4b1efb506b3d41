import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AuthorizationCodeStore } from '../authorization/authorization-code-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Authorization codes: issued by the authorization endpoint, exchanged once at the token endpoint. */
    authorizationCodes: AuthorizationCodeStore
  }
}

/** The authorization code store; a code used twice revokes the refresh tokens its first use issued. */
export const authorizationCodesPlugin = fp(async function authorizationCodes (app: FastifyInstance) {
  app.decorate('authorizationCodes',
    new AuthorizationCodeStore(app.db, (familyId, now) => app.refreshTokens.revokeFamily(familyId, now)))
}, { name: 'authorization-codes', dependencies: ['database', 'token-issuer'] })
