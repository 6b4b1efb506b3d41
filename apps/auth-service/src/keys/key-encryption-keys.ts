import {
  parseKeyEncryptionKeys, readKekFile, readOrCreateKekFile, type KekKeyring
} from './sealing/index.js'

/** What the secrets come from: the configured list, else (SQLite only) the file in DATA_DIR. */
export interface KeyEncryptionOptions {
  /** `KEY_ENCRYPTION_KEYS` or `_FILE`, as the configuration read them. */
  keyEncryptionKeys: KekKeyring | undefined
  dataDir: string
}

/** The keyring, and the path of the file generated for it by this call, if one was. */
export interface ResolvedKeyring {
  keyring: KekKeyring
  generatedAt?: string
}

/** How errors name the generated file: by the variable that replaces it too. */
const fileSource = (path: string) => `KEY_ENCRYPTION_KEYS (unset: the generated file ${path})`

/**
 * The service's keyring: the configured one, or the secret in DATA_DIR's `key-encryption-key`,
 * generated on the first start (configuration only allows that without DATABASE_URL). A file that
 * does not hold one valid secret throws a `ConfigError` naming it.
 */
export async function serviceKeyring ({ keyEncryptionKeys, dataDir }: KeyEncryptionOptions): Promise<ResolvedKeyring> {
  if (keyEncryptionKeys) return { keyring: keyEncryptionKeys }
  const file = await readOrCreateKekFile(dataDir)
  const keyring = parseKeyEncryptionKeys(file.secret, fileSource(file.path))
  return file.created ? { keyring, generatedAt: file.path } : { keyring }
}

/**
 * A CLI's keyring: the configured one, or DATA_DIR's file if the service made it. Undefined when
 * there is neither: a CLI does not generate a secret the service would then have to be given.
 */
export async function existingKeyring ({ keyEncryptionKeys, dataDir }: KeyEncryptionOptions):
Promise<KekKeyring | undefined> {
  if (keyEncryptionKeys) return keyEncryptionKeys
  const file = await readKekFile(dataDir)
  return file && parseKeyEncryptionKeys(file.secret, fileSource(file.path))
}
