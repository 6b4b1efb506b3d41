import type { FastifyInstance } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fp from 'fastify-plugin'
import { PendingAuthorizationStore } from '../authorization/pending-authorizations.js'
import { browserCookies, type BrowserCookies } from '../sessions/browser-cookies.js'
import { ConsentStore } from '../sessions/consent-store.js'
import { SessionStore, type SessionLifetimes } from '../sessions/session-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Authorization requests waiting for a login, a consent, or pushed ahead (PAR). */
    pendingAuthorizations: PendingAuthorizationStore
    /** Who is logged in at which browser. */
    sessions: SessionStore
    /** What users allowed third-party clients. */
    consents: ConsentStore
    /** The names and attributes of the session and interaction cookies. */
    browserCookies: BrowserCookies
  }
}

export interface BrowserSessionsPluginOptions {
  issuer: string
  sessions: SessionLifetimes
}

/** What the browser-facing endpoints share: cookies, sessions, pending requests and consents. */
export const browserSessionsPlugin = fp(async function browserSessions (
  app: FastifyInstance, { issuer, sessions }: BrowserSessionsPluginOptions
) {
  // No cookie secret: nothing is signed; every cookie value is a random handle looked up server-side.
  await app.register(fastifyCookie)
  app.decorate('pendingAuthorizations', new PendingAuthorizationStore(app.db))
  app.decorate('sessions', new SessionStore(app.db, sessions))
  app.decorate('consents', new ConsentStore(app.db))
  app.decorate('browserCookies', browserCookies(issuer))
}, { name: 'browser-sessions', dependencies: ['database'] })
