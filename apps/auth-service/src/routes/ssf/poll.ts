import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import {
  PollRequestSchema, PollResponseSchema, SET_ERROR_CODES, SSF_POLL_PATH_PREFIX, type PollRequest
} from '@repo/contracts/ssf'
import type { PollOutcome } from '../../signals/delivery.js'
import { SSF_ERROR_RESPONSES, ssfError } from './ssf-answers.js'
import { receiverOf } from './ssf-receiver.js'

/**
 * Room for a full poll request (1000 acknowledgements or SET errors, as its schema allows): far
 * above the service's 8 KiB, and read only once the token was accepted (the SSF scope authenticates
 * in `onRequest`, before the body).
 */
const POLL_BODY_LIMIT_BYTES = 1024 * 1024
const KNOWN_SET_ERRORS = new Set<string>(SET_ERROR_CODES)

const outcomeLabel = (outcome: PollOutcome) =>
  outcome.status === 400 ? 'refused' : Object.keys(outcome.body.sets).length > 0 ? 'sets' : 'empty'

/**
 * `POST /ssf/poll/:stream_id` (RFC 8936 §2.4): acknowledge and report SETs, and get the next ones,
 * waiting for them unless `returnImmediately` (signals/delivery.ts). The wait ends when the receiver
 * hangs up: its request is over, and no SET should be signed for nobody.
 */
export async function pollRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  /** Each reported SET error, once the poll applied it (a refused poll applies nothing). */
  function reportSetErrors (log: typeof app.log, streamId: string, request: PollRequest) {
    for (const [jti, { err, description }] of Object.entries(request.setErrs ?? {})) {
      log.warn({ event: 'ssf_set_error', stream_id: streamId, jti, err, description }, 'a receiver refused a SET')
      app.metrics.ssfSetErrors.inc({ err: KNOWN_SET_ERRORS.has(err) ? err : 'other' })
    }
  }

  app.post(`${SSF_POLL_PATH_PREFIX}:stream_id`, {
    bodyLimit: POLL_BODY_LIMIT_BYTES,
    schema: {
      params: Type.Object({ stream_id: Type.String({ minLength: 1, maxLength: 256 }) }),
      body: PollRequestSchema,
      response: { 200: PollResponseSchema, ...SSF_ERROR_RESPONSES }
    }
  }, async (request, reply) => {
    const streamId = request.params.stream_id
    const stream = await app.ssfStreams.get(receiverOf(request).clientId, streamId)
    if (!stream) {
      app.metrics.ssfPolls.inc({ outcome: 'no_stream' })
      return reply.code(404).send(ssfError('notFound', `no stream ${streamId} of this receiver`).body)
    }
    const hangUp = new AbortController()
    // 'close' before the answer was written: the receiver went away (a close after it is the normal end).
    const onClose = () => { if (!reply.raw.writableEnded) hangUp.abort() }
    reply.raw.once('close', onClose)
    let outcome: PollOutcome
    try {
      outcome = await app.ssfDelivery.poll(stream, request.body, hangUp.signal)
    } finally {
      reply.raw.off('close', onClose)
    }
    app.metrics.ssfPolls.inc({ outcome: outcomeLabel(outcome) })
    if (outcome.status === 400) return reply.code(400).send(outcome.body)
    reportSetErrors(request.log, streamId, request.body)
    return outcome.body
  })
}
