import { errors, jwtVerify, type JWTPayload } from 'jose'
import { Compile } from 'typebox/compile'
import {
  CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED, CredentialChangeEventSchema, SessionRevokedEventSchema, SET_TYP,
  SSF_STREAM_UPDATED, SSF_VERIFICATION, StreamUpdatedEventSchema, SubjectSchema, VerificationEventSchema,
  type SetErrorCode
} from '@repo/contracts/ssf'
import type { IssuerKeys } from '../jwks/issuer-keys.js'
import { subjectKey } from './subject-keys.js'

/** Why a SET is refused for good: what the transmitter is told (`setErrs`) and the outcome counted. */
export type RefusedOutcome = 'malformed' | 'bad_signature' | 'untrusted_issuer' | 'wrong_audience'

/** What a SET said, once its signature and claims were checked; nothing applied yet. */
export type CheckedSet =
  | { kind: 'revocation', jti: string, key: string | undefined, time: number }
  | { kind: 'verification', jti: string, state: string | undefined }
  | { kind: 'stream-updated', jti: string, status: 'enabled' | 'paused' | 'disabled' }
  | { kind: 'refused', outcome: RefusedOutcome, err: SetErrorCode, detail: string }
  /** Its key can't be had now (the issuer's JWKS is unreachable): neither acked nor refused, it comes back. */
  | { kind: 'unavailable', detail: string }

export interface SetVerifierOptions {
  issuer: string
  /** This receiver's client_id at the issuer: every SET's `aud`. */
  clientId: string
  algorithms: readonly string[]
  keys: IssuerKeys
}

/** What the revocation reads of either CAEP event. */
interface CaepEventTimes { event_timestamp?: number, change_type?: string }

const subjectSchema = Compile(SubjectSchema)
const sessionRevoked = Compile(SessionRevokedEventSchema)
const credentialChange = Compile(CredentialChangeEventSchema)
const verification = Compile(VerificationEventSchema)
const streamUpdated = Compile(StreamUpdatedEventSchema)

class KeyUnavailable extends Error {
  override name = 'KeyUnavailable'
  readonly code = 'ERR_SET_KEY_UNAVAILABLE'
}

class KeyRefused extends Error {
  override name = 'KeyRefused'
  readonly code = 'ERR_SET_KEY_REFUSED'
}

const refused = (outcome: RefusedOutcome, err: SetErrorCode, detail: string): CheckedSet =>
  ({ kind: 'refused', outcome, err, detail })
const malformed = (detail: string) => refused('malformed', 'invalid_request', detail)

/** jose's refusals, by their `code` (and the claim it names), as SET outcomes. */
function joseRefusal (error: unknown): CheckedSet {
  if (error instanceof KeyUnavailable) return { kind: 'unavailable', detail: error.message }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return refused('untrusted_issuer', 'invalid_issuer', 'iss is not the issuer polled')
    if (error.claim === 'aud') return refused('wrong_audience', 'invalid_audience', 'aud does not name this receiver')
    return malformed(`claim ${error.claim}: ${error.reason}`)
  }
  const code = error instanceof errors.JOSEError ? error.code : undefined
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JOSE_ALG_NOT_ALLOWED' ||
    error instanceof KeyRefused) {
    return refused('bad_signature', 'invalid_key', error instanceof Error ? error.message : String(error))
  }
  return malformed(error instanceof Error ? `${code ?? error.name}: ${error.message}` : String(error))
}

/**
 * Checks one SET of a poll answer (RFC 8417, SSF 1.0 §4.1, RFC 8936 §2.5): signed by a key of the
 * issuer polled (its own JWKS, its allowed algorithms), `typ` secevent+jwt, `iss` that issuer, `aud`
 * this receiver, the answer's map key its `jti`, no `sub` or `exp`, exactly one event of a type this
 * receiver knows, a subject it can enforce.
 */
export async function verifySet (mapJti: string, set: string, options: SetVerifierOptions): Promise<CheckedSet> {
  const { issuer, clientId, algorithms, keys } = options
  let payload: JWTPayload
  try {
    ({ payload } = await jwtVerify(set, async ({ kid, alg }) => {
      const found = await keys.lookup(kid, alg)
      if ('key' in found) return found.key.key
      if (found.miss === 'unavailable') throw new KeyUnavailable(found.detail)
      throw new KeyRefused(`${found.miss}: ${found.detail}`)
    }, { issuer, audience: clientId, typ: SET_TYP, algorithms: [...algorithms], requiredClaims: ['jti', 'iat'] }))
  } catch (error) {
    return joseRefusal(error)
  }
  return readEvent(mapJti, payload, issuer)
}

function readEvent (mapJti: string, payload: JWTPayload, issuer: string): CheckedSet {
  const { jti, iat } = payload
  if (jti !== mapJti) return malformed('the jti is not the key the poll answer gave it under')
  if ('sub' in payload || 'exp' in payload) return malformed('a SET carries no sub or exp (SSF 1.0 §4.1)')
  const events = payload.events
  const types = typeof events === 'object' && events !== null ? Object.keys(events) : []
  if (types.length !== 1) return malformed('not exactly one event')
  const type = types[0] as string
  const event = (events as Record<string, unknown>)[type]
  const subject = payload.sub_id
  if (!subjectSchema.Check(subject)) return malformed('sub_id is not a subject this receiver reads')
  if (type === SSF_VERIFICATION) {
    if (!verification.Check(event)) return malformed('a verification event with an unknown shape')
    return { kind: 'verification', jti, state: event.state }
  }
  if (type === SSF_STREAM_UPDATED) {
    if (!streamUpdated.Check(event)) return malformed('a stream-updated event with an unknown shape')
    return { kind: 'stream-updated', jti, status: event.status }
  }
  if (type !== CAEP_SESSION_REVOKED && type !== CAEP_CREDENTIAL_CHANGE) return malformed('an event type not asked for')
  if (type === CAEP_SESSION_REVOKED ? !sessionRevoked.Check(event) : !credentialChange.Check(event)) {
    return malformed('the event does not fit its CAEP schema')
  }
  const found = subjectKey(subject, issuer)
  if ('problem' in found) return malformed(found.problem)
  const { event_timestamp: timestamp, change_type: changeType } = event as CaepEventTimes
  // A new credential takes nothing away; every other change ends what the old one allowed.
  const key = type === CAEP_CREDENTIAL_CHANGE && changeType === 'create' ? undefined : found.key
  return { kind: 'revocation', jti, key, time: Math.floor(timestamp ?? iat ?? 0) }
}
