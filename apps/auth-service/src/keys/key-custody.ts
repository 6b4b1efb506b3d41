import type { JWTHeaderParameters, JWTPayload } from 'jose'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { NewSigningKey } from './generate-signing-key.js'

/**
 * A key that signs tokens, opened once per key: a private half imported into this process, or a key
 * a PKCS#11 token holds and signs with. Either way the token issuer has one path.
 */
export interface SigningKey {
  kid: string
  alg: SigningAlgorithm
  /** The compact JWS of `claims` under `header`. */
  sign: (header: JWTHeaderParameters, claims: JWTPayload) => Promise<string>
}

/**
 * Where the private halves of the signing keys are kept, and the one thing that knows their stored
 * form. The key store keeps that form as an opaque string (today a sealed envelope; a key held in a
 * PKCS#11 token would be a reference to it); only the custody turns a new key into it and a stored
 * value back into a key that signs.
 */
export interface KeyCustody {
  /** Names the secrets for the messages that ask to fix them (`KEY_ENCRYPTION_KEYS`, …). */
  readonly source: string
  /** A new key pair for `alg`; its `privateKey` is the value to store. */
  generate: (alg: SigningAlgorithm) => Promise<NewSigningKey>
  /** The signing key a row holds; throws if its stored value does not open. */
  open: (kid: string, alg: SigningAlgorithm, stored: string) => Promise<SigningKey>
  /**
   * Throws unless the stored value opens (the start-up check; nothing is imported): a `KeySealError`
   * for a sealed value, a `ConfigError` naming the kid and the token for a key a token lacks.
   */
  check: (kid: string, stored: string) => void | Promise<void>
  /** Whether a stored value is a private key an earlier release wrote in the clear. */
  inClear: (stored: string) => boolean
  /** Whether a stored value is already what this custody writes now (sealed by the newest secret). */
  isCurrent: (stored: string) => boolean
  /** The value to store instead of `stored`: opened (or taken from the clear) and written the current way. */
  reseal: (kid: string, stored: string) => string
  /** The id of the secret new values are sealed with, for the messages that report a reseal. */
  readonly currentKekId: string
  /**
   * Destroys what the custody holds of `kid` outside the database, once its row is retired (or a
   * generated key was never stored). Nothing for sealed keys: retiring NULLs the row's value.
   */
  destroy: (kid: string) => Promise<void>
  /** The kids of the keys the custody holds outside the database (a token's); none for sealed keys. */
  held: () => Promise<string[]>
  /** Ends what the custody opened (a token session). */
  close: () => Promise<void>
}
