import {
  SSF_CONFIGURATION_PATH, SSF_POLL_PATH_PREFIX, SSF_STATUS_PATH, SSF_STREAMS_PATH, SSF_VERIFY_PATH
} from '@repo/contracts/ssf'
import type { OperationDoc } from '@repo/service-kit/health-docs'

const TAG = 'Shared Signals'

export const SSF_TAG = {
  name: TAG,
  description: 'The Shared Signals transmitter (OpenID SSF 1.0, CAEP 1.0, RFC 8936 poll delivery): receivers ' +
    'registered with `clients add <id> --ssf-receiver` create streams and poll them for session-revoked and ' +
    'credential-change events, as signed SETs. Every endpoint but the metadata takes `Authorization: Bearer` ' +
    'with a token the receiver got by client credentials (`ssf.read` for a GET, `ssf.manage` otherwise); ' +
    'refusals are RFC 6750 answers, other errors `{"err","description"}`.'
}

const operation = (summary: string, description: string): OperationDoc => ({ tags: [TAG], summary, description })

/** What the /docs page says about the SSF endpoints (routes/ssf). */
export const SSF_OPERATIONS: Record<string, OperationDoc> = {
  [`GET ${SSF_CONFIGURATION_PATH}`]: operation('Shared Signals transmitter metadata',
    'SSF 1.0 §7: the issuer, its JWKS, poll delivery, and the stream, status and verification endpoints. Public.'),
  [`POST ${SSF_STREAMS_PATH}`]: operation('Create a stream',
    '201 with the stream\'s configuration, its poll `endpoint_url` included. Poll delivery only (push: 400); at ' +
    'most 20 streams per receiver (409). A new stream is first given the events of the last SSF_BACKFILL.'),
  [`GET ${SSF_STREAMS_PATH}`]: operation('Read a stream, or every stream of the receiver',
    'With `stream_id`: its configuration (another receiver\'s: 404); without: an array.'),
  [`PATCH ${SSF_STREAMS_PATH}`]: operation('Update a stream',
    '`events_requested` and `description`; a transmitter-supplied member may be sent only unchanged (else 400).'),
  [`PUT ${SSF_STREAMS_PATH}`]: operation('Replace a stream\'s configuration',
    'As PATCH, except that no `events_requested` means every event.'),
  [`DELETE ${SSF_STREAMS_PATH}`]: operation('Delete a stream', '204; its undelivered events go with it.'),
  [`GET ${SSF_STATUS_PATH}`]: operation('Read a stream\'s status', '`enabled`, `paused` or `disabled`, with a reason.'),
  [`POST ${SSF_STATUS_PATH}`]: operation('Set a stream\'s status',
    'Paused: events wait; disabled: none kept, and on re-enabling the stream starts from the backfill window.'),
  [`POST ${SSF_VERIFY_PATH}`]: operation('Ask for a verification event',
    '204: a verification SET with the `state` given comes on the stream; at most one per 10 s (429).'),
  [`POST ${SSF_POLL_PATH_PREFIX}:stream_id`]: operation('Poll a stream (RFC 8936)',
    'Acknowledges (`ack`) and reports (`setErrs`) SETs, then answers up to `maxEvents` (at most 100) pending ' +
    'SETs by jti, with `moreAvailable`. Without `returnImmediately` it waits up to SSF_LONG_POLL_TIMEOUT for an ' +
    'event. A jti unknown on the stream: 400 `invalid_request` naming it, and nothing of the poll applied.')
}
