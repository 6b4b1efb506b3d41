import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose'
import { ConfigError } from '@repo/service-kit/env'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { KeyCustody } from './key-custody.js'
import type { TokenSigner } from './pkcs11/index.js'

/** What a row stores of a key a token holds: a reference, nothing secret. */
const PREFIX = 'pkcs11:'
const referenceTo = (kid: string) => `${PREFIX}${kid}`

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

export interface Pkcs11CustodyOptions {
  /** The token, for messages: `"label"` as the token names itself. */
  tokenLabel: string
  /** The variable that selects the token (`PKCS11_TOKEN_LABEL` or `PKCS11_SLOT`), for messages. */
  source: string
}

/**
 * Signing keys held by a PKCS#11 token, generated there as non-extractable: the database keeps the
 * public JWK and `pkcs11:<kid>`, and the token's key is labelled by the kid (the RFC 7638 thumbprint
 * of its public half, like every other key's). Signing is a round trip to the token per token issued.
 */
export function pkcs11KeyCustody (signer: TokenSigner, { tokenLabel, source }: Pkcs11CustodyOptions): KeyCustody {
  const checkReference = (kid: string, stored: string) => {
    if (stored === referenceTo(kid)) return
    throw new ConfigError(`invalid configuration: SIGNING_KEY_STORE=pkcs11: the signing key ${kid} is stored in ` +
      `the database, not in the PKCS#11 token "${tokenLabel}" (it was made with SIGNING_KEY_STORE=database)`)
  }
  return {
    source,
    currentKekId: 'none (PKCS#11)',
    async generate (alg: SigningAlgorithm) {
      // The kid is the thumbprint of a public key the token has not made yet: a temporary name first.
      const temporary = `pending-${randomUUID()}`
      const jwk = await signer.generate(temporary, alg)
      try {
        const { kid: _temporary, alg: _alg, use: _use, ...key } = jwk
        const kid = await calculateJwkThumbprint(key as JWK, 'sha256')
        await signer.relabel(temporary, kid)
        return { kid, alg, publicJwk: { ...jwk, kid }, privateKey: referenceTo(kid) }
      } catch (error) {
        await signer.destroy(temporary)
        throw error
      }
    },
    async open (kid, alg, stored) {
      checkReference(kid, stored)
      return {
        kid,
        alg,
        async sign (header: JWTHeaderParameters, claims: JWTPayload) {
          const input = `${encode(header)}.${encode(claims)}`
          const signature = await signer.sign(kid, alg, Buffer.from(input))
          return `${input}.${signature.toString('base64url')}`
        }
      }
    },
    async check (kid, stored) {
      checkReference(kid, stored)
      if (await signer.has(kid)) return
      throw new ConfigError(`invalid configuration: ${source}: the PKCS#11 token "${tokenLabel}" has no key ${kid}, ` +
        'which the database names (another token, or one initialised again?)')
    },
    // Nothing private is in the database: nothing to seal or reseal.
    inClear: () => false,
    isCurrent: () => true,
    reseal: (_kid, stored) => stored,
    destroy: (kid) => signer.destroy(kid),
    held: () => signer.kids(),
    close: () => signer.close()
  }
}
