import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import Type from 'typebox'

export interface PublicCorsOptions {
  /** The public documents: paths whose GET (and HEAD) answers any web page may read. */
  paths: readonly string[]
}

/** Browsers cap it lower (Chromium at 2 hours); what they keep, they keep as long as they allow. */
const PREFLIGHT_MAX_AGE_SECONDS = 86400

const PREFLIGHT_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD',
  // Any request header: nothing here reads credentials, and `*` is a wildcard only without them.
  'access-control-allow-headers': '*',
  'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS)
}

const allowAnyOrigin: onRequestHookHandler = (request, reply, done) => {
  // ETag is not a CORS-safelisted response header: scripts need it to revalidate with If-None-Match.
  reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', 'ETag')
  done()
}

/**
 * CORS for the public documents only (the metadata documents and the JWKS): `Access-Control-Allow-Origin: *`
 * on their GET and HEAD answers and a preflight answer on `OPTIONS`. Every other route — the login
 * above all — has no CORS header and no preflight answer here, so a web page on another origin can
 * neither read their answers nor send them a JSON or credentialed request: a page must not be able to
 * try passwords or client secrets from its visitors' browsers. (Token, revocation and userinfo answer
 * public clients' own origins only: public-client-cors.ts.)
 *
 * Not @fastify/cors: it routes `OPTIONS *`, so wherever it is registered it answers preflights for
 * every path, the login's included, unless its options are decided per request — and then it adds
 * `Vary: Origin` to every answer. An allow-list of paths says exactly what is public.
 *
 * Register it before the routes it names.
 */
export const publicCorsPlugin = fp(async function publicCors (app: FastifyInstance, { paths }: PublicCorsOptions) {
  const publicPaths = new Set(paths)
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!publicPaths.has(route.url) || !methods.every((method) => method === 'GET' || method === 'HEAD')) return
    const own = route.onRequest
    route.onRequest = [...(Array.isArray(own) ? own : own === undefined ? [] : [own]), allowAnyOrigin]
  })
  for (const path of publicPaths) {
    app.options(path, { schema: { response: { 204: Type.Null() } } }, async (request, reply) =>
      reply.code(204).headers(PREFLIGHT_HEADERS).send())
  }
}, { name: 'public-cors' })
