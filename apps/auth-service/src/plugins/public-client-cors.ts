import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import Type from 'typebox'
import { USERINFO_PATH } from '@repo/contracts/authorization'
import { REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'

export interface PublicClientCorsOptions {
  /** The redirect URIs of every public client, read afresh for each request that carries an origin. */
  publicRedirectUris: () => Promise<readonly string[]>
}

/** What a browser app calls from its own origin once the login page sent it back: the methods of each. */
const BROWSER_APP_ENDPOINTS: ReadonlyMap<string, string> = new Map([
  [TOKEN_PATH, 'POST'],
  [REVOCATION_PATH, 'POST'],
  [USERINFO_PATH, 'GET, POST']
])

/** Short, as the allowed origins follow the clients table: a removed client's preflights are forgotten soon. */
const PREFLIGHT_MAX_AGE_SECONDS = 600

/** `https://app.example/callback` → `https://app.example`; a native app's custom scheme has no web origin. */
export function webOriginOf (uri: string): string | undefined {
  if (!URL.canParse(uri)) return undefined
  const url = new URL(uri)
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined
}

/**
 * CORS on the token, revocation and userinfo endpoints for the web origins of public clients (auth
 * method `none`): the origin of any http(s) redirect URI one of them registered, as Keycloak's
 * "Web origins: +" allows. A single-page app exchanges its code, refreshes, revokes and reads the
 * user from its own origin. Any other origin — a confidential client's, `null`, one that differs by
 * scheme, port or a trailing slash — gets no CORS header and, to its preflight, the 404 every
 * preflight got before: a secret does not belong in a browser, so no page may send one from there.
 * Never credentials (the app sends its tokens in the body or `Authorization`, never a cookie); never `*`.
 *
 * The origins are read from the clients table on each request that carries an `Origin`, never cached:
 * a client added with the CLI works at once and a removed one stops at once, on every replica. Only
 * browsers send `Origin`, and browsers cache a preflight, so it is one small query per page's call.
 * A preflight is its own route, outside the OAuth scope's rate limits: it neither counts against the
 * per-IP limit nor is refused by it. The actual requests' CORS headers are set in a root `onRequest`
 * hook, before the rate limits and the refusals, so a script can read every answer, a 429 included.
 *
 * Register it before the routes it names; it leaves every other route (the login, PAR, the pages) alone.
 */
export const publicClientCorsPlugin = fp(async function publicClientCors (
  app: FastifyInstance, { publicRedirectUris }: PublicClientCorsOptions
) {
  async function allowedOrigin (origin: string | undefined): Promise<string | undefined> {
    // What cannot be an origin (`null`, a path, a list) never equals one: no query for it.
    if (origin === undefined || webOriginOf(origin) !== origin) return undefined
    return (await publicRedirectUris()).some((uri) => webOriginOf(uri) === origin) ? origin : undefined
  }

  // A callback hook: every request passes here, and only the three endpoints' requests wait for anything.
  const corsHeaders: onRequestHookHandler = (request, reply, done) => {
    const path = request.routeOptions.url
    if (path === undefined || !BROWSER_APP_ENDPOINTS.has(path) || request.method === 'OPTIONS') {
      done()
      return
    }
    // The answer depends on Origin, whatever it is: a shared cache must not hand it to another page.
    reply.header('vary', 'Origin')
    allowedOrigin(request.headers.origin).then((origin) => {
      if (origin !== undefined) {
        // A script reads the challenge of a 401, the wait of a 429 or 503, and a DPoP nonce.
        reply.header('access-control-allow-origin', origin)
          .header('access-control-expose-headers', 'WWW-Authenticate, Retry-After, DPoP-Nonce')
      }
      done()
    }, done)
  }
  app.addHook('onRequest', corsHeaders)

  for (const [path, methods] of BROWSER_APP_ENDPOINTS) {
    app.options(path, { schema: { response: { 204: Type.Null() } } }, async (request, reply) => {
      reply.header('vary', 'Origin')
      const origin = await allowedOrigin(request.headers.origin)
      if (origin === undefined) return reply.callNotFound()
      return reply.code(204).headers({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': methods,
        'access-control-allow-headers': 'authorization, content-type, dpop',
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS)
      }).send()
    })
  }
}, { name: 'public-client-cors' })
