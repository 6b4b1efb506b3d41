import { createHash } from 'node:crypto'
import pkcs11, { type Template } from 'pkcs11js'
import type { SigningAlgorithm } from '@repo/contracts/access-token'

// PKCS#11 3.0 values pkcs11js 2.1 does not name.
export const CKK_EC_EDWARDS = 0x40
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055
export const CKM_EDDSA = 0x1057

/** DER OIDs for CKA_EC_PARAMS: prime256v1 (1.2.840.10045.3.1.7), Ed25519 (1.3.101.112, RFC 8410). */
const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex')
const ED25519_OID = Buffer.from('06032b6570', 'hex')

/** How one JWS algorithm is done in a token: the mechanisms, the public half's attributes, the input. */
export interface AlgorithmMechanisms {
  keyType: number
  generate: number
  generateName: string
  sign: number
  signName: string
  /** Attributes of the public half that fix the key's size or curve. */
  publicTemplate: Template
  /** What the token's signing mechanism is given: the whole JWS signing input, or its SHA-256. */
  signedData: (signingInput: Buffer) => Buffer
}

const whole = (input: Buffer) => input
const sha256 = (input: Buffer) => createHash('sha256').update(input).digest()

export const MECHANISMS: Readonly<Record<SigningAlgorithm, AlgorithmMechanisms>> = {
  RS256: {
    keyType: pkcs11.CKK_RSA,
    generate: pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN,
    generateName: 'CKM_RSA_PKCS_KEY_PAIR_GEN',
    sign: pkcs11.CKM_SHA256_RSA_PKCS,
    signName: 'CKM_SHA256_RSA_PKCS',
    publicTemplate: [
      { type: pkcs11.CKA_MODULUS_BITS, value: 2048 },
      { type: pkcs11.CKA_PUBLIC_EXPONENT, value: Buffer.from([0x01, 0x00, 0x01]) }
    ],
    signedData: whole
  },
  // CKM_ECDSA signs a digest it is given and returns r||s, which is already the JWS form (RFC 7518 §3.4).
  ES256: {
    keyType: pkcs11.CKK_EC,
    generate: pkcs11.CKM_EC_KEY_PAIR_GEN,
    generateName: 'CKM_EC_KEY_PAIR_GEN',
    sign: pkcs11.CKM_ECDSA,
    signName: 'CKM_ECDSA',
    publicTemplate: [{ type: pkcs11.CKA_EC_PARAMS, value: P256_OID }],
    signedData: sha256
  },
  EdDSA: {
    keyType: CKK_EC_EDWARDS,
    generate: CKM_EC_EDWARDS_KEY_PAIR_GEN,
    generateName: 'CKM_EC_EDWARDS_KEY_PAIR_GEN',
    sign: CKM_EDDSA,
    signName: 'CKM_EDDSA',
    publicTemplate: [{ type: pkcs11.CKA_EC_PARAMS, value: ED25519_OID }],
    signedData: whole
  }
}
