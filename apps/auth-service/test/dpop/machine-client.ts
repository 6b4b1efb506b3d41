import type { NewClient } from '../../src/clients/client-store.js'
import type { App } from '../authorization/browser-flow.js'
import { NOW } from './proofs.js'

/** The `Authorization` header of HTTP Basic client authentication. */
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

/** Registers a confidential machine client (client_credentials, reports:read); its Authorization header. */
export async function machineClient (app: App, clientId: string, overrides: Partial<NewClient> = {}) {
  const { secret } = await app.clients.add({
    clientId,
    authMethod: 'client_secret_basic',
    jwks: undefined,
    jwksUri: undefined,
    scope: 'reports:read',
    audience: 'reports-api',
    grantTypes: ['client_credentials'],
    ...overrides
  }, NOW)
  return { authorization: basic(clientId, secret as string) }
}
