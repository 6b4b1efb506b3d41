import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { loadConfig } from '../src/config.js'
import { tempDataDir } from './helper.js'

const DATABASE_URL = 'postgres://auth:pw@db.example:5432/auth'
const MODULE = '/usr/lib/softhsm/libsofthsm2.so'
const PIN = 'user-pin-4711'

function configError (env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigError')
}

async function pinFile (content = `${PIN}\n`): Promise<string> {
  const path = join(await tempDataDir(), 'pin')
  await writeFile(path, content)
  return path
}

const pkcs11 = async (env: Record<string, string> = {}) => ({
  SIGNING_KEY_STORE: 'pkcs11',
  PKCS11_MODULE: MODULE,
  PKCS11_TOKEN_LABEL: 'auth',
  PKCS11_PIN_FILE: await pinFile(),
  ...env
})

describe('SIGNING_KEY_STORE and the PKCS11_* variables', () => {
  it('default to the database store, which needs none of them', () => {
    const config = loadConfig({})
    expect(config.signingKeyStore).toBe('database')
    expect(config.pkcs11).toBeUndefined()
  })

  it('read the token settings and the PIN from its file (trailing line break dropped)', async () => {
    const env = await pkcs11()
    const config = loadConfig(env)
    expect(config.signingKeyStore).toBe('pkcs11')
    expect(config.pkcs11?.modulePath).toBe(MODULE)
    expect(config.pkcs11?.token).toEqual({ tokenLabel: 'auth' })
    expect(config.pkcs11?.pin()).toBe(PIN)
    expect(loadConfig(await pkcs11({ PKCS11_PIN_FILE: await pinFile(`${PIN}\r\n`) })).pkcs11?.pin()).toBe(PIN)
    // Printed or serialized (a log line, a debugger), the configuration shows where the PIN is, never the PIN.
    expect(JSON.stringify(config)).not.toContain(PIN)
    expect(inspect(config, { depth: 10 })).not.toContain(PIN)
    expect(JSON.stringify(config.pkcs11)).toBe(JSON.stringify({
      modulePath: MODULE, token: { tokenLabel: 'auth' }, pinFile: env.PKCS11_PIN_FILE
    }))
  })

  it('select a token by slot index instead', async () => {
    const { PKCS11_TOKEN_LABEL: _label, ...env } = await pkcs11({ PKCS11_SLOT: '1' })
    expect(loadConfig(env).pkcs11?.token).toEqual({ slotIndex: 1 })
    expect(configError({ ...env, PKCS11_SLOT: 'first' }))
      .toBe('invalid configuration: PKCS11_SLOT must be a slot index (0, 1, …), got "first"')
  })

  it('need exactly one of PKCS11_TOKEN_LABEL and PKCS11_SLOT', async () => {
    const message = 'invalid configuration: SIGNING_KEY_STORE=pkcs11 needs exactly one of PKCS11_TOKEN_LABEL ' +
      '(the token\'s label, as softhsm2-util --show-slots prints it) and PKCS11_SLOT (a slot index)'
    expect(configError(await pkcs11({ PKCS11_SLOT: '0' }))).toBe(message)
    const { PKCS11_TOKEN_LABEL: _label, ...neither } = await pkcs11()
    expect(configError(neither)).toBe(message)
  })

  it('need PKCS11_MODULE and PKCS11_PIN_FILE, naming each', () => {
    expect(configError({ SIGNING_KEY_STORE: 'pkcs11', PKCS11_TOKEN_LABEL: 'auth' })).toBe('invalid configuration: ' +
      'PKCS11_MODULE must be set with SIGNING_KEY_STORE=pkcs11: the path of the token\'s PKCS#11 library ' +
      '(e.g. /usr/lib/softhsm/libsofthsm2.so); PKCS11_PIN_FILE must be set with SIGNING_KEY_STORE=pkcs11: ' +
      'a file holding the token\'s user PIN (never a variable\'s value)')
  })

  it('refuse a PIN file that cannot be read or is empty, naming the file, not its content', async () => {
    const missing = join(await tempDataDir(), 'no-pin')
    expect(configError(await pkcs11({ PKCS11_PIN_FILE: missing })))
      .toBe(`invalid configuration: PKCS11_PIN_FILE (${missing}) cannot be read: ENOENT: no such file or directory`)
    const empty = await pinFile('\n')
    expect(configError(await pkcs11({ PKCS11_PIN_FILE: empty })))
      .toBe(`invalid configuration: PKCS11_PIN_FILE (${empty}) is empty: it holds the token's user PIN`)
  })

  it('refuse PKCS11_* without SIGNING_KEY_STORE=pkcs11: the keys would not be where the operator thinks', () => {
    expect(configError({ PKCS11_MODULE: MODULE })).toBe('invalid configuration: PKCS11_MODULE is set but ' +
      'SIGNING_KEY_STORE is not pkcs11: set SIGNING_KEY_STORE=pkcs11, or unset it')
  })

  it('refuse an unknown store', () => {
    expect(configError({ SIGNING_KEY_STORE: 'vault' })).toMatch(/^invalid configuration: SIGNING_KEY_STORE must be /)
  })

  it('with pkcs11, need no KEY_ENCRYPTION_KEYS beside DATABASE_URL: nothing private is stored', async () => {
    expect(configError({ DATABASE_URL })).toMatch(/KEY_ENCRYPTION_KEYS \(or KEY_ENCRYPTION_KEYS_FILE\) must be set/)
    expect(loadConfig(await pkcs11({ DATABASE_URL })).keyEncryptionKeys).toBeUndefined()
  })
})
