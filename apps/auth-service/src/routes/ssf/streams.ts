import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import {
  PollErrorSchema, SSF_STREAMS_PATH, StreamConfigurationSchema, StreamRequestSchema, type StreamRequest
} from '@repo/contracts/ssf'
import { SSF_ERROR_RESPONSES, ssfError } from './ssf-answers.js'
import { receiverOf } from './ssf-receiver.js'
import { streamConfiguration, streamRequestProblem, type StreamSettings } from './stream-configuration.js'

const StreamId = Type.String({ minLength: 1, maxLength: 256 })
const StreamIdQuerySchema = Type.Object({ stream_id: StreamId })
const OptionalStreamIdQuerySchema = Type.Object({ stream_id: Type.Optional(StreamId) })
/** An update names its stream. */
const StreamUpdateSchema = Type.Object({ ...StreamRequestSchema.properties, stream_id: StreamId })
const ListOrOneSchema = Type.Union([StreamConfigurationSchema, Type.Array(StreamConfigurationSchema)])
const notFound = (streamId: string) => ssfError('notFound', `no stream ${streamId} of this receiver`)

const changeOf = (body: StreamRequest) => ({
  ...body.description === undefined ? {} : { description: body.description },
  ...body.events_requested === undefined ? {} : { eventsRequested: body.events_requested }
})

/**
 * SSF 1.0 §8.1.1 stream management, each receiver on its own streams only: another receiver's
 * `stream_id` is not found (404), never forbidden, so ids reveal nothing. Create answers 201 with the
 * configuration; a receiver with MAX_STREAMS_PER_CLIENT streams gets 409 (§8.1.1.1: the transmitter
 * supports no further stream for it), a push delivery or a transmitter-supplied member 400.
 */
export async function streamsRoutes (fastify: FastifyInstance, settings: StreamSettings) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const configuration = (stream: Parameters<typeof streamConfiguration>[0]) => streamConfiguration(stream, settings)

  app.post(SSF_STREAMS_PATH, {
    schema: {
      body: StreamRequestSchema,
      response: { 201: StreamConfigurationSchema, 409: PollErrorSchema, ...SSF_ERROR_RESPONSES }
    }
  }, async (request, reply) => {
    const { clientId } = receiverOf(request)
    const problem = streamRequestProblem(request.body, undefined)
    if (problem) return reply.code(400).send(ssfError('invalidRequest', problem).body)
    const stream = await app.ssfStreams.create(clientId, changeOf(request.body))
    if (stream === 'too-many') {
      const { status, body } = ssfError('tooManyStreams', 'this receiver has as many streams as it may have: ' +
        'delete one first')
      return reply.code(status as 409).send(body)
    }
    request.log.info({ event: 'ssf_stream_created', client_id: clientId, stream_id: stream.streamId },
      'Shared Signals stream created')
    return reply.code(201).send(configuration(stream))
  })

  app.get(SSF_STREAMS_PATH, {
    schema: {
      querystring: OptionalStreamIdQuerySchema,
      response: { 200: ListOrOneSchema, ...SSF_ERROR_RESPONSES }
    }
  }, async (request, reply) => {
    const { clientId } = receiverOf(request)
    const streamId = request.query.stream_id
    if (streamId === undefined) return (await app.ssfStreams.list(clientId)).map(configuration)
    const stream = await app.ssfStreams.get(clientId, streamId)
    if (!stream) return reply.code(404).send(notFound(streamId).body)
    return configuration(stream)
  })

  // PATCH changes the members sent (§8.1.1.3); PUT replaces them (§8.1.1.4): what it leaves out of
  // `events_requested` means every event. A description, once set, is only ever replaced.
  for (const method of ['PATCH', 'PUT'] as const) {
    app.route({
      method,
      url: SSF_STREAMS_PATH,
      schema: {
        body: StreamUpdateSchema,
        response: { 200: StreamConfigurationSchema, ...SSF_ERROR_RESPONSES }
      },
      handler: async (request, reply) => {
        const { clientId } = receiverOf(request)
        const streamId = request.body.stream_id
        const current = await app.ssfStreams.get(clientId, streamId)
        if (!current) return reply.code(404).send(notFound(streamId).body)
        const problem = streamRequestProblem(request.body, configuration(current))
        if (problem) return reply.code(400).send(ssfError('invalidRequest', problem).body)
        const change = method === 'PUT' ? { eventsRequested: [], ...changeOf(request.body) } : changeOf(request.body)
        const updated = await app.ssfStreams.update(clientId, streamId, change)
        if (!updated) return reply.code(404).send(notFound(streamId).body)
        return configuration(updated)
      }
    })
  }

  app.delete(SSF_STREAMS_PATH, {
    schema: { querystring: StreamIdQuerySchema, response: { 204: Type.Null(), ...SSF_ERROR_RESPONSES } }
  }, async (request, reply) => {
    const { clientId } = receiverOf(request)
    const streamId = request.query.stream_id
    if (!await app.ssfStreams.remove(clientId, streamId)) return reply.code(404).send(notFound(streamId).body)
    request.log.info({ event: 'ssf_stream_deleted', client_id: clientId, stream_id: streamId },
      'Shared Signals stream deleted')
    return reply.code(204).send(null)
  })
}
