import { expect } from 'vitest'
import { SSF_MANAGE_SCOPE, SSF_READ_SCOPE } from '@repo/contracts/ssf'
import type { NewClient } from '../../src/clients/client-store.js'
import { tokenRequest, type App } from '../authorization/browser-flow.js'
import { basic } from '../dpop/machine-client.js'
import { NOW } from '../dpop/proofs.js'
import { ISSUER } from '../helper.js'

/** What `clients add <id> --ssf-receiver` registers; `overrides` make it something else. */
export async function addReceiver (app: App, clientId: string, overrides: Partial<NewClient> = {}) {
  const { secret } = await app.clients.add({
    clientId,
    authMethod: 'client_secret_basic',
    jwks: undefined,
    jwksUri: undefined,
    scope: `${SSF_READ_SCOPE} ${SSF_MANAGE_SCOPE}`,
    audience: ISSUER,
    grantTypes: ['client_credentials'],
    ssfReceiver: true,
    ...overrides
  }, NOW)
  return basic(clientId, secret as string)
}

/** An access token from the token endpoint by client_credentials, as a receiver gets one. */
export async function clientToken (app: App, authorization: string, scope?: string): Promise<string> {
  const response = await tokenRequest(app, { grant_type: 'client_credentials', ...scope ? { scope } : {} }, { authorization })
  expect(response.statusCode).toBe(200)
  return response.json().access_token as string
}

/** A registered receiver and the `Authorization` header of a fresh token with both SSF scopes. */
export async function receiverBearer (app: App, clientId: string) {
  return { authorization: `Bearer ${await clientToken(app, await addReceiver(app, clientId))}` }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

/** An SSF request with a JSON body (or none). */
export function ssf (app: App, method: Method, url: string, headers: Record<string, string>, payload?: object) {
  return app.inject({ method, url, headers, ...payload === undefined ? {} : { payload } })
}
