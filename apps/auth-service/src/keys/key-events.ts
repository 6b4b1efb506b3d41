import { hostname } from 'node:os'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { SqlQueryable } from '@repo/service-kit/sql'

export type KeyEventName = 'key_created' | 'key_activated' | 'key_retiring' | 'key_retired' | 'key_revoked'

/** One lifecycle transition this process performed; logged as a structured event. */
export interface KeyEvent {
  event: KeyEventName
  kid: string
  alg: SigningAlgorithm
}

/** A transition as the `key_events` table keeps it: when (milliseconds since the epoch) and by which process. */
export interface RecordedKeyEvent extends KeyEvent {
  time: number
  by: string
}

/**
 * Names this process in the key history: `<hostname>/<pid>`, which a supervisor (or a test that
 * started the process) can tell apart from its other replicas.
 */
export const processInstanceId = (): string => `${hostname()}/${process.pid}`

/** How the keys CLI names itself in the key history: not a replica, an operator's command. */
export const cliInstanceId = (): string => `keys-cli:${processInstanceId()}`

/**
 * Records `event` for `kid`, taking the algorithm from its row: call it on the transaction that
 * made the change, so the history holds a transition if and only if it committed.
 */
export async function recordKeyEvent (tx: SqlQueryable, event: KeyEventName, kid: string, now: number, by: string):
Promise<void> {
  await tx.run(`INSERT INTO key_events (event, kid, alg, occurred_at, performed_by)
    SELECT $1, kid, alg, $2, $3 FROM signing_keys WHERE kid = $4`, [event, now, by, kid])
}

interface KeyEventRow {
  event: KeyEventName
  kid: string
  alg: SigningAlgorithm
  occurred_at: number
  performed_by: string
}

/** Every recorded transition, in the order they committed (the signing-keys lock serialises them). */
export async function listKeyEvents (sql: SqlQueryable): Promise<RecordedKeyEvent[]> {
  const rows = await sql.all<KeyEventRow>(
    'SELECT event, kid, alg, occurred_at, performed_by FROM key_events ORDER BY id')
  return rows.map(({ event, kid, alg, occurred_at: time, performed_by: by }) => ({ event, kid, alg, time, by }))
}
