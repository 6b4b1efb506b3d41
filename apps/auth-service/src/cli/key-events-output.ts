import type { RecordedKeyEvent } from '../keys/key-events.js'
import { formatTable, formatTime } from './format-table.js'

/**
 * What `keys events` prints: a table, oldest first, or with `json` one JSON array of
 * `{ event, kid, alg, time, by }` (time in milliseconds since the epoch) for scripts and tests.
 */
export function formatKeyEvents (events: readonly RecordedKeyEvent[], json: boolean): string[] {
  if (json) {
    return [JSON.stringify(events.map(({ event, kid, alg, time, by }) => ({ event, kid, alg, time, by })), null, 2)]
  }
  const rows = events.map(({ event, kid, alg, time, by }) => [formatTime(time), event, kid, alg, by])
  return formatTable(['time', 'event', 'kid', 'alg', 'by'], rows)
}
