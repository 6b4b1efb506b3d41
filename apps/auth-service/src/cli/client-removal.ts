import { CLIENT_REMOVED, applicationSubject, sessionRevoked } from '../signals/caep-events.js'
import type { SignalLog } from '../signals/signal-log.js'
import { removeClient, type ClientsContext } from './clients-commands.js'

/**
 * `clients remove`: records the client's session-revoked event, then removes it. The event comes
 * first, in its own statement: should the removal fail after it, receivers refuse the tokens of a
 * client that still exists (it gets new ones), never the reverse.
 */
export async function removeClientAndTell (
  context: ClientsContext, signals: SignalLog, clientId: string
): Promise<void> {
  if (await context.store.find(clientId)) {
    await signals.record(sessionRevoked(applicationSubject(clientId), CLIENT_REMOVED, context.now()))
  }
  await removeClient(context, clientId)
  context.print(`consumers with a stream are told session-revoked for every token of ${clientId} ` +
    'and refuse them within seconds')
}
