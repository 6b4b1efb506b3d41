import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'

/** One simulated DPoP client: its ES256 key, its thumbprint (`cnf.jkt`) and its proofs' encoded header. */
export interface ProofClient {
  privateKey: KeyObject
  publicKey: KeyObject
  jkt: string
  encodedHeader: string
}

/** A token bound to a client's key, with its hash (`ath`) computed once. */
export interface BoundToken {
  token: string
  ath: string
  client: ProofClient
}

/** What one DPoP request sends: `Authorization: DPoP <token>` and its proof. */
export interface DpopHeaders {
  authorization: string
  dpop: string
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** RFC 7638: SHA-256 of the required members of an EC public key, in lexicographic order, no spaces. */
export function ecThumbprint (jwk: { crv?: string, kty?: string, x?: string, y?: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  return createHash('sha256').update(canonical).digest('base64url')
}

/**
 * `count` clients, each with a P-256 key of its own, as real clients each keep one key for their
 * session: the consumer imports each key once and then finds it in its proof-key cache.
 */
export function proofClients (count: number): ProofClient[] {
  return Array.from({ length: count }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const { crv, kty, x, y } = publicKey.export({ format: 'jwk' })
    const jwk = { crv, kty, x, y }
    return {
      privateKey,
      publicKey,
      jkt: ecThumbprint(jwk),
      encodedHeader: base64url(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk }))
    }
  })
}

export const accessTokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url')

/** An ES256 proof (RFC 9449 §4.2) by `client` for one request, with a new `jti`. */
export function makeProof (
  client: ProofClient,
  request: { method: string, url: string, ath: string, iat: number }
): string {
  const payload = { jti: randomUUID(), htm: request.method, htu: request.url, iat: request.iat, ath: request.ath }
  const signingInput = `${client.encodedHeader}.${base64url(JSON.stringify(payload))}`
  const signature = sign('sha256', Buffer.from(signingInput), { key: client.privateKey, dsaEncoding: 'ieee-p1363' })
  return `${signingInput}.${signature.toString('base64url')}`
}

/**
 * The headers of `count` DPoP GET requests to `url`, one after the other through `tokens`, each with a
 * proof of its own issued now: made before a run, so the signing is not in the measured window, and
 * used within seconds, well inside the consumer's iat window.
 */
export function dpopRequests (tokens: readonly BoundToken[], url: string, count: number, offset = 0): DpopHeaders[] {
  const iat = Math.floor(Date.now() / 1000)
  return Array.from({ length: count }, (_, i) => {
    const { token, ath, client } = tokens[(offset + i) % tokens.length] as BoundToken
    return { authorization: `DPoP ${token}`, dpop: makeProof(client, { method: 'GET', url, ath, iat }) }
  })
}
