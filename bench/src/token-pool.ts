import { randomBytes, randomUUID } from 'node:crypto'
import { generateKeyPair, SignJWT } from 'jose'
import { openAuthDatabase } from '@repo/auth-service/dist/db/open-auth-database.js'
import { KeyRing } from '@repo/auth-service/dist/keys/key-ring.js'
import { KeyStore } from '@repo/auth-service/dist/keys/key-store.js'
import { createTokenIssuer } from '@repo/auth-service/dist/tokens/token-issuer.js'
import type { SigningAlgorithm } from '@repo/contracts/access-token'

export interface PoolOptions {
  dataDir: string
  alg: SigningAlgorithm
  issuer: string
  size: number
}

/**
 * Thousands of distinct valid tokens, minted with the auth service's own token issuer and the
 * active key in its DATA_DIR: a login per token would spend minutes in scrypt.
 */
export async function mintTokens ({ dataDir, alg, issuer, size }: PoolOptions): Promise<string[]> {
  const db = openAuthDatabase(dataDir)
  try {
    const keyRing = new KeyRing(new KeyStore(db), alg)
    await keyRing.refresh()
    const issue = createTokenIssuer({ issuer, audience: 'consumer-service', clientId: 'demo-client', ttlSeconds: 3600, keyRing, now: Date.now })
    const tokens: string[] = []
    for (let i = 0; i < size; i++) {
      tokens.push((await issue({ id: randomUUID(), userName: `bench-${i}`, role: 'write' })).access_token)
    }
    return tokens
  } finally {
    db.close()
  }
}

/** Well-formed, signed tokens whose `kid` no JWKS lists: each one a cache miss if the consumer let it be. */
export async function unknownKidTokens (issuer: string, size: number): Promise<string[]> {
  const { privateKey } = await generateKeyPair('ES256')
  const now = Math.floor(Date.now() / 1000)
  return Promise.all(Array.from({ length: size }, () => new SignJWT({ client_id: 'demo-client', scope: 'reports:read', role: 'read' })
    .setProtectedHeader({ alg: 'ES256', kid: randomBytes(32).toString('base64url').slice(0, 43), typ: 'at+jwt' })
    .setIssuer(issuer).setSubject('flood').setAudience('consumer-service')
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 3600).setJti(randomUUID())
    .sign(privateKey)))
}
