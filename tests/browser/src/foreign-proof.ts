import { createHash, randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

/**
 * A well-formed DPoP proof (RFC 9449 §4.2) for `method` and `url`, fresh and signed by a key of its own:
 * what someone who copied a token out of the page could make. Only the key differs from the page's proofs.
 */
export async function proofByAnotherKey (method: string, url: string, accessToken?: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const htu = new URL(url)
  return new SignJWT({
    jti: randomUUID(),
    htm: method,
    htu: `${htu.origin}${htu.pathname}`,
    iat: Math.floor(Date.now() / 1000),
    ...accessToken === undefined ? {} : { ath: createHash('sha256').update(accessToken).digest('base64url') }
  }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) }).sign(privateKey)
}
