import { readFileSync } from 'node:fs'
import { ConfigError, type EnvReader } from '@repo/service-kit/env'
import { setting } from '@repo/service-kit/settings'
import { HOW_TO_MAKE, parseKeyEncryptionKeys, type KekKeyring } from './kek-keyring.js'

const VARIABLE = 'KEY_ENCRYPTION_KEYS'
const FILE_VARIABLE = 'KEY_ENCRYPTION_KEYS_FILE'

function readSecretsFile (path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    // Node's message starts with the code and its meaning ("ENOENT: no such file or directory, open …").
    const reason = (error as Error).message.split(',')[0] ?? ''
    throw new ConfigError(`invalid configuration: ${FILE_VARIABLE} (${path}) cannot be read: ${reason}`)
  }
}

/**
 * `KEY_ENCRYPTION_KEYS`, or the same list read once at start-up from the file `KEY_ENCRYPTION_KEYS_FILE`
 * names (a Docker secret; one secret per line, or commas); both set is a problem, neither is undefined.
 * A bad list is a problem naming the variable, never a secret.
 */
export function readKeyEncryptionKeys (
  env: EnvReader, value: string | undefined, file: string | undefined
): KekKeyring | undefined {
  if (value !== undefined && file !== undefined) {
    env.problem(VARIABLE, `${VARIABLE} and ${FILE_VARIABLE} are both set: set one of them`)
    return undefined
  }
  if (value !== undefined) return env.check(VARIABLE, () => parseKeyEncryptionKeys(value, VARIABLE))
  if (file === undefined) return undefined
  return env.check(FILE_VARIABLE, () => parseKeyEncryptionKeys(readSecretsFile(file), `${FILE_VARIABLE} (${file})`))
}

/**
 * With `DATABASE_URL`, private keys go to a shared database whose copies and backups travel: a secret
 * is required, and there is no local disk to generate one on. (On SQLite, none means one generated
 * into DATA_DIR at the service's first start.)
 */
export function requireKeyEncryptionKeys (env: EnvReader, keyring: KekKeyring | undefined): void {
  if (keyring !== undefined || !env.isSet('DATABASE_URL') || env.failed(VARIABLE) || env.failed(FILE_VARIABLE)) return
  env.problem(VARIABLE, `${VARIABLE} (or ${FILE_VARIABLE}) must be set with DATABASE_URL: the signing keys are ` +
    `stored sealed with it; ${HOW_TO_MAKE}`)
}

/** `KEY_ENCRYPTION_KEYS` / `KEY_ENCRYPTION_KEYS_FILE`: the secrets that seal the stored private keys. */
export const KEY_ENCRYPTION_SETTING = setting.map(
  setting.object({ value: setting.string(VARIABLE), file: setting.string(FILE_VARIABLE) }),
  ({ value, file }, { env }) => readKeyEncryptionKeys(env, value, file)
)
