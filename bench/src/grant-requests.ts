import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto'
import type { Options } from 'autocannon'
import { AUTHORIZATION_PATH } from '@repo/contracts/authorization'
import { JWT_BEARER_ASSERTION, TOKEN_PATH } from '@repo/contracts/oauth'

/**
 * What each grant of the flow comparison sends to `POST /oauth/token`, as autocannon loads. Whatever
 * is single-use (a client assertion's `jti`, a code, a refresh token) is made before the load, so the
 * load generator spends its CPU on requests, not on cryptography.
 */

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

/** `client_credentials` with client_secret_basic: the same request every time. */
export function secretGrantLoad (url: string, authorization: string): Options {
  return { url, method: 'POST', headers: { ...FORM, authorization }, body: 'grant_type=client_credentials' }
}

/** Hands out `bodies` in turn, one a request; past the end it says so in the bodies it sends (a 4xx). */
function fromPool (url: string, bodies: string[]): Options {
  let next = 0
  return {
    url,
    amount: bodies.length,
    requests: [{
      method: 'POST',
      headers: FORM,
      setupRequest: (request) => ({ ...request, body: bodies[next++] ?? 'pool=exhausted' })
    }]
  }
}

/** A client's key pair for `private_key_jwt` (Ed25519: the cheapest assertions to make). */
export function assertionKeys (): { privateKey: KeyObject, jwks: { keys: object[] } } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'EdDSA', use: 'sig' }
  return { privateKey, jwks: { keys: [jwk] } }
}

/**
 * `client_credentials` with `private_key_jwt` (RFC 7523): `count` requests, each with an assertion of
 * its own (a new `jti`: the service refuses one seen before), `aud` the issuer, living 60 s.
 */
export function assertionGrantLoad (url: string, issuer: string, clientId: string, key: KeyObject, count: number) {
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'bench', typ: 'JWT' })).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const bodies = Array.from({ length: count }, () => {
    const claims = { iss: clientId, sub: clientId, aud: issuer, iat: now, exp: now + 60, jti: randomUUID() }
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
    const assertion = `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`
    return form({
      grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion
    })
  })
  return fromPool(url, bodies)
}

/** One PKCE verifier for every code of a run: each code is still used once. */
export const CODE_VERIFIER = randomBytes(32).toString('base64url')
const CODE_CHALLENGE = createHash('sha256').update(CODE_VERIFIER).digest('base64url')

export interface CodeClient {
  issuer: string
  clientId: string
  redirectUri: string
  /** The browser session's cookie header, from one login through the login page. */
  cookie: string
}

/**
 * `count` authorization codes for a first-party public client, each from a `GET /authorize` with the
 * session cookie (no login, no consent), `concurrency` at a time.
 */
export async function authorizationCodes (client: CodeClient, count: number, concurrency = 8): Promise<string[]> {
  const codes: string[] = []
  const one = async () => {
    const url = new URL(AUTHORIZATION_PATH, client.issuer)
    url.search = form({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      scope: 'openid reports:read',
      state: randomUUID(),
      code_challenge: CODE_CHALLENGE,
      code_challenge_method: 'S256'
    })
    const response = await fetch(url, { headers: { cookie: client.cookie }, redirect: 'manual' })
    await response.body?.cancel()
    const code = URL.canParse(response.headers.get('location') ?? '')
      ? new URL(response.headers.get('location') as string).searchParams.get('code')
      : null
    if (code === null) throw new Error(`GET /authorize answered ${response.status} without a code`)
    codes.push(code)
  }
  let started = 0
  const worker = async () => {
    while (started < count) {
      started++
      await one()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return codes
}

/** The code flow's token request (RFC 6749 §4.1.3 with PKCE) for each of `codes`: an access, ID and refresh token. */
export function codeGrantLoad (url: string, client: CodeClient, codes: string[]): Options {
  return fromPool(url, codes.map((code) => form({
    grant_type: 'authorization_code',
    code,
    redirect_uri: client.redirectUri,
    code_verifier: CODE_VERIFIER,
    client_id: client.clientId
  })))
}

/**
 * `refresh_token` for a public client: every answer's successor goes back into a shared pool, and
 * each request takes the oldest token there, so `tokens` (more than the connections) keep rotating.
 */
export function refreshGrantLoad (url: string, clientId: string, tokens: string[]): Options {
  const pool = [...tokens]
  return {
    url,
    requests: [{
      method: 'POST',
      headers: FORM,
      setupRequest: (request) => ({
        ...request,
        body: form({ grant_type: 'refresh_token', client_id: clientId, refresh_token: pool.shift() ?? 'exhausted' })
      }),
      onResponse: (status, body) => {
        if (status !== 200) return
        const successor = (JSON.parse(body) as { refresh_token?: string }).refresh_token
        if (successor !== undefined) pool.push(successor)
      }
    }]
  }
}

export const TOKEN_URL = (origin: string) => `${origin}${TOKEN_PATH}`
