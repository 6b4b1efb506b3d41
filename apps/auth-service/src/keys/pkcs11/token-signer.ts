import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { PublicJwk } from '@repo/contracts/jwks'

/**
 * Signing keys held by a device that never hands out their private halves. Every call may wait on the
 * device, and calls are taken one at a time (a PKCS#11 session runs one operation at once).
 */
export interface TokenSigner {
  /** The token's label, as it names itself (for messages). */
  readonly label: string
  /** Refuses (`PKCS11_MECHANISM_UNSUPPORTED`) if the token cannot generate or sign with `alg`. */
  assertSupports: (alg: SigningAlgorithm) => Promise<void>
  /** Generates a key pair inside the token, labelled `kid`; returns its public JWK. */
  generate: (kid: string, alg: SigningAlgorithm) => Promise<PublicJwk>
  /**
   * Renames the key pair `from` (both halves' CKA_LABEL and CKA_ID) to `to`: a key is generated under a
   * temporary name because its kid, the thumbprint of its public half, is only known afterwards.
   */
  relabel: (from: string, to: string) => Promise<void>
  /** The kids (CKA_ID) of every private key in the token. */
  kids: () => Promise<string[]>
  /** The public JWK of the key pair labelled `kid`. */
  publicJwk: (kid: string, alg: SigningAlgorithm) => Promise<PublicJwk>
  /** The JWS signature (RFC 7515 §5.1) of `signingInput` (`header.payload`) with the key `kid`. */
  sign: (kid: string, alg: SigningAlgorithm, signingInput: Buffer) => Promise<Buffer>
  /** Deletes both halves of the key pair `kid`; nothing if the token has none. */
  destroy: (kid: string) => Promise<void>
  has: (kid: string) => Promise<boolean>
  /** Ends the session; the last signer of a module finalises it. */
  close: () => Promise<void>
}
