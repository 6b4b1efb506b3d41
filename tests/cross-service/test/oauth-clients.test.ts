import { webcrypto } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  ClientSecretBasic, None, PrivateKeyJwt, ResponseBodyError, WWWAuthenticateChallengeError, allowInsecureRequests,
  clientCredentialsGrant, discovery, refreshTokenGrant, tokenRevocation, type ClientAuth
} from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, login } from '@repo/service-harness/http'
import { tempDir } from '@repo/service-harness/free-port'
import { runAuthCli } from '@repo/service-harness/service-process'
import { startPair, type Pair } from '../src/pair.js'
import { clientSecretIn } from '@repo/service-harness/client-secret'

/** The payload of a JWT, unverified: the consumer verifies; this only reads what it was given. */
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>

/**
 * The HTTP status and RFC 6749 §5.2 `error` of a refused request. openid-client reports a 400 as a
 * `ResponseBodyError`, but a 401 that carries `WWW-Authenticate` (invalid_client) as a challenge
 * error without reading the body: the body is read here.
 */
async function refusal (request: Promise<unknown>): Promise<{ status: number, error: unknown }> {
  try {
    await request
  } catch (error) {
    if (error instanceof ResponseBodyError) return { status: error.status, error: error.error }
    if (error instanceof WWWAuthenticateChallengeError) return { status: error.status, error: (await error.response.json() as { error?: unknown }).error }
    throw error
  }
  throw new Error('the request succeeded; expected a refusal')
}

/**
 * OAuth 2.0 clients registered with the built `clients` CLI, talking to the built auth service
 * through openid-client (a certified relying-party library, not our own code): discovery (RFC 8414),
 * client_credentials with client_secret_basic and private_key_jwt, the refresh-token grant of the
 * login's public client with rotation and reuse detection, and RFC 7009 revocation. The access tokens
 * are then used at the consumer, which trusts the auth service.
 */
describe('OAuth clients with openid-client', () => {
  let pair: Pair
  let keyDir: Awaited<ReturnType<typeof tempDir>>
  let basicAdded: Awaited<ReturnType<typeof runAuthCli>>
  let jwtAdded: Awaited<ReturnType<typeof runAuthCli>>
  let basicSecret: string
  let jwtKey: webcrypto.CryptoKey

  const clients = (args: string[]) => runAuthCli('clients', args, { DATA_DIR: pair.authEnv.DATA_DIR as string })
  /** openid-client's view of the auth service for `clientId`, found by RFC 8414 discovery. */
  const configure = (clientId: string, auth: ClientAuth) => discovery(new URL(pair.issuer), clientId, undefined, auth, {
    // RFC 8414's /.well-known/oauth-authorization-server; openid-client's default is OIDC discovery.
    algorithm: 'oauth2',
    // The pair listens on plain http on loopback.
    execute: [allowInsecureRequests]
  })
  const reports = (token: string) => call(`${pair.consumer.url}/api/v1/reports`, token)
  const postReport = (token: string) => call(`${pair.consumer.url}/api/v1/reports`, token, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'from a machine' })
  })
  const refreshTokenOf = async (userName: string, password: string) => {
    const { status, body } = await login(pair.auth.url, userName, password)
    expect(status).toBe(200)
    return body.refresh_token as string
  }

  beforeAll(async () => {
    pair = await startPair({}, { AUDIENCE: 'consumer-service' })
    keyDir = await tempDir('oauth-client-keys-')

    basicAdded = await clients(['add', 'reports-basic', '--scope', 'reports:read', '--audience', 'consumer-service'])
    basicSecret = clientSecretIn(basicAdded.stdout) ?? ''

    const pairOfKeys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
    jwtKey = pairOfKeys.privateKey
    const publicJwk = { ...await webcrypto.subtle.exportKey('jwk', pairOfKeys.publicKey), kid: 'reports-jwt-1', alg: 'ES256', use: 'sig' }
    delete publicJwk.key_ops
    delete publicJwk.ext
    const jwksFile = join(keyDir.path, 'reports-jwt.jwks.json')
    await writeFile(jwksFile, JSON.stringify({ keys: [publicJwk] }))
    jwtAdded = await clients(['add', 'reports-jwt', '--scope', 'reports:read reports:write', '--audience', 'consumer-service', '--jwks-file', jwksFile])
  })

  afterAll(async () => {
    await pair?.stop()
    await keyDir?.remove()
  })

  it('registers both clients with the CLI, shows the secret once, and never lists one', async () => {
    expect(basicAdded.code, basicAdded.stderr).toBe(0)
    expect(basicAdded.stderr).toBe('')
    expect(basicSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(basicAdded.stdout.split(basicSecret)).toHaveLength(2)
    expect(jwtAdded).toEqual({
      code: 0,
      stdout: 'added client reports-jwt (private_key_jwt; scope "reports:read reports:write"; audience consumer-service; grant client_credentials; 1 public key registered)\n',
      stderr: ''
    })

    const listed = await clients(['list', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ clientId: 'reports-basic', authMethod: 'client_secret_basic', scope: 'reports:read', audience: 'consumer-service' }),
      expect.objectContaining({ clientId: 'reports-jwt', authMethod: 'private_key_jwt', scope: 'reports:read reports:write', audience: 'consumer-service' })
    ])
    const table = await clients(['list'])
    expect(listed.stdout + table.stdout + pair.auth.output()).not.toContain(basicSecret)
  })

  it('discovers the token and revocation endpoints through RFC 8414 metadata', async () => {
    const config = await configure('reports-basic', ClientSecretBasic(basicSecret))
    expect(config.serverMetadata()).toMatchObject({
      issuer: pair.issuer,
      token_endpoint: `${pair.issuer}/oauth/token`,
      revocation_endpoint: `${pair.issuer}/oauth/revoke`,
      jwks_uri: `${pair.issuer}/.well-known/jwks.json`
    })
  })

  it('gets a reports:read token with client_secret_basic that the consumer accepts for reading only', async () => {
    const config = await configure('reports-basic', ClientSecretBasic(basicSecret))
    const tokens = await clientCredentialsGrant(config, { scope: 'reports:read' })
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'reports:read' })
    expect(claimsOf(tokens.access_token)).toMatchObject({ iss: pair.issuer, sub: 'reports-basic', client_id: 'reports-basic', aud: 'consumer-service', scope: 'reports:read' })

    expect((await reports(tokens.access_token)).status).toBe(200)
    const denied = await postReport(tokens.access_token)
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
  })

  it('refuses client_secret_basic with a wrong secret, and a scope the client was not registered for', async () => {
    const wrong = await configure('reports-basic', ClientSecretBasic(`${basicSecret.slice(0, -1)}${basicSecret.endsWith('A') ? 'B' : 'A'}`))
    expect(await refusal(clientCredentialsGrant(wrong))).toEqual({ status: 401, error: 'invalid_client' })
    const right = await configure('reports-basic', ClientSecretBasic(basicSecret))
    expect(await refusal(clientCredentialsGrant(right, { scope: 'reports:write' }))).toEqual({ status: 400, error: 'invalid_scope' })
  })

  it('gets tokens with private_key_jwt: reports:read reads but may not write, reports:write writes', async () => {
    const config = await configure('reports-jwt', PrivateKeyJwt({ key: jwtKey, kid: 'reports-jwt-1' }))
    const reader = await clientCredentialsGrant(config, { scope: 'reports:read' })
    expect(claimsOf(reader.access_token)).toMatchObject({ sub: 'reports-jwt', client_id: 'reports-jwt', aud: 'consumer-service', scope: 'reports:read' })
    expect((await reports(reader.access_token)).status).toBe(200)
    expect((await postReport(reader.access_token)).status).toBe(403)

    const writer = await clientCredentialsGrant(config, { scope: 'reports:write' })
    expect((await postReport(writer.access_token)).status).toBe(201)
  })

  it('refuses private_key_jwt signed by a key the client did not register', async () => {
    const { privateKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
    const config = await configure('reports-jwt', PrivateKeyJwt({ key: privateKey, kid: 'reports-jwt-1' }))
    expect(await refusal(clientCredentialsGrant(config, { scope: 'reports:read' }))).toEqual({ status: 401, error: 'invalid_client' })
  })

  it('refreshes a login as the public client demo-client; reusing a used refresh token kills the whole family', async () => {
    const config = await configure('demo-client', None())
    const first = await refreshTokenOf('Jane', 'pass123')

    const refreshed = await refreshTokenGrant(config, first)
    expect(refreshed.refresh_token).toEqual(expect.any(String))
    expect(refreshed.refresh_token).not.toBe(first)
    expect(claimsOf(refreshed.access_token)).toMatchObject({ iss: pair.issuer, client_id: 'demo-client', aud: 'consumer-service', role: 'write' })
    expect((await reports(refreshed.access_token)).status).toBe(200)
    expect((await postReport(refreshed.access_token)).status).toBe(201)

    // The client rotates again; then the first token comes back: reuse (the grace period for a lost
    // answer ends once the successor is used). The reuse revokes the family: the newest token is dead too.
    const newest = await refreshTokenGrant(config, refreshed.refresh_token as string)
    expect(await refusal(refreshTokenGrant(config, first))).toEqual({ status: 400, error: 'invalid_grant' })
    expect(await refusal(refreshTokenGrant(config, newest.refresh_token as string))).toEqual({ status: 400, error: 'invalid_grant' })
  })

  it('refuses a refresh by a confidential client that the token was not issued to', async () => {
    const refreshToken = await refreshTokenOf('John', 'testpass')
    const other = await configure('reports-basic', ClientSecretBasic(basicSecret))
    expect(await refusal(refreshTokenGrant(other, refreshToken))).toEqual({ status: 400, error: 'invalid_grant' })
    // The refusal left the token unused: its own client can still refresh it.
    const demo = await configure('demo-client', None())
    expect((await refreshTokenGrant(demo, refreshToken)).access_token).toEqual(expect.any(String))
  })

  it('revokes a login\'s refresh token (RFC 7009), after which it no longer refreshes', async () => {
    const config = await configure('demo-client', None())
    const refreshToken = await refreshTokenOf('Jane', 'pass123')
    await expect(tokenRevocation(config, refreshToken)).resolves.toBeUndefined()
    expect(await refusal(refreshTokenGrant(config, refreshToken))).toEqual({ status: 400, error: 'invalid_grant' })
  })

  it('stops issuing tokens to a client the CLI removed', async () => {
    const config = await configure('reports-basic', ClientSecretBasic(basicSecret))
    expect((await clientCredentialsGrant(config)).access_token).toEqual(expect.any(String))
    const removed = await clients(['remove', 'reports-basic'])
    expect(removed.code, removed.stderr).toBe(0)
    expect(await refusal(clientCredentialsGrant(config))).toEqual({ status: 401, error: 'invalid_client' })
    expect(await clients(['remove', 'reports-basic'])).toEqual({ code: 1, stdout: '', stderr: 'clients: no client reports-basic\n' })
  })
})
