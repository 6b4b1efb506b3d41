import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { PendingAuthorization } from '../../authorization/pending-authorizations.js'
import type { BrowserSession } from '../../sessions/session-store.js'
import { InteractionExpiredError, InteractionMismatchError } from './page-errors.js'

/**
 * The pending request `id` names, if this browser started it: its interaction cookie must hold the
 * same id (a link to someone else's login page logs nobody in for them). A pushed request is not an
 * interaction: its id is the client's `request_uri`.
 */
export async function pendingInteraction (
  app: FastifyInstance, request: FastifyRequest, id: string, now: number
): Promise<PendingAuthorization> {
  if (request.cookies[app.browserCookies.interaction.name] !== id) throw new InteractionMismatchError()
  const pending = await app.pendingAuthorizations.find(id, now)
  if (pending === undefined || pending.pushed) throw new InteractionExpiredError()
  return pending
}

/** The live session this browser's cookie names, if any. */
export async function browserSession (
  app: FastifyInstance, request: FastifyRequest, now: number
): Promise<BrowserSession | undefined> {
  const handle = request.cookies[app.browserCookies.session.name]
  return handle === undefined || handle === '' ? undefined : await app.sessions.find(handle, now)
}

/** The name a page shows for a client: its registered name, else its id. */
export async function clientNameOf (app: FastifyInstance, clientId: string): Promise<string> {
  return (await app.clients.find(clientId))?.clientName ?? clientId
}
