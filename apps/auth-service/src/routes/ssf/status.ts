import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { SSF_STATUS_PATH, StreamStatusSchema, type StreamStatus } from '@repo/contracts/ssf'
import type { StoredStream } from '../../signals/stream-store.js'
import { SSF_ERROR_RESPONSES, ssfError } from './ssf-answers.js'
import { receiverOf } from './ssf-receiver.js'

const StreamIdQuerySchema = Type.Object({ stream_id: Type.String({ minLength: 1, maxLength: 256 }) })
const notFound = (streamId: string) => ssfError('notFound', `no stream ${streamId} of this receiver`).body

const statusOf = (stream: StoredStream): StreamStatus => ({
  stream_id: stream.streamId,
  status: stream.status,
  ...stream.statusReason === undefined ? {} : { reason: stream.statusReason }
})

/**
 * SSF 1.0 §8.1.2: a stream's status, read (GET, `ssf.read`) and set (POST, `ssf.manage`). A paused
 * stream keeps its events for when it is enabled again; a disabled one starts again from the backfill
 * window (signals/stream-store.ts). A change is announced to the stream as a stream-updated SET.
 */
export async function statusRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(SSF_STATUS_PATH, {
    schema: { querystring: StreamIdQuerySchema, response: { 200: StreamStatusSchema, ...SSF_ERROR_RESPONSES } }
  }, async (request, reply) => {
    const stream = await app.ssfStreams.get(receiverOf(request).clientId, request.query.stream_id)
    if (!stream) return reply.code(404).send(notFound(request.query.stream_id))
    return statusOf(stream)
  })

  app.post(SSF_STATUS_PATH, {
    schema: { body: StreamStatusSchema, response: { 200: StreamStatusSchema, ...SSF_ERROR_RESPONSES } }
  }, async (request, reply) => {
    const { clientId } = receiverOf(request)
    const { stream_id: streamId, status, reason } = request.body
    const stream = await app.ssfStreams.setStatus(clientId, streamId, status, reason)
    if (!stream) return reply.code(404).send(notFound(streamId))
    request.log.info({ event: 'ssf_stream_status', client_id: clientId, stream_id: streamId, status },
      'Shared Signals stream status set')
    return statusOf(stream)
  })
}
