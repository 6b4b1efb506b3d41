/** Why a sealed private key did not open. Messages name the kid and kek id only, never key material. */
export type KeySealErrorCode = 'KEY_SEAL_UNKNOWN_KEK' | 'KEY_SEAL_INVALID'

export class KeySealError extends Error {
  override name = 'KeySealError'
  readonly code: KeySealErrorCode

  constructor (code: KeySealErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
