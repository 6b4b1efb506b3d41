import { createPrivateKey } from 'node:crypto'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { compactJwsSigner } from '../tokens/compact-jws.js'
import { generateSigningKey } from './generate-signing-key.js'
import type { KeyCustody } from './key-custody.js'
import {
  isSealed, KeySealError, needsReseal, openPrivateKey, sealPrivateKey, type KekKeyring
} from './sealing/index.js'

/** A clear value as the previous release stored it: a PKCS#8 PEM that parses. Nothing of it reaches a message. */
function checkClearKey (kid: string, stored: string): string {
  try {
    createPrivateKey({ key: stored, format: 'pem' })
    return stored
  } catch {
    throw new KeySealError('KEY_SEAL_INVALID',
      `the stored private key of kid ${kid} is neither sealed nor a PKCS#8 private key`)
  }
}

/**
 * Private keys sealed with the keyring's newest secret (AES-256-GCM, the kid as associated data) in
 * the database. Clear PKCS#8, written before keys were sealed, is read only to be resealed.
 */
export function sealedKeyCustody (keyring: KekKeyring): KeyCustody {
  const clearOf = (kid: string, stored: string) =>
    isSealed(stored) ? openPrivateKey(keyring, kid, stored) : checkClearKey(kid, stored)
  return {
    source: keyring.source,
    currentKekId: keyring.newest.id,
    async generate (alg: SigningAlgorithm) {
      const { privatePkcs8, ...key } = await generateSigningKey(alg)
      return { ...key, privateKey: sealPrivateKey(keyring, key.kid, privatePkcs8) }
    },
    async open (kid, alg, stored) {
      // Imported once per key into a KeyObject that node:crypto signs with on this thread (tokens/compact-jws.ts).
      const signCompactJws = compactJwsSigner(alg, createPrivateKey({ key: openPrivateKey(keyring, kid, stored) }))
      return { kid, alg, sign: async (header, claims) => signCompactJws(header, claims) }
    },
    check (kid, stored) {
      clearOf(kid, stored)
    },
    inClear: (stored) => !isSealed(stored),
    isCurrent: (stored) => !needsReseal(keyring, stored),
    reseal: (kid, stored) => sealPrivateKey(keyring, kid, clearOf(kid, stored)),
    // The private half lives only in the row, which retiring NULLs.
    destroy: async () => {},
    held: async () => [],
    close: async () => {}
  }
}
