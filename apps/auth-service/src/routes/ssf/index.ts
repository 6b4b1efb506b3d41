import type { FastifyError, FastifyInstance } from 'fastify'
import { ssfBearer } from '../../signals/ssf-bearer.js'
import { MIN_VERIFICATION_INTERVAL_MS } from '../../plugins/ssf-transmitter.js'
import { pollRoutes } from './poll.js'
import { ssfError } from './ssf-answers.js'
import { statusRoutes } from './status.js'
import { streamsRoutes } from './streams.js'
import { verifyRoutes } from './verify.js'

export interface SsfRoutesOptions {
  issuer: string
  clockToleranceSeconds: number
  /** SSF_STREAM_INACTIVITY in seconds: every stream's `inactivity_timeout`. */
  inactivityTimeoutSeconds: number
  /** Milliseconds since the epoch. */
  now: () => number
}

/** The body-parsing errors Fastify raises itself (FST_ERR_CTP_*): a malformed request, said our way. */
const isMalformedBody = (error: FastifyError) =>
  error.statusCode === 400 && typeof error.code === 'string' && error.code.startsWith('FST_ERR_CTP_')

/**
 * The Shared Signals endpoints a receiver calls (SSF 1.0 §8, RFC 8936), all behind one authentication
 * hook: nothing in this scope answers a request without a receiver's token (signals/ssf-bearer.ts),
 * and it runs in `onRequest`, before a body is read. Every answer is `no-store`. The public metadata
 * is not here (configuration.ts).
 */
export async function ssfRoutes (fastify: FastifyInstance, options: SsfRoutesOptions) {
  const { issuer, clockToleranceSeconds, inactivityTimeoutSeconds, now } = options
  const authenticate = ssfBearer({
    issuer, keyRing: fastify.keyRing, clockToleranceSeconds, now, findClient: (id) => fastify.clients.find(id)
  })

  fastify.decorateRequest('ssfReceiver', null)
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store')
    request.ssfReceiver = await authenticate(request)
  })
  // The precise reason a token was refused, for the log only (the error handler logs the code).
  fastify.addHook('onError', async (request, reply, error: Error & { reason?: string }) => {
    if (error.reason !== undefined) request.log.info({ reason: error.reason }, 'SSF request refused')
  })
  // A request that does not fit its schema is answered as RFC 8936 answers (`err`); every other
  // error goes on to the service's error handler.
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (!error.validation && !isMalformedBody(error)) throw error
    const description = error.validation ? error.message : 'the request body is not valid JSON'
    const { status, body } = ssfError('invalidRequest', description)
    return reply.code(status).send(body)
  })

  const minVerificationIntervalSeconds = MIN_VERIFICATION_INTERVAL_MS / 1000
  await fastify.register(streamsRoutes, { issuer, minVerificationIntervalSeconds, inactivityTimeoutSeconds })
  await fastify.register(statusRoutes)
  await fastify.register(verifyRoutes, { minVerificationIntervalSeconds })
  await fastify.register(pollRoutes)
}
