import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTVerifyGetKey } from 'jose'
import { JWT_BEARER_ASSERTION } from '@repo/contracts/oauth'
import type { Client, ClientStore } from '../clients/client-store.js'
import { readBasicCredentials } from './basic-credentials.js'
import { invalidClient, invalidRequest } from './oauth-errors.js'

/**
 * The client a request authenticated as; `public` for a client without credentials: one registered
 * with `--public` (`client` is its registration), or the login's own (no registration).
 */
export type AuthenticatedClient =
  | { kind: 'confidential', client: Client }
  | { kind: 'public', clientId: string, client?: Client }

/** The id of the client a request authenticated as. */
export const authenticatedClientId = (client: AuthenticatedClient): string =>
  client.kind === 'public' ? client.clientId : client.client.clientId

export interface ClientAuthenticationOptions {
  clients: ClientStore
  /** The issuer identifier (RFC 8414): the one `aud` a client assertion may carry. */
  issuer: string
  /** The login's public client: it may refresh with its `client_id` alone (RFC 6749 §2.1, §6). */
  publicClientId: string
  now: () => number
}

export interface ClientCredentials {
  authorization: string | undefined
  client_id?: string | undefined
  client_secret?: string | undefined
  client_assertion_type?: string | undefined
  client_assertion?: string | undefined
}

/** How long a client assertion may live at most (RFC 7523 §3: "expire soon"). */
const MAX_ASSERTION_LIFETIME_SECONDS = 300
/** The algorithms a client may sign its assertion with; the metadata documents publish this list. */
export const ASSERTION_ALGORITHMS = ['RS256', 'ES256', 'EdDSA']
/** For refusals of a client that did not use Basic: RFC 6749 §5.2 asks for a Basic challenge only then. */
const NO_CHALLENGE = { challenge: false }

const remoteKeySets = new Map<string, JWTVerifyGetKey>()
/**
 * Inline key sets by their exact JSON: jose imports a key once per set, not once per assertion. A
 * client registered again with other keys has other JSON, so it never meets its old keys here; a
 * removed client is refused before its keys are looked at.
 */
const localKeySets = new Map<string, JWTVerifyGetKey>()
const MAX_LOCAL_KEY_SETS = 1000

function localKeys (jwks: { keys: object[] }): JWTVerifyGetKey {
  const text = JSON.stringify(jwks)
  let keys = localKeySets.get(text)
  if (!keys) {
    keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0])
    // Oldest first out: a Map iterates in insertion order.
    if (localKeySets.size >= MAX_LOCAL_KEY_SETS) localKeySets.delete(localKeySets.keys().next().value as string)
    localKeySets.set(text, keys)
  }
  return keys
}

/** A client's keys for `private_key_jwt`: registered inline, or fetched from its `jwks_uri` (cached by jose). */
function clientKeys (client: Client): JWTVerifyGetKey | undefined {
  if (client.jwks) return localKeys(client.jwks)
  if (!client.jwksUri) return undefined
  let keys = remoteKeySets.get(client.jwksUri)
  if (!keys) {
    keys = createRemoteJWKSet(new URL(client.jwksUri), { timeoutDuration: 2000, cooldownDuration: 30_000 })
    remoteKeySets.set(client.jwksUri, keys)
  }
  return keys
}

/**
 * Authenticates the client of a token or revocation request by exactly one method (RFC 6749 §2.3):
 * `client_secret_basic`, `client_secret_post`, `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9), or
 * none for a public client (registered with auth method `none`, or the login's own). Each registered
 * client has one method; any other is refused.
 */
export async function authenticateClient (
  credentials: ClientCredentials,
  options: ClientAuthenticationOptions
): Promise<AuthenticatedClient> {
  const { clients } = options
  const basic = credentials.authorization?.toLowerCase().startsWith('basic ') ? credentials.authorization : undefined
  const usesAssertion = credentials.client_assertion !== undefined || credentials.client_assertion_type !== undefined
  const methods = [basic !== undefined, credentials.client_secret !== undefined, usesAssertion]
  if (methods.filter(Boolean).length > 1) {
    throw invalidRequest('Use exactly one client authentication method')
  }

  if (basic !== undefined) {
    const decoded = readBasicCredentials(basic)
    if (decoded?.id === undefined || decoded.secret === undefined) throw invalidClient('malformed Basic credentials')
    if (credentials.client_id !== undefined && credentials.client_id !== decoded.id) {
      throw invalidRequest('client_id differs from the client authenticated')
    }
    return secretClient(decoded.id, decoded.secret, 'client_secret_basic', clients)
  }

  if (credentials.client_secret !== undefined) {
    if (credentials.client_id === undefined) throw invalidClient('client_secret without client_id', NO_CHALLENGE)
    return secretClient(credentials.client_id, credentials.client_secret, 'client_secret_post', clients)
  }

  if (usesAssertion) {
    if (credentials.client_assertion_type !== JWT_BEARER_ASSERTION || credentials.client_assertion === undefined) {
      throw invalidClient(
        `client_assertion_type must be ${JWT_BEARER_ASSERTION}, with a client_assertion`,
        NO_CHALLENGE
      )
    }
    return assertionClient(credentials.client_assertion, credentials.client_id, options)
  }

  if (credentials.client_id === options.publicClientId) return { kind: 'public', clientId: credentials.client_id }
  // A registered public client (auth method `none`, RFC 6749 §2.1) names itself; a confidential one
  // that sends no credentials is refused like any other failed authentication.
  const registered = credentials.client_id === undefined ? undefined : await clients.find(credentials.client_id)
  if (registered?.authMethod === 'none') return { kind: 'public', clientId: registered.clientId, client: registered }
  throw invalidClient(credentials.client_id === undefined
    ? 'no client authentication'
    : `client ${credentials.client_id} sent no credentials`)
}

async function secretClient (
  clientId: string,
  secret: string,
  method: 'client_secret_basic' | 'client_secret_post',
  clients: ClientStore
): Promise<AuthenticatedClient> {
  const challenge = { challenge: method === 'client_secret_basic' }
  // One statement; the secret is checked whatever else is wrong, so every failure costs the same.
  const { client, secretMatches } = await clients.authenticate(clientId, secret)
  if (!client) throw invalidClient(`unknown client ${clientId.slice(0, 100)}`, challenge)
  if (client.authMethod !== method) {
    throw invalidClient(`client ${clientId} authenticates with ${client.authMethod}, not ${method}`, challenge)
  }
  if (!secretMatches) throw invalidClient(`wrong secret for client ${clientId}`, challenge)
  return { kind: 'confidential', client }
}

async function assertionClient (
  assertion: string,
  clientIdParameter: string | undefined,
  { clients, issuer, now }: ClientAuthenticationOptions
): Promise<AuthenticatedClient> {
  let claimed: string | undefined
  try {
    claimed = decodeJwt(assertion).iss
  } catch {
    throw invalidClient('client_assertion is not a JWT', NO_CHALLENGE)
  }
  if (typeof claimed !== 'string') throw invalidClient('client_assertion has no iss', NO_CHALLENGE)
  if (clientIdParameter !== undefined && clientIdParameter !== claimed) {
    throw invalidRequest('client_id differs from the client authenticated')
  }
  const client = await clients.find(claimed)
  if (!client) throw invalidClient(`unknown client ${claimed.slice(0, 100)}`, NO_CHALLENGE)
  if (client.authMethod !== 'private_key_jwt') {
    throw invalidClient(
      `client ${client.clientId} authenticates with ${client.authMethod}, not private_key_jwt`,
      NO_CHALLENGE
    )
  }
  const keys = clientKeys(client)
  if (!keys) throw invalidClient(`client ${client.clientId} has no keys registered`, NO_CHALLENGE)
  let payload
  try {
    ({ payload } = await jwtVerify(assertion, keys, {
      issuer: client.clientId,
      subject: client.clientId,
      algorithms: ASSERTION_ALGORITHMS,
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(now()),
      clockTolerance: 5
    }))
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw invalidClient(`client_assertion of ${client.clientId} refused: ${reason}`, NO_CHALLENGE)
  }
  // The issuer identifier as the only audience, a string: draft-ietf-oauth-rfc7523bis, against audience
  // injection (an assertion a client made for another server, naming that server's token endpoint or
  // several audiences, replayed here). Not an array, not even one holding only the issuer: the draft
  // asks for a string, and oauth4webapi 3 and openid-client 6 (this repo's clients) send `aud: issuer`.
  // No endpoint URL either: no client library in this repo's dependencies needs one.
  if (payload.aud !== issuer) {
    const audience = JSON.stringify(payload.aud)?.slice(0, 200)
    throw invalidClient(`client_assertion of ${client.clientId} has aud ${audience}, not the issuer`, NO_CHALLENGE)
  }
  const nowSeconds = Math.floor(now() / 1000)
  if ((payload.exp as number) - nowSeconds > MAX_ASSERTION_LIFETIME_SECONDS) {
    throw invalidClient(
      `client_assertion of ${client.clientId} lives more than ${MAX_ASSERTION_LIFETIME_SECONDS} s`,
      NO_CHALLENGE
    )
  }
  const expiresAt = (payload.exp as number) * 1000
  if (!await clients.rememberAssertion(client.clientId, String(payload.jti), expiresAt, now())) {
    throw invalidClient(`client_assertion of ${client.clientId} replayed (jti seen before)`, NO_CHALLENGE)
  }
  return { kind: 'confidential', client }
}
