import { SSF_STREAMS_PATH } from '@repo/contracts/ssf'
import { DuplicateClientError, type Client, type ClientStore } from '../clients/client-store.js'
import { CliError } from './cli-error.js'
import type { AddClientArgs } from './clients-args.js'
import { readClientJwksFile } from './client-jwks.js'
import { formatTable, formatTime } from './format-table.js'
import { createSecretFile } from './secret-file.js'

/** What the `clients` subcommands work with; the entry point passes the process's own. */
export interface ClientsContext {
  store: ClientStore
  /** Standard output: the only place a client secret is ever written to. */
  print: (line: string) => void
  /** The service's AUDIENCE: the audience of a client that names none. */
  defaultAudience: string
  /** The service's ISSUER: the audience of an SSF receiver's tokens (the stream endpoints are the issuer's). */
  issuer: string
  /** How long an access token issued before a removal stays valid, at most. */
  tokenTtlSeconds: number
  now: () => number
}

/** The line that carries a new client's secret; scripts read the secret after it. */
export const SECRET_LINE_PREFIX = 'client_secret (shown once, store it now): '

/** What `add --if-absent` says about a client that is registered already. */
const keptLine = (clientId: string) =>
  `client ${clientId} is registered already: left as it is (remove it, then add it, to change it)`

export async function addClient (
  { store, print, defaultAudience, issuer, now }: ClientsContext, args: AddClientArgs
): Promise<void> {
  // Checked before the key file is read, and again atomically by `add`.
  if (await store.find(args.clientId)) {
    if (args.ifAbsent) return print(keptLine(args.clientId))
    throw new CliError(`a client ${args.clientId} already exists`)
  }
  const jwks = args.keys && 'jwksFile' in args.keys ? await readClientJwksFile(args.keys.jwksFile) : undefined
  const jwksUri = args.keys && 'jwksUri' in args.keys ? args.keys.jwksUri : undefined
  // A receiver's token is for the issuer's own stream endpoints: no resource server accepts it.
  const audience = args.ssfReceiver ? issuer : args.audience ?? defaultAudience
  // A client that logs people in gets their tokens, and refreshes them; a machine client gets its own.
  const grantTypes = args.browser ? ['authorization_code', 'refresh_token'] : ['client_credentials']
  // Created before the client, so that a file that cannot be written registers nothing.
  const secretFile = args.secretFile === undefined ? undefined : await createSecretFile(args.secretFile)
  let secret: string | undefined
  try {
    ({ secret } = await store.add({
      clientId: args.clientId,
      authMethod: args.authMethod,
      jwks,
      jwksUri,
      scope: args.scope,
      audience,
      grantTypes,
      ...args.browser,
      dpopBoundAccessTokens: args.requireDpop,
      ssfReceiver: args.ssfReceiver === true,
      resources: args.resources ?? []
    }, now()))
  } catch (error) {
    await secretFile?.discard()
    if (!(error instanceof DuplicateClientError)) throw error
    // Another process registered it between the check above and this insert.
    if (args.ifAbsent) return print(keptLine(args.clientId))
    throw new CliError(error.message)
  }
  const keyCount = jwks ? `${jwks.keys.length} public key${jwks.keys.length === 1 ? '' : 's'}` : undefined
  const keys = keyCount ? `; ${keyCount} registered` : jwksUri ? `; keys from ${jwksUri}` : ''
  const browser = args.browser
    ? `; redirect URIs ${args.browser.redirectUris.join(' ')}` +
      (args.browser.thirdParty ? '; third-party (asks for consent)' : '') +
      (args.browser.requirePar ? '; pushed requests only' : '')
    : ''
  const dpop = args.requireDpop ? '; DPoP-bound tokens only' : ''
  const ssf = args.ssfReceiver ? `; Shared Signals receiver: its streams at ${issuer}${SSF_STREAMS_PATH}` : ''
  const resources = args.resources ? `; resources ${args.resources.join(' ')}` : ''
  print(`added client ${args.clientId} (${args.authMethod}; scope "${args.scope}"; audience ${audience}; ` +
    `grant ${grantTypes.join(' ')}${keys}${browser}${dpop}${ssf}${resources})`)
  if (secret === undefined) return
  if (secretFile === undefined) return print(`${SECRET_LINE_PREFIX}${secret}`)
  await secretFile.write(secret)
  print(`client_secret written to ${args.secretFile} (mode 0600; not shown)`)
}

/** A client as `list` shows it: the store never returns a secret, and this adds none. */
function listed (client: Client) {
  return {
    clientId: client.clientId,
    authMethod: client.authMethod,
    scope: client.scope,
    audience: client.audience,
    grantTypes: client.grantTypes,
    ...(client.jwksUri === undefined ? {} : { jwksUri: client.jwksUri }),
    ...(client.jwks === undefined ? {} : { jwks: client.jwks }),
    ...(client.redirectUris.length === 0
      ? {}
      : {
          clientName: client.clientName,
          redirectUris: client.redirectUris,
          postLogoutRedirectUris: client.postLogoutRedirectUris,
          thirdParty: client.thirdParty,
          requirePar: client.requirePar
        }),
    dpopBoundAccessTokens: client.dpopBoundAccessTokens,
    ...client.ssfReceiver ? { ssfReceiver: true } : {},
    ...(client.resources.length === 0 ? {} : { resources: client.resources }),
    createdAt: client.createdAt
  }
}

export async function listClients ({ store, print }: ClientsContext, json: boolean): Promise<void> {
  const clients = await store.list()
  if (json) return print(JSON.stringify(clients.map(listed), null, 2))
  const keys = (client: Client) => client.jwksUri ?? (client.jwks ? `${client.jwks.keys.length} inline` : '-')
  const redirects = (client: Client) => client.redirectUris.length === 0
    ? '-'
    : client.redirectUris.join(' ') + (client.thirdParty ? ' (third-party)' : '') + (client.requirePar ? ' (PAR)' : '')
  const rows = clients.map((client) => [
    client.clientId, client.authMethod, client.scope, client.audience, keys(client), redirects(client),
    client.dpopBoundAccessTokens ? 'required' : 'allowed',
    client.ssfReceiver ? 'receiver' : '-',
    client.resources.join(' ') || '-',
    formatTime(client.createdAt)
  ])
  const header = ['client_id', 'auth', 'scope', 'audience', 'keys', 'redirect_uris', 'dpop', 'ssf', 'resources',
    'created']
  for (const line of formatTable(header, rows)) print(line)
}

export async function removeClient (
  { store, print, tokenTtlSeconds }: ClientsContext, clientId: string
): Promise<void> {
  if (!await store.remove(clientId)) throw new CliError(`no client ${clientId}`)
  print(`removed client ${clientId}; ` +
    'at consumers that receive no Shared Signals, access tokens already issued to it stay valid until they ' +
    `expire (within ${tokenTtlSeconds} s)`)
}
