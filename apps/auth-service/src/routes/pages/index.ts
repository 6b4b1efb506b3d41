import type { FastifyInstance } from 'fastify'
import { consentPage } from './consent-page.js'
import { loginPage } from './login-page.js'
import { logoutRoute } from './logout.js'
import { handlePageErrors } from './page-error-handler.js'
import { acceptPageForms } from './page-form-body.js'
import { registerPageSecurity } from './page-security.js'
import { registerPageViews } from './page-views.js'

export interface PagesRoutesOptions {
  /** Its scheme decides the cookies' `Secure` and `__Host-` prefix, and HSTS; its value checks logout hints. */
  issuer: string
  now: () => number
}

/**
 * The pages the service renders for people, in one scope with their own security headers, CSRF
 * protection, form parsing and error pages: the login page (login-page.ts), the consent page of
 * third-party clients (consent-page.ts) and RP-initiated logout (logout.ts).
 */
export async function pagesRoutes (app: FastifyInstance, { issuer, now }: PagesRoutesOptions) {
  const secure = new URL(issuer).protocol === 'https:'
  acceptPageForms(app)
  await registerPageSecurity(app, { secure })
  await registerPageViews(app)
  handlePageErrors(app)
  await app.register(loginPage, { now })
  await app.register(consentPage, { now })
  await app.register(logoutRoute, { issuer, now })
}
