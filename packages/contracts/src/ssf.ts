import Type, { type Static } from 'typebox'

/**
 * Shared Signals (OpenID SSF 1.0 with CAEP 1.0 events, poll delivery per RFC 8936): the auth service
 * transmits, the consumer receives. Paths, URIs and the wire shapes both sides compile against.
 */

/** Where a transmitter publishes its configuration (SSF 1.0 §7.2), after the issuer's host. */
export const SSF_CONFIGURATION_PATH = '/.well-known/ssf-configuration'
/** Stream management (SSF 1.0 §8.1.1): create (POST), read (GET), delete (DELETE `?stream_id=`). */
export const SSF_STREAMS_PATH = '/ssf/streams'
/** Stream status (SSF 1.0 §8.1.2): GET `?stream_id=`, POST to change it. */
export const SSF_STATUS_PATH = '/ssf/status'
/** Asks for a verification event on a stream (SSF 1.0 §8.1.4). */
export const SSF_VERIFY_PATH = '/ssf/verify'
/** A stream's poll endpoint is this prefix followed by its `stream_id` (RFC 8936). */
export const SSF_POLL_PATH_PREFIX = '/ssf/poll/'

/** Delivery method URIs (SSF 1.0 §6.1): only poll is served here. */
export const POLL_DELIVERY_METHOD = 'urn:ietf:rfc:8936'
export const PUSH_DELIVERY_METHOD = 'urn:ietf:rfc:8935'

/** The JWS `typ` of a Security Event Token (RFC 8417 §2.3; SSF 1.0 §4.1.1 makes it a MUST). */
export const SET_TYP = 'secevent+jwt'

/** The scopes a receiver's access token needs (CAEP interoperability profile §2.7). */
export const SSF_READ_SCOPE = 'ssf.read'
export const SSF_MANAGE_SCOPE = 'ssf.manage'

/** Event types (CAEP 1.0 §3, SSF 1.0 §8.1.4, §8.1.5). */
export const CAEP_SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked'
export const CAEP_CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change'
export const SSF_VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification'
export const SSF_STREAM_UPDATED = 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated'

/** The CAEP events this transmitter sends: what a stream's `events_supported` lists. */
export const CAEP_EVENTS = [CAEP_SESSION_REVOKED, CAEP_CREDENTIAL_CHANGE] as const

/** RFC 8935/8936 error codes a receiver may send back as `setErrs`, and a transmitter as `err`. */
export const SET_ERROR_CODES = [
  'invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'authentication_failed',
  'access_denied', 'invalid_state'
] as const
export type SetErrorCode = typeof SET_ERROR_CODES[number]

const Id = Type.String({ minLength: 1, maxLength: 256 })
const Url = Type.String({ minLength: 1, maxLength: 2000 })

/** RFC 9493 subject identifiers this profile uses. */
export const IssSubSubjectSchema = Type.Object({
  format: Type.Literal('iss_sub'),
  iss: Url,
  sub: Id
})
export const OpaqueSubjectSchema = Type.Object({
  format: Type.Literal('opaque'),
  id: Id
})
export const SimpleSubjectSchema = Type.Union([IssSubSubjectSchema, OpaqueSubjectSchema])
export type SimpleSubject = Static<typeof SimpleSubjectSchema>

/**
 * A complex subject (SSF 1.0 §3.2): one principal described by several members, all of which must
 * match. Here: a user (`iss_sub`), a session (`opaque` sid) and an application (`opaque` client_id).
 */
export const ComplexSubjectSchema = Type.Object({
  format: Type.Literal('complex'),
  user: Type.Optional(IssSubSubjectSchema),
  session: Type.Optional(OpaqueSubjectSchema),
  application: Type.Optional(OpaqueSubjectSchema)
}, { additionalProperties: false })
export type ComplexSubject = Static<typeof ComplexSubjectSchema>

export const SubjectSchema = Type.Union([IssSubSubjectSchema, OpaqueSubjectSchema, ComplexSubjectSchema])
export type Subject = Static<typeof SubjectSchema>

/** What every CAEP event may carry (CAEP 1.0 §2). */
const CAEP_COMMON = {
  event_timestamp: Type.Optional(Type.Integer({ minimum: 0 })),
  initiating_entity: Type.Optional(Type.Union([
    Type.Literal('admin'), Type.Literal('user'), Type.Literal('policy'), Type.Literal('system')
  ])),
  reason_admin: Type.Optional(Type.Record(Type.String({ maxLength: 35 }), Type.String({ maxLength: 1000 }))),
  reason_user: Type.Optional(Type.Record(Type.String({ maxLength: 35 }), Type.String({ maxLength: 1000 })))
}

/** CAEP 1.0 §3.1: the sessions the subject names are over. */
export const SessionRevokedEventSchema = Type.Object({ ...CAEP_COMMON })
export type SessionRevokedEvent = Static<typeof SessionRevokedEventSchema>

/** CAEP 1.0 §3.3: a credential of the subject was created, revoked, updated or deleted. */
export const CredentialChangeEventSchema = Type.Object({
  ...CAEP_COMMON,
  credential_type: Type.String({ minLength: 1, maxLength: 64 }),
  change_type: Type.Union([
    Type.Literal('create'), Type.Literal('revoke'), Type.Literal('update'), Type.Literal('delete')
  ]),
  friendly_name: Type.Optional(Type.String({ maxLength: 200 }))
})
export type CredentialChangeEvent = Static<typeof CredentialChangeEventSchema>

/** SSF 1.0 §8.1.4.1: the answer to a verification request, echoing the receiver's `state`. */
export const VerificationEventSchema = Type.Object({ state: Type.Optional(Type.String({ maxLength: 256 })) })

/** SSF 1.0 §8.1.5: the transmitter changed the stream's status. */
export const StreamUpdatedEventSchema = Type.Object({
  status: Type.Union([Type.Literal('enabled'), Type.Literal('paused'), Type.Literal('disabled')]),
  reason: Type.Optional(Type.String({ maxLength: 1000 }))
})

/**
 * The claims of a Security Event Token as this transmitter signs them (RFC 8417 §2.2, SSF 1.0 §4.1):
 * one event per SET, the subject in `sub_id`, never `sub` or `exp`. `jti` is `<event id>.<stream id>`.
 */
export const SecurityEventClaimsSchema = Type.Object({
  iss: Url,
  jti: Id,
  iat: Type.Integer({ minimum: 0 }),
  aud: Type.Union([Id, Type.Array(Id, { minItems: 1, maxItems: 10 })]),
  txn: Type.Optional(Id),
  sub_id: SubjectSchema,
  events: Type.Record(Url, Type.Object({}), { minProperties: 1, maxProperties: 1 })
})
export type SecurityEventClaims = Static<typeof SecurityEventClaimsSchema>

/** Transmitter configuration metadata (SSF 1.0 §7.1), as the auth service publishes it. */
export const TransmitterMetadataSchema = Type.Object({
  spec_version: Type.Optional(Type.String({ maxLength: 20 })),
  issuer: Url,
  jwks_uri: Type.Optional(Url),
  delivery_methods_supported: Type.Optional(Type.Array(Url, { maxItems: 10 })),
  configuration_endpoint: Type.Optional(Url),
  status_endpoint: Type.Optional(Url),
  verification_endpoint: Type.Optional(Url),
  authorization_schemes: Type.Optional(Type.Array(Type.Object({ spec_urn: Url }), { maxItems: 10 })),
  default_subjects: Type.Optional(Type.Union([Type.Literal('ALL'), Type.Literal('NONE')]))
})
export type TransmitterMetadata = Static<typeof TransmitterMetadataSchema>

/** What a receiver may send to create or update a stream (SSF 1.0 §8.1.1.1). */
export const StreamRequestSchema = Type.Object({
  stream_id: Type.Optional(Id),
  events_requested: Type.Optional(Type.Array(Url, { maxItems: 20 })),
  delivery: Type.Optional(Type.Object({
    method: Url,
    endpoint_url: Type.Optional(Url)
  })),
  description: Type.Optional(Type.String({ maxLength: 200 }))
})
export type StreamRequest = Static<typeof StreamRequestSchema>

/** A stream's configuration as the transmitter answers it (SSF 1.0 §8.1.1). */
export const StreamConfigurationSchema = Type.Object({
  stream_id: Id,
  iss: Url,
  aud: Type.Union([Id, Type.Array(Id)]),
  delivery: Type.Object({ method: Url, endpoint_url: Url }),
  events_supported: Type.Array(Url),
  events_requested: Type.Array(Url),
  events_delivered: Type.Array(Url),
  description: Type.Optional(Type.String({ maxLength: 200 })),
  min_verification_interval: Type.Optional(Type.Integer({ minimum: 0 })),
  inactivity_timeout: Type.Optional(Type.Integer({ minimum: 0 }))
})
export type StreamConfiguration = Static<typeof StreamConfigurationSchema>

export const STREAM_STATUSES = ['enabled', 'paused', 'disabled'] as const
export type StreamStatusValue = typeof STREAM_STATUSES[number]

/** A stream's status (SSF 1.0 §8.1.2), read and written. */
export const StreamStatusSchema = Type.Object({
  stream_id: Id,
  status: Type.Union([Type.Literal('enabled'), Type.Literal('paused'), Type.Literal('disabled')]),
  reason: Type.Optional(Type.String({ maxLength: 1000 }))
})
export type StreamStatus = Static<typeof StreamStatusSchema>

/** A verification request (SSF 1.0 §8.1.4.2). */
export const VerificationRequestSchema = Type.Object({
  stream_id: Id,
  state: Type.Optional(Type.String({ maxLength: 256 }))
})
export type VerificationRequest = Static<typeof VerificationRequestSchema>

/** A poll request (RFC 8936 §2.4): acknowledge, report errors, ask for more (0 = acknowledge only). */
export const PollRequestSchema = Type.Object({
  maxEvents: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  returnImmediately: Type.Optional(Type.Boolean()),
  ack: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  setErrs: Type.Optional(Type.Record(Id, Type.Object({
    err: Type.String({ maxLength: 64 }),
    description: Type.String({ maxLength: 512 })
  }), { maxProperties: 1000 }))
})
export type PollRequest = Static<typeof PollRequestSchema>

/** A poll answer (RFC 8936 §2.5): SETs by `jti`, and whether more are waiting. */
export const PollResponseSchema = Type.Object({
  sets: Type.Record(Id, Type.String({ maxLength: 16384 })),
  moreAvailable: Type.Optional(Type.Boolean())
})
export type PollResponse = Static<typeof PollResponseSchema>

/** An error answer of the poll endpoint (RFC 8936 §2.6). */
export const PollErrorSchema = Type.Object({
  err: Type.String({ maxLength: 64 }),
  description: Type.String({ maxLength: 1000 })
})
export type PollError = Static<typeof PollErrorSchema>
