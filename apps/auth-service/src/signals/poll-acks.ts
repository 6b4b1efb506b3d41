import type { PollRequest } from '@repo/contracts/ssf'
import type { SqlDatabase } from '@repo/service-kit/sql'

/** Bounds the parameters of one statement, well under either engine's limit. */
const CHUNK = 200
/** What is kept of a receiver's `<err>: <description>` (the schema already bounds both parts). */
const MAX_ERR_LENGTH = 600

const chunks = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK))

const placeholders = (count: number, from: number): string =>
  Array.from({ length: count }, (_, i) => `$${i + from}`).join(', ')

/** The event id a jti names on this stream (`<event id>.<stream id>`), or undefined. */
const eventIdOf = (jti: string, streamId: string): string | undefined => {
  const dot = jti.indexOf('.')
  return dot > 0 && jti.slice(dot + 1) === streamId ? jti.slice(0, dot) : undefined
}

/** Every jti a poll acknowledges or reports an error for. */
export const jtisOf = (request: PollRequest): string[] =>
  [...new Set([...request.ack ?? [], ...Object.keys(request.setErrs ?? {})])]

/**
 * The jtis (in request order) that are not `<id>.<streamId>` of an event this stream can be given:
 * a CAEP event, or one recorded for this stream. An acknowledged event still counts (a re-ack after a
 * lost answer is fine); one the retention sweep deleted does not.
 */
export async function unknownJtis (db: SqlDatabase, streamId: string, jtis: readonly string[]): Promise<string[]> {
  const ids = [...new Set(jtis.map((jti) => eventIdOf(jti, streamId)).filter((id) => id !== undefined))]
  const known = new Set<string>()
  for (const part of chunks(ids)) {
    const rows = await db.all<{ id: string }>(
      `SELECT id FROM ssf_events
       WHERE (stream_id IS NULL OR stream_id = $1) AND id IN (${placeholders(part.length, 2)})`,
      [streamId, ...part])
    for (const row of rows) known.add(row.id)
  }
  return jtis.filter((jti) => !known.has(eventIdOf(jti, streamId) ?? ''))
}

/**
 * Records the poll's acknowledgements and errors, all in one transaction; an error is an
 * acknowledgement with its `err` (written first, so a jti both acked and reported keeps its error).
 * Idempotent: an event already acknowledged keeps its first row.
 */
export async function applyAcks (db: SqlDatabase, streamId: string, request: PollRequest, now: number):
Promise<void> {
  const errors = Object.entries(request.setErrs ?? {}).map(([jti, { err, description }]) =>
    ({ jti, err: `${err}: ${description}`.slice(0, MAX_ERR_LENGTH) }))
  const rows = [...errors, ...(request.ack ?? []).map((jti) => ({ jti, err: null }))]
  if (rows.length === 0) return
  await db.transaction(`ssf-acks:${streamId}`, async (tx) => {
    for (const part of chunks(rows)) {
      const values = part.map((_, i) => `($1, $${2 * i + 3}, $2, $${2 * i + 4})`).join(', ')
      await tx.run(`INSERT INTO ssf_acks (stream_id, event_id, acked_at, err) VALUES ${values} ON CONFLICT DO NOTHING`,
        [streamId, now, ...part.flatMap(({ jti, err }) => [eventIdOf(jti, streamId)!, err])])
    }
  })
}
