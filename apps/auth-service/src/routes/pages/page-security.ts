import type { FastifyInstance } from 'fastify'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyHelmet from '@fastify/helmet'
import { STYLESHEET_PATH } from '@repo/contracts/authorization'

/**
 * The security headers and CSRF protection of the pages, for their scope only (the JSON API and
 * /docs keep theirs):
 * - CSP: nothing but this origin's stylesheet (and images) loads, no script at all, no `<base>`,
 *   and no site may frame the pages (`frame-ancestors 'none'`, and X-Frame-Options for old browsers):
 *   a framed login form invites clickjacking. No `form-action`: Chrome applies it to the redirect that
 *   follows a form post, which goes to the client's redirect URI, another origin.
 * - Referrer-Policy no-referrer: the interaction id in the URL does not leak to the next site.
 * - Cache-Control no-store on every page: a login form or an error does not stay in a shared cache.
 * - CSRF (double submit): a token in each form, checked against a secret in an HttpOnly cookie.
 */
export async function registerPageSecurity (app: FastifyInstance, { secure }: { secure: boolean }) {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"]
      }
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS means something only over HTTPS; on a plain-HTTP development issuer it would be ignored.
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: false } : false
  })
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== STYLESHEET_PATH) reply.header('cache-control', 'no-store')
    return payload
  })
  await app.register(fastifyCsrf, {
    // The same attributes as the session cookie (`__Host-` on HTTPS): no subdomain can plant a secret.
    cookieKey: `${secure ? '__Host-' : ''}csrf`,
    cookieOpts: { path: '/', httpOnly: true, secure, sameSite: 'lax' }
  })
}
