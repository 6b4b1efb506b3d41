import { CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED, type SecurityEventClaims } from '@repo/contracts/ssf'
import type { DatabaseLocation, SqlDatabase } from '@repo/service-kit/sql'
import { Delivery, type DeliveryOptions, type PollOutcome } from '../../src/signals/delivery.js'
import { SignalLog, type SignalEvent } from '../../src/signals/signal-log.js'
import { StreamStore, type StoredStream } from '../../src/signals/stream-store.js'
import { freshLocation, openTestDatabase, type Engine } from '../databases.js'

export const S = 1000
export const T0 = Date.UTC(2030, 0, 1)
export const ISSUER = 'https://auth.example.test'
export const BACKFILL = 900 * S
export const MIN_VERIFICATION = 10 * S

/** A clock the test moves. */
export const testClock = (start = T0) => {
  let at = start
  return { now: () => at, set: (to: number) => { at = to }, advance: (ms: number) => { at += ms } }
}

export const sessionRevoked = (sub = 'u1'): SignalEvent => ({
  type: CAEP_SESSION_REVOKED,
  subject: { format: 'iss_sub', iss: ISSUER, sub },
  payload: { initiating_entity: 'admin', reason_admin: { en: 'all sessions revoked' } }
})

export const credentialChange = (sub = 'u1'): SignalEvent => ({
  type: CAEP_CREDENTIAL_CHANGE,
  subject: { format: 'iss_sub', iss: ISSUER, sub },
  payload: { credential_type: 'password', change_type: 'update' }
})

/** The SETs of a poll answer as their claims: the tests' signer writes the claims as JSON. */
export const claimsOf = (sets: Record<string, string>): SecurityEventClaims[] =>
  Object.values(sets).map((set) => JSON.parse(set) as SecurityEventClaims)

export const eventIdsOf = (sets: Record<string, string>): string[] => Object.keys(sets).map((jti) => jti.split('.')[0]!)

/** A transmitter's engine on a new database of `engine`, with a fake clock and a signer that writes plain JSON. */
export async function openEngine (engine: Engine, delivery: Partial<DeliveryOptions> = {}) {
  const location: DatabaseLocation = await freshLocation(engine)
  const db: SqlDatabase = await openTestDatabase(location)
  const clock = testClock()
  const log = new SignalLog(db, clock.now)
  const streams = new StreamStore(db, log, {
    backfillMs: BACKFILL, maxStreamsPerClient: 20, minVerificationIntervalMs: MIN_VERIFICATION, now: clock.now
  })
  const deliver = new Delivery({
    db,
    log,
    issuer: ISSUER,
    recheckMs: 60 * S,
    longPollTimeoutMs: 60 * S,
    now: clock.now,
    signSet: async (claims) => JSON.stringify(claims),
    ...delivery
  })
  return { location, db, clock, log, streams, delivery: deliver }
}

/** A new stream of `clientId`; fails the test if the cap refused it. */
export async function newStream (streams: StreamStore, clientId = 'receiver-a',
  request: { eventsRequested?: string[], description?: string } = {}): Promise<StoredStream> {
  const stream = await streams.create(clientId, request)
  if (stream === 'too-many') throw new Error('stream cap reached')
  return stream
}

/** A signal that is never aborted. */
export const NEVER: AbortSignal = new AbortController().signal

/** The SETs of a 200 answer; fails the test on a 400. */
export const setsOf = (outcome: PollOutcome): Record<string, string> => {
  if (outcome.status !== 200) throw new Error(`poll refused: ${outcome.body.description}`)
  return outcome.body.sets
}
