import { join } from 'node:path'
import type { AuthConfig } from '../config.js'
import { existingKeyring, serviceKeyring } from '../keys/key-encryption-keys.js'
import type { KeyCustody } from '../keys/key-custody.js'
import { openPkcs11Custody } from '../keys/open-pkcs11-custody.js'
import { sealedKeyCustody } from '../keys/sealed-key-custody.js'
import { KEK_FILE_NAME } from '../keys/sealing/index.js'
import { CliError } from './cli-error.js'

/**
 * The key custody for a command that writes or opens private keys: the PKCS#11 token with
 * SIGNING_KEY_STORE=pkcs11 (a problem with it is one line naming the variable); else sealed with KEY_ENCRYPTION_KEYS,
 * else (SQLite) with the secret the service generated into DATA_DIR. A command that creates the
 * database may generate that secret too; any other refuses without one, rather than making a secret
 * the running service does not have.
 */
export async function cliKeyCustody (config: AuthConfig, { create = false } = {}): Promise<KeyCustody> {
  if (config.signingKeyStore === 'pkcs11' && config.pkcs11) return openPkcs11Custody(config.pkcs11, [])
  const options = { keyEncryptionKeys: config.keyEncryptionKeys, dataDir: config.dataDir }
  const keyring = create ? (await serviceKeyring(options)).keyring : await existingKeyring(options)
  if (keyring) return sealedKeyCustody(keyring)
  throw new CliError(`no key-encryption key at ${join(config.dataDir, KEK_FILE_NAME)} — check DATA_DIR, ` +
    'start the service once to create it, or set KEY_ENCRYPTION_KEYS')
}
