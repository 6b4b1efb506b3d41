import { isDeepStrictEqual } from 'node:util'
import {
  CAEP_EVENTS, POLL_DELIVERY_METHOD, SSF_POLL_PATH_PREFIX, type StreamConfiguration
} from '@repo/contracts/ssf'
import type { StoredStream } from '../../signals/stream-store.js'

export interface StreamSettings {
  issuer: string
  /** SSF 1.0 §8.1.1 `min_verification_interval`, in seconds. */
  minVerificationIntervalSeconds: number
  /** `inactivity_timeout`: SSF_STREAM_INACTIVITY, in seconds. */
  inactivityTimeoutSeconds: number
}

/** The poll endpoint of a stream (RFC 8936): the transmitter supplies it, one per stream. */
export const pollEndpoint = (issuer: string, streamId: string) => `${issuer}${SSF_POLL_PATH_PREFIX}${streamId}`

/** A stream's configuration as SSF 1.0 §8.1.1 answers it; its `aud` is the receiver, as in every SET. */
export function streamConfiguration (stream: StoredStream, settings: StreamSettings): StreamConfiguration {
  return {
    stream_id: stream.streamId,
    iss: settings.issuer,
    aud: stream.clientId,
    delivery: { method: POLL_DELIVERY_METHOD, endpoint_url: pollEndpoint(settings.issuer, stream.streamId) },
    events_supported: [...CAEP_EVENTS],
    events_requested: stream.eventsRequested,
    events_delivered: stream.eventsDelivered,
    ...stream.description === undefined ? {} : { description: stream.description },
    min_verification_interval: settings.minVerificationIntervalSeconds,
    inactivity_timeout: settings.inactivityTimeoutSeconds
  }
}

/** The members of a configuration only the transmitter sets (SSF 1.0 §8.1.1). */
const TRANSMITTER_SUPPLIED = [
  'iss', 'aud', 'events_supported', 'events_delivered', 'min_verification_interval', 'inactivity_timeout'
] as const

/**
 * Why a create (`current` undefined) or update request cannot be taken as it is, or undefined. Only
 * poll delivery is served (a push request is refused: SSF 1.0 §8.1.1.1 answers what it cannot do with
 * 400); a transmitter-supplied member may be sent back unchanged on an update (§8.1.1.3), never set.
 */
export function streamRequestProblem (
  body: Record<string, unknown>, current: StreamConfiguration | undefined
): string | undefined {
  const delivery = body.delivery as { method: string, endpoint_url?: string } | undefined
  if (delivery !== undefined && delivery.method !== POLL_DELIVERY_METHOD) {
    return `delivery method ${delivery.method} is not supported: only poll (${POLL_DELIVERY_METHOD})`
  }
  if (delivery?.endpoint_url !== undefined && delivery.endpoint_url !== current?.delivery.endpoint_url) {
    return 'delivery.endpoint_url is supplied by the transmitter for poll delivery'
  }
  if (current === undefined && body.stream_id !== undefined) return 'stream_id is supplied by the transmitter'
  for (const name of TRANSMITTER_SUPPLIED) {
    if (Object.hasOwn(body, name) && (current === undefined || !isDeepStrictEqual(body[name], current[name]))) {
      return `${name} is supplied by the transmitter`
    }
  }
  return undefined
}
