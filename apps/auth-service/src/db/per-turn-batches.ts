import DataLoader from 'dataloader'

/** At most this many keys a statement; a larger batch is split. */
const MAX_BATCH = 500

/**
 * A DataLoader whose batch is everything asked for while the event loop runs one turn (the requests that
 * arrived together), sent when the turn ends (`setImmediate`), and that caches nothing between batches:
 * each answer is read from the database when asked for. For PostgreSQL, where every statement is a
 * round trip whose socket writes and reads the process pays for; SQLite runs in this thread and gains
 * nothing from a batch.
 */
export function perTurnBatches<K, V> (load: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
  return new DataLoader(load, { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (send) => setImmediate(send) })
}

/** `= ANY (…)` of a JSON array of text parameters: one statement for a batch of keys of any length. */
export const ANY_OF_JSON_TEXT = 'ANY (ARRAY(SELECT json_array_elements_text($1::json)))'
