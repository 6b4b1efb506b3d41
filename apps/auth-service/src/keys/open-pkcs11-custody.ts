import { ConfigError } from '@repo/service-kit/env'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { KeyCustody } from './key-custody.js'
import { pkcs11KeyCustody } from './pkcs11-key-custody.js'
import type { Pkcs11Settings } from './pkcs11-settings.js'
import { openPkcs11Signer, Pkcs11TokenError, type TokenSigner } from './pkcs11/index.js'

/** The one line that stops a start or a CLI: the variable to fix, then what the token said (never the PIN). */
function refusal (settings: Pkcs11Settings, error: unknown, alg?: SigningAlgorithm): unknown {
  if (!(error instanceof Pkcs11TokenError)) return error
  const variable = {
    PKCS11_MODULE_UNLOADABLE: 'PKCS11_MODULE',
    PKCS11_TOKEN_NOT_FOUND: settings.tokenVariable,
    PKCS11_PIN_INCORRECT: `PKCS11_PIN_FILE (${settings.pinFile})`,
    PKCS11_PIN_LOCKED: `PKCS11_PIN_FILE (${settings.pinFile})`,
    PKCS11_MECHANISM_UNSUPPORTED: `SIGNING_ALG=${alg ?? ''}`
  }[error.code as string]
  return variable === undefined ? error : new ConfigError(`invalid configuration: ${variable}: ${error.message}`)
}

/**
 * Opens the token the settings name (module, token, login) and checks that it can make and sign with
 * every algorithm of `algs`; a problem throws a `ConfigError` naming the variable to fix. The custody
 * owns the session: `close()` it.
 */
export async function openPkcs11Custody (settings: Pkcs11Settings, algs: readonly SigningAlgorithm[]):
Promise<KeyCustody> {
  let signer: TokenSigner
  try {
    signer = openPkcs11Signer({ modulePath: settings.modulePath, token: settings.token, pin: settings.pin() })
  } catch (error) {
    throw refusal(settings, error)
  }
  try {
    for (const alg of algs) {
      try {
        await signer.assertSupports(alg)
      } catch (error) {
        throw refusal(settings, error, alg)
      }
    }
    return pkcs11KeyCustody(signer, { tokenLabel: signer.label, source: settings.tokenVariable })
  } catch (error) {
    await signer.close()
    throw error
  }
}
