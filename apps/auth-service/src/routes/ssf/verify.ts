import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { PollErrorSchema, SSF_VERIFY_PATH, VerificationRequestSchema } from '@repo/contracts/ssf'
import { SSF_ERROR_RESPONSES, ssfError } from './ssf-answers.js'
import { receiverOf } from './ssf-receiver.js'

export interface VerifyRoutesOptions {
  /** A stream's verification requests at most this often: its `min_verification_interval`. */
  minVerificationIntervalSeconds: number
}

/**
 * SSF 1.0 §8.1.4.2: queues a verification SET (echoing `state`) on the stream: 204. Sooner than
 * `min_verification_interval` after the stream's last one: 429, with `Retry-After` that interval.
 */
export async function verifyRoutes (fastify: FastifyInstance, { minVerificationIntervalSeconds }: VerifyRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(SSF_VERIFY_PATH, {
    schema: {
      body: VerificationRequestSchema,
      response: { 204: Type.Null(), 429: PollErrorSchema, ...SSF_ERROR_RESPONSES }
    }
  }, async (request, reply) => {
    const { stream_id: streamId, state } = request.body
    const outcome = await app.ssfStreams.requestVerification(receiverOf(request).clientId, streamId, state)
    if (outcome === 'unknown') {
      return reply.code(404).send(ssfError('notFound', `no stream ${streamId} of this receiver`).body)
    }
    if (outcome === 'too-soon') {
      const description = `at most one verification per ${minVerificationIntervalSeconds} s per stream`
      return reply.code(429).header('retry-after', String(minVerificationIntervalSeconds))
        .send(ssfError('tooSoon', description).body)
    }
    return reply.code(204).send(null)
  })
}
