import pkcs11, { type Template } from 'pkcs11js'
import type { AlgorithmMechanisms } from './mechanisms.js'

/** Both halves carry the `kid` as label (for people) and as CKA_ID (for lookups). */
const naming = (kid: string): Template => [
  { type: pkcs11.CKA_LABEL, value: kid },
  { type: pkcs11.CKA_ID, value: Buffer.from(kid) }
]

export function publicKeyTemplate (kid: string, mechanisms: AlgorithmMechanisms): Template {
  return [
    { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PUBLIC_KEY },
    { type: pkcs11.CKA_KEY_TYPE, value: mechanisms.keyType },
    { type: pkcs11.CKA_TOKEN, value: true },
    { type: pkcs11.CKA_PRIVATE, value: false },
    { type: pkcs11.CKA_VERIFY, value: true },
    ...naming(kid),
    ...mechanisms.publicTemplate
  ]
}

/**
 * The private half: kept by the token (CKA_TOKEN), usable only after login (CKA_PRIVATE), only for
 * signing, and never readable or wrappable out of it (CKA_SENSITIVE, not CKA_EXTRACTABLE); a token
 * refuses to turn either back.
 */
export function privateKeyTemplate (kid: string, mechanisms: AlgorithmMechanisms): Template {
  return [
    { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY },
    { type: pkcs11.CKA_KEY_TYPE, value: mechanisms.keyType },
    { type: pkcs11.CKA_TOKEN, value: true },
    { type: pkcs11.CKA_PRIVATE, value: true },
    { type: pkcs11.CKA_SENSITIVE, value: true },
    { type: pkcs11.CKA_EXTRACTABLE, value: false },
    { type: pkcs11.CKA_SIGN, value: true },
    { type: pkcs11.CKA_DECRYPT, value: false },
    ...naming(kid)
  ]
}
