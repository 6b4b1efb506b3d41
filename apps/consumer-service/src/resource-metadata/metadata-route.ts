import createError from '@fastify/error'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import Type from 'typebox'
import { PROTECTED_RESOURCE_METADATA_PATH } from '@repo/contracts/discovery'
import { ErrorBodySchema } from '@repo/contracts/errors'
import { requiredScopeOf } from '../auth/require-scope.js'
import type { TrustedIssuer } from '../trusted-issuers.js'
import { ProtectedResourceMetadataSchema, buildMetadataDocument } from './metadata-document.js'
import type { ResourceUrlsOf } from './resource-urls.js'

export interface ResourceMetadataOptions {
  issuers: readonly TrustedIssuer[]
  resourceUrls: ResourceUrlsOf
  /** Whether `PUBLIC_URL` fixes the resource identifier, rather than each request's Host. */
  fixedOrigin: boolean
}

/** Issuers and scopes change only with a deployment; a client that cached the document sees one within this. */
const MAX_AGE_SECONDS = 300
/** Chromium's cap on a cached preflight. */
const PREFLIGHT_MAX_AGE_SECONDS = 7200

const NoOrigin = createError('invalid_request', 'The request\'s Host names no origin to describe', 400)

/** Public data, read by web apps on any origin; no credentials are involved, so `*`. */
const allowAnyOrigin: onRequestHookHandler = (request, reply, done) => {
  reply.header('access-control-allow-origin', '*')
  done()
}

/**
 * `GET /.well-known/oauth-protected-resource` (RFC 9728 §3): which issuers this resource trusts,
 * which scopes its routes require, how tokens must come. Every challenge points here (auth/challenges.ts).
 *
 * The scopes are collected from the routes as they are added (the `requireScope` hooks they carry),
 * so register this before the routes. Readable from any origin, whatever `CORS_ORIGINS` says
 * (@fastify/cors is told to leave it alone), with a preflight answer for clients that send headers.
 * Cached for a few minutes: by anyone when `PUBLIC_URL` fixes the resource identifier; by the client
 * only (`private`) when it comes from the request's Host, so no shared cache can hand one Host's
 * document to a client that asked another.
 */
export const resourceMetadataPlugin = fp(async function resourceMetadata (
  fastify: FastifyInstance, { issuers, resourceUrls, fixedOrigin }: ResourceMetadataOptions
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const scopes = new Set<string>()
  app.addHook('onRoute', (route) => {
    for (const hook of [route.preHandler ?? []].flat()) {
      const scope = requiredScopeOf(hook)
      if (scope !== undefined) scopes.add(scope)
    }
  })

  const cacheControl = `${fixedOrigin ? 'public' : 'private'}, max-age=${MAX_AGE_SECONDS}`
  app.get(PROTECTED_RESOURCE_METADATA_PATH, {
    schema: { response: { 200: ProtectedResourceMetadataSchema, 400: ErrorBodySchema } },
    config: { cors: false },
    onRequest: allowAnyOrigin
  }, async (request, reply) => {
    const urls = resourceUrls(request)
    if (urls === undefined) throw new NoOrigin()
    return reply.header('cache-control', cacheControl).send(buildMetadataDocument(urls.resource, issuers, scopes))
  })

  fastify.options(PROTECTED_RESOURCE_METADATA_PATH, {
    schema: { response: { 204: Type.Null() } },
    config: { cors: false }
  }, async (request, reply) => reply.code(204).headers({
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, HEAD',
    // Any request header: the document is the same whatever a client sends.
    'access-control-allow-headers': '*',
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS)
  }).send())
}, { name: 'resource-metadata' })
