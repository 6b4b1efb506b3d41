import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { ISSUER } from '../helper.js'

/** The tests' clock: the app's `now` and every proof's `iat`. */
export const NOW = Date.parse('2030-01-01T00:00:00Z')
export const TOKEN_URL = `${ISSUER}${TOKEN_PATH}`

export interface ProofKey { alg: string, privateKey: CryptoKey, publicJwk: JWK, privateJwk: JWK, jkt: string }

/** A client's DPoP key pair, and the thumbprint a token bound to it carries. */
export async function proofKey (alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { alg, privateKey, publicJwk, privateJwk: await exportJWK(privateKey), jkt: await calculateJwkThumbprint(publicJwk) }
}

/** A proof for `POST` to the token endpoint at NOW, as a client makes it; each part overridable to make it wrong. */
export function makeProof (
  key: ProofKey,
  { claims = {}, header = {}, signingKey = key.privateKey }: {
    claims?: JWTPayload, header?: Record<string, unknown>, signingKey?: CryptoKey | Uint8Array
  } = {}
): Promise<string> {
  return new SignJWT({ jti: randomUUID(), htm: 'POST', htu: TOKEN_URL, iat: Math.floor(NOW / 1000), ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...header })
    .sign(signingKey)
}

/** An unsigned proof (`alg: none`), which no JOSE library makes. */
export function unsignedProof (key: ProofKey): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const header = part({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })
  const payload = part({ jti: randomUUID(), htm: 'POST', htu: TOKEN_URL, iat: Math.floor(NOW / 1000) })
  return `${header}.${payload}.AAAA`
}
