import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import type { EnvReader } from '@repo/service-kit/env'
import { setting } from '@repo/service-kit/settings'
import type { TokenSelector } from './pkcs11/index.js'

/** Where the private halves of the signing keys are: sealed in the database, or in a PKCS#11 token. */
export const SIGNING_KEY_STORES = ['database', 'pkcs11'] as const
export type SigningKeyStore = typeof SIGNING_KEY_STORES[number]

const VARIABLES = ['PKCS11_MODULE', 'PKCS11_TOKEN_LABEL', 'PKCS11_SLOT', 'PKCS11_PIN_FILE'] as const

/**
 * How to reach the token (`SIGNING_KEY_STORE=pkcs11`). It sits in the service's configuration, which a
 * log line or a debugger may print: printed or serialized, it shows the module, the token and the PIN
 * file's path, never the PIN.
 */
export class Pkcs11Settings {
  readonly modulePath: string
  readonly token: TokenSelector
  readonly pinFile: string
  readonly #pin: string

  constructor (modulePath: string, token: TokenSelector, pinFile: string, pin: string) {
    this.modulePath = modulePath
    this.token = token
    this.pinFile = pinFile
    this.#pin = pin
  }

  /** The variable that selects the token, for messages. */
  get tokenVariable (): string {
    return 'tokenLabel' in this.token ? 'PKCS11_TOKEN_LABEL' : 'PKCS11_SLOT'
  }

  /** The user PIN, read from PKCS11_PIN_FILE at start-up: only for the token's login. */
  pin (): string {
    return this.#pin
  }

  toJSON (): { modulePath: string, token: TokenSelector, pinFile: string } {
    return { modulePath: this.modulePath, token: this.token, pinFile: this.pinFile }
  }

  [inspect.custom] (): string {
    return `Pkcs11Settings ${JSON.stringify(this.toJSON())}`
  }
}

interface Parts {
  PKCS11_MODULE: string | undefined
  PKCS11_TOKEN_LABEL: string | undefined
  PKCS11_SLOT: string | undefined
  PKCS11_PIN_FILE: string | undefined
}

/** The PIN: the file's content without its trailing line break. Problems name the file, never the content. */
function readPin (env: EnvReader, path: string): string | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    // Node's message starts with the code and its meaning ("ENOENT: no such file or directory, open …").
    const reason = (error as Error).message.split(',')[0] ?? ''
    env.problem('PKCS11_PIN_FILE', `PKCS11_PIN_FILE (${path}) cannot be read: ${reason}`)
    return undefined
  }
  const pin = text.replace(/\r?\n$/, '')
  if (pin === '') env.problem('PKCS11_PIN_FILE', `PKCS11_PIN_FILE (${path}) is empty: it holds the token's user PIN`)
  return pin === '' ? undefined : pin
}

function tokenOf (env: EnvReader, label: string | undefined, slot: string | undefined): TokenSelector | undefined {
  if ((label === undefined) === (slot === undefined)) {
    env.problem('PKCS11_TOKEN_LABEL', 'SIGNING_KEY_STORE=pkcs11 needs exactly one of PKCS11_TOKEN_LABEL ' +
      '(the token\'s label, as softhsm2-util --show-slots prints it) and PKCS11_SLOT (a slot index)')
    return undefined
  }
  if (label !== undefined) return { tokenLabel: label }
  if (slot !== undefined && /^\d{1,4}$/.test(slot.trim())) return { slotIndex: Number(slot) }
  env.problem('PKCS11_SLOT', `PKCS11_SLOT must be a slot index (0, 1, …), got "${slot}"`)
  return undefined
}

/**
 * The PKCS11_* variables: required (the PIN read from its file) with SIGNING_KEY_STORE=pkcs11, and
 * refused without it, so an operator who set them cannot believe the keys are in a token when they
 * are in the database.
 */
function readPkcs11 (env: EnvReader, store: SigningKeyStore, parts: Parts): Pkcs11Settings | undefined {
  if (store !== 'pkcs11') {
    for (const name of VARIABLES.filter((variable) => parts[variable] !== undefined)) {
      env.problem(name, `${name} is set but SIGNING_KEY_STORE is not pkcs11: set SIGNING_KEY_STORE=pkcs11, or unset it`)
    }
    return undefined
  }
  const { PKCS11_MODULE: modulePath, PKCS11_PIN_FILE: pinFile } = parts
  if (modulePath === undefined) {
    env.problem('PKCS11_MODULE', 'PKCS11_MODULE must be set with SIGNING_KEY_STORE=pkcs11: the path of the ' +
      'token\'s PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so)')
  }
  if (pinFile === undefined) {
    env.problem('PKCS11_PIN_FILE', 'PKCS11_PIN_FILE must be set with SIGNING_KEY_STORE=pkcs11: a file holding ' +
      'the token\'s user PIN (never a variable\'s value)')
  }
  const token = tokenOf(env, parts.PKCS11_TOKEN_LABEL, parts.PKCS11_SLOT)
  const pin = pinFile === undefined ? undefined : readPin(env, pinFile)
  if (modulePath === undefined || pinFile === undefined || token === undefined || pin === undefined) return undefined
  return new Pkcs11Settings(modulePath, token, pinFile, pin)
}

/** `SIGNING_KEY_STORE`: `database` (sealed with KEY_ENCRYPTION_KEYS) or `pkcs11`. */
export const SIGNING_KEY_STORE_SETTING = setting.oneOf('SIGNING_KEY_STORE', SIGNING_KEY_STORES, { default: 'database' })

/** `PKCS11_MODULE`, `PKCS11_TOKEN_LABEL` or `PKCS11_SLOT`, `PKCS11_PIN_FILE`: the token, with `pkcs11`. */
export const PKCS11_SETTING = setting.map(
  setting.object({
    PKCS11_MODULE: setting.string('PKCS11_MODULE', { minLength: 1 }),
    PKCS11_TOKEN_LABEL: setting.string('PKCS11_TOKEN_LABEL', { minLength: 1 }),
    PKCS11_SLOT: setting.string('PKCS11_SLOT', { minLength: 1 }),
    PKCS11_PIN_FILE: setting.string('PKCS11_PIN_FILE', { minLength: 1 })
  }),
  (parts, { vars, env }) => readPkcs11(env, vars.SIGNING_KEY_STORE === 'pkcs11' ? 'pkcs11' : 'database', parts)
)
