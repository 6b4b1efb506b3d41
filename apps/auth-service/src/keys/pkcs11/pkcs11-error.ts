/** Why the token refused. Messages name the module, token, kid or mechanism: never the PIN. */
export type Pkcs11ErrorCode =
  | 'PKCS11_MODULE_UNLOADABLE'
  | 'PKCS11_TOKEN_NOT_FOUND'
  | 'PKCS11_PIN_INCORRECT'
  | 'PKCS11_PIN_LOCKED'
  | 'PKCS11_MECHANISM_UNSUPPORTED'
  | 'PKCS11_KEY_NOT_FOUND'
  | 'PKCS11_KEY_EXISTS'
  | 'PKCS11_FAILED'

export class Pkcs11TokenError extends Error {
  override name = 'Pkcs11TokenError'
  readonly code: Pkcs11ErrorCode

  constructor (code: Pkcs11ErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/**
 * The `CKR_*` name of a pkcs11js error, if it is one. pkcs11js puts only that name in its message
 * (never the call's arguments), which is why it may be quoted.
 */
export function ckrName (error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : ''
  return /^CKR_\w+$/.test(message) ? message : undefined
}

/** A token failure nothing more specific describes: what was being done, and the token's `CKR_*` answer. */
export function tokenFailure (action: string, error: unknown): Pkcs11TokenError {
  return new Pkcs11TokenError('PKCS11_FAILED', `PKCS#11: ${action} failed (${ckrName(error) ?? 'not a PKCS#11 error'})`)
}
