import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: @fastify/cors leaves the route alone, which answers CORS its own way (the public metadata). */
    cors?: false
  }
}

export interface CorsOptions {
  /** Exact origins (`CORS_ORIGINS`) whose scripts may call the API; empty: no CORS at all. */
  origins: readonly string[]
}

/** Chromium's cap on a cached preflight; the allow-list changes only with a restart anyway. */
const PREFLIGHT_MAX_AGE_SECONDS = 7200

/**
 * CORS for the single-page apps named in `CORS_ORIGINS`, through @fastify/cors. Requests carry their
 * token in `Authorization`, never in a cookie, so there are no credentials to allow; the API is never
 * open to every origin. An allowed origin is echoed back (with `Vary: Origin` on every answer, so a
 * cache never hands one origin's answer to another); any other origin, `null` included, gets no CORS
 * header at all, and its preflight the 404 of an unknown route (what every preflight got before).
 *
 * @fastify/cors routes `OPTIONS *` and answers an allowed preflight in its `onRequest` hook, before
 * the API's authentication hook: a browser sends a preflight without the `Authorization` header.
 * The consumer has no per-IP rate limit a preflight could count against or be refused by.
 */
export const corsPlugin = fp(async function cors (app: FastifyInstance, { origins }: CorsOptions) {
  if (origins.length === 0) return
  const allowed = new Set(origins)
  await app.register(fastifyCors, {
    // `false` leaves the answer without CORS headers; `true` echoes the request's Origin.
    origin: (origin, callback) => { callback(null, origin !== undefined && allowed.has(origin)) },
    methods: ['GET', 'POST'],
    // `dpop`: a DPoP proof (RFC 9449). No `DPoP-Nonce` to expose: this service sends no nonces.
    allowedHeaders: ['authorization', 'content-type', 'dpop'],
    // A script reads the challenge of a 401/403 and how long to wait after a 503.
    exposedHeaders: ['WWW-Authenticate', 'Retry-After'],
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    // An allowed origin's OPTIONS without Access-Control-Request-Method gets the same 204, not a text/plain 400.
    strictPreflight: false
  })
}, { name: 'cors' })
