import { randomBytes } from 'node:crypto'
import { Compile } from 'typebox/compile'
import Type from 'typebox'
import { CAEP_EVENTS, POLL_DELIVERY_METHOD, StreamConfigurationSchema } from '@repo/contracts/ssf'
import {
  TransmitterRefused, TransmitterUnreachable, type Answer, type TransmitterClient, type TransmitterEndpoints
} from './transmitter-client.js'

export interface OpenStream {
  streamId: string
  pollUrl: string
  /** The `state` of the verification asked for: its SET ends the catch-up. */
  state: string
}

const streamConfiguration = Compile(StreamConfigurationSchema)
const streamList = Compile(Type.Array(Type.Object({
  stream_id: Type.String(), description: Type.Optional(Type.String())
})))

/** A 5xx is the transmitter's trouble, to be tried again; any other unexpected status is a refusal. */
function unexpected (what: string, answer: Answer): Error {
  const message = `${what} answered HTTP ${answer.status}`
  return answer.status >= 500 ? new TransmitterUnreachable(message) : new TransmitterRefused(message)
}

/**
 * A fresh poll stream at the issuer (SSF 1.0 §8.1.1): the stream of an earlier run of this receiver
 * (same description) is deleted, a new one created (the transmitter backfills it with every event
 * that can still matter), checked, and a verification asked for.
 */
export async function openStream (
  client: TransmitterClient,
  endpoints: TransmitterEndpoints,
  { issuer, clientId, description }: { issuer: string, clientId: string, description: string }
): Promise<OpenStream> {
  const listed = await client.call('GET', endpoints.streams)
  if (listed.status !== 200) throw unexpected('GET streams', listed)
  // SSF 1.0 §8.1.1.2: a list; an older transmitter may answer one object when the receiver has one stream.
  const body = Array.isArray(listed.body) ? listed.body : [listed.body]
  const streams = streamList.Check(body) ? body : []
  for (const stream of streams.filter((one) => one.description === description)) {
    const url = new URL(endpoints.streams)
    url.searchParams.set('stream_id', stream.stream_id)
    const deleted = await client.call('DELETE', url.href)
    if (deleted.status !== 204 && deleted.status !== 404) throw unexpected('DELETE stream', deleted)
  }
  const created = await client.call('POST', endpoints.streams, {
    events_requested: [...CAEP_EVENTS], delivery: { method: POLL_DELIVERY_METHOD }, description
  })
  if (created.status !== 201 && created.status !== 200) throw unexpected('POST streams', created)
  const config = created.body
  if (!streamConfiguration.Check(config)) throw new TransmitterRefused('the new stream is not a stream configuration')
  const audiences = Array.isArray(config.aud) ? config.aud : [config.aud]
  const problem = config.iss !== issuer
    ? `its iss is ${config.iss.slice(0, 200)}`
    : !audiences.includes(clientId)
        ? 'its aud does not name this receiver'
        : config.delivery.method !== POLL_DELIVERY_METHOD
          ? 'it is not a poll stream'
          : !sameOrigin(config.delivery.endpoint_url, issuer) ? 'its endpoint_url is on another origin' : undefined
  if (problem !== undefined) throw new TransmitterRefused(`the new stream is refused: ${problem}`)
  const state = randomBytes(16).toString('base64url')
  const verify = await client.call('POST', endpoints.verify, { stream_id: config.stream_id, state })
  if (verify.status !== 204 && verify.status !== 200) throw unexpected('POST verify', verify)
  return { streamId: config.stream_id, pollUrl: config.delivery.endpoint_url, state }
}

function sameOrigin (url: string, issuer: string): boolean {
  try {
    return new URL(url).origin === new URL(issuer).origin
  } catch {
    return false
  }
}
