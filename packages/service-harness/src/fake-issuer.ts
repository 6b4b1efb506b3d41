import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { calculateJwkThumbprint } from 'jose'

/** The algorithms the fake issuer can sign with: every asymmetric JWS algorithm a resource server verifies. */
export type Alg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA'

const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }

export interface TestKey {
  alg: Alg
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  /** The JWK as the auth service would publish it. */
  jwk: Record<string, unknown>
}

/**
 * Generates a key the way the auth service does: thumbprint kid, `use: sig`, `alg` set. `kid`
 * names it otherwise (`rsa-2026-11`), as other issuers do.
 */
export async function makeKey (alg: Alg, options: { modulusLength?: number, kid?: string } = {}): Promise<TestKey> {
  const { privateKey, publicKey } = alg.startsWith('RS') || alg.startsWith('PS')
    ? generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 })
    : alg in CURVES
      ? generateKeyPairSync('ec', { namedCurve: CURVES[alg] as string })
      : generateKeyPairSync('ed25519')
  const base = publicKey.export({ format: 'jwk' }) as Record<string, unknown>
  const kid = options.kid ?? await calculateJwkThumbprint(base as never, 'sha256')
  return { alg, kid, privateKey, publicKey, jwk: { ...base, kid, use: 'sig', alg } }
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** What signs a crafted token: a private key, an HMAC secret, or nothing (`alg: none`). */
export type TokenSigner = KeyObject | { hmac: string | Buffer } | 'none'

/**
 * Builds a compact JWS by hand, so tests can send exactly the header and signature an attacker
 * would (jose refuses to produce most of them).
 */
export function craftToken (
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
  signer: TokenSigner
): string {
  const input = `${b64(header)}.${b64(payload)}`
  if (signer === 'none') return `${input}.`
  if ('hmac' in signer) return `${input}.${createHmac('sha256', signer.hmac).update(input).digest('base64url')}`
  // The hash and padding follow the header's alg (RS/PS/ES 256–512), so a token can also lie about it.
  const alg = typeof header.alg === 'string' ? header.alg : 'RS256'
  const hash = `sha${/\d{3}$/.exec(alg)?.[0] ?? '256'}`
  const type = signer.asymmetricKeyType
  const signature = type === 'ed25519'
    ? sign(null, Buffer.from(input), signer)
    : type === 'ec'
      ? sign(hash, Buffer.from(input), { key: signer, dsaEncoding: 'ieee-p1363' })
      : sign(hash, Buffer.from(input), alg.startsWith('PS')
        ? { key: signer, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : signer)
  return `${input}.${signature.toString('base64url')}`
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void

/**
 * An issuer on loopback that the tests and the benchmark control: serves a JWKS and an OpenID
 * configuration, counts every request, can be told to answer slowly, badly or not at all, and mints
 * tokens (valid or crafted) with its own keys. The caller closes it.
 */
export async function startFakeIssuer () {
  const keys = { RS256: await makeKey('RS256'), ES256: await makeKey('ES256'), EdDSA: await makeKey('EdDSA') }
  const state = {
    published: Object.values(keys).map((key) => key.jwk) as unknown[],
    cacheControl: 'public, max-age=300',
    override: undefined as Handler | undefined,
    requests: { jwks: 0, discovery: 0, other: 0 }
  }
  const server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') state.requests.jwks++
    else if (request.url === '/.well-known/openid-configuration') state.requests.discovery++
    else state.requests.other++
    if (state.override) return state.override(request, response)
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': state.cacheControl })
      return response.end(JSON.stringify({ keys: state.published }))
    }
    if (request.url === '/.well-known/openid-configuration') {
      response.writeHead(200, { 'content-type': 'application/json' })
      return response.end(JSON.stringify({ issuer: origin, jwks_uri: `${origin}/.well-known/jwks.json` }))
    }
    response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  /** Claims of a valid token for the consumer; `overrides` replace them, `undefined` removes one. */
  function claims (overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000)
    const all: Record<string, unknown> = {
      iss: origin,
      sub: 'user-1',
      aud: 'consumer-service',
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: `jti-${Math.random()}`,
      client_id: 'demo-client',
      scope: 'reports:read reports:write',
      role: 'write',
      ...overrides
    }
    for (const name of Object.keys(all)) if (all[name] === undefined) delete all[name]
    return all
  }

  /** A valid token signed by `key` unless header or claims are overridden. */
  function token (
    key: TestKey = keys.RS256,
    options: { header?: Record<string, unknown>, claims?: Record<string, unknown>, signer?: TokenSigner } = {}
  ) {
    const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header }
    for (const name of Object.keys(header)) if (header[name] === undefined) delete header[name]
    return craftToken(header, claims(options.claims), options.signer ?? key.privateKey)
  }

  return {
    origin,
    jwksUrl: `${origin}/.well-known/jwks.json`,
    keys,
    state,
    claims,
    token,
    close: () => new Promise<void>((resolve) => {
      if (!server.listening) return resolve()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}

export type FakeIssuer = Awaited<ReturnType<typeof startFakeIssuer>>
