import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { loadConfig } from '../src/config.js'
import { generateKeyEncryptionKey, kekIdOf } from '../src/keys/sealing/index.js'
import { tempDataDir } from './helper.js'

const NEW = generateKeyEncryptionKey()
const OLD = generateKeyEncryptionKey()
const kekId = (secret: string) => kekIdOf(Buffer.from(secret, 'base64url'))
const DATABASE_URL = 'postgres://auth:pw@db.example:5432/auth'
const HOW = 'make one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"'

function configError (env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigError')
}

async function secretsFile (content: string): Promise<string> {
  const path = join(await tempDataDir(), 'kek')
  await writeFile(path, content)
  return path
}

describe('KEY_ENCRYPTION_KEYS and KEY_ENCRYPTION_KEYS_FILE', () => {
  it('are required with DATABASE_URL, the message saying how to make one', () => {
    expect(configError({ DATABASE_URL })).toBe('invalid configuration: KEY_ENCRYPTION_KEYS (or ' +
      `KEY_ENCRYPTION_KEYS_FILE) must be set with DATABASE_URL: the signing keys are stored sealed with it; ${HOW}`)
  })

  it('may be unset on SQLite (the service generates a secret into DATA_DIR)', () => {
    expect(loadConfig({}).keyEncryptionKeys).toBeUndefined()
  })

  it('reads the list newest first from the variable', () => {
    const { keyEncryptionKeys } = loadConfig({ DATABASE_URL, KEY_ENCRYPTION_KEYS: `${NEW},${OLD}` })
    expect(keyEncryptionKeys?.newest.id).toBe(kekId(NEW))
    expect([...keyEncryptionKeys?.byId.keys() ?? []]).toEqual([kekId(NEW), kekId(OLD)])
  })

  it('reads the same list from the file, one secret a line', async () => {
    const path = await secretsFile(`${NEW}\n${OLD}\n`)
    const { keyEncryptionKeys } = loadConfig({ DATABASE_URL, KEY_ENCRYPTION_KEYS_FILE: path })
    expect(keyEncryptionKeys?.toJSON())
      .toEqual({ source: `KEY_ENCRYPTION_KEYS_FILE (${path})`, kekIds: [kekId(NEW), kekId(OLD)] })
  })

  it('never shows a secret when the configuration is serialized or inspected', () => {
    const config = loadConfig({ DATABASE_URL, KEY_ENCRYPTION_KEYS: `${NEW},${OLD}` })
    const printed = [
      JSON.stringify(config), inspect(config, { depth: 10, showHidden: true }), String(config.keyEncryptionKeys)
    ]
    for (const text of printed) {
      expect(text).not.toContain(NEW)
      expect(text).not.toContain(OLD)
      expect(text).not.toContain(Buffer.from(NEW, 'base64url').toString('hex'))
    }
    expect(JSON.parse(JSON.stringify(config)).keyEncryptionKeys)
      .toEqual({ source: 'KEY_ENCRYPTION_KEYS', kekIds: [kekId(NEW), kekId(OLD)] })
  })

  it('refuses both at once', async () => {
    const path = await secretsFile(NEW)
    expect(configError({ KEY_ENCRYPTION_KEYS: NEW, KEY_ENCRYPTION_KEYS_FILE: path }))
      .toBe('invalid configuration: KEY_ENCRYPTION_KEYS and KEY_ENCRYPTION_KEYS_FILE are both set: set one of them')
  })

  const short = randomBytes(16).toString('base64url')
  it.each([
    ['a short secret', short, `KEY_ENCRYPTION_KEYS must be 32 bytes (256 bits) in base64url, 43 characters; ${HOW}`],
    ['standard base64', `+${NEW.slice(1)}`,
      `KEY_ENCRYPTION_KEYS is not base64url (A-Z a-z 0-9 - _, no padding); ${HOW}`],
    ['an empty value', '', `KEY_ENCRYPTION_KEYS is empty; ${HOW}`],
    ['a bad second secret', `${NEW},${short}`, 'KEY_ENCRYPTION_KEYS secret 2 of 2 must be 32 bytes (256 bits) in ' +
      `base64url, 43 characters; ${HOW}`]
  ])('refuses %s with one line naming the variable, not the secret', (_, value, message) => {
    const text = configError({ DATABASE_URL, KEY_ENCRYPTION_KEYS: value })
    expect(text).toBe(`invalid configuration: ${message}`)
    if (value.length > 0) expect(text).not.toContain(value.split(',').at(-1))
  })

  it('refuses a file that cannot be read, or holds a bad secret, naming the variable and the path', async () => {
    const missing = join(await tempDataDir(), 'absent')
    expect(configError({ DATABASE_URL, KEY_ENCRYPTION_KEYS_FILE: missing }))
      .toBe(`invalid configuration: KEY_ENCRYPTION_KEYS_FILE (${missing}) cannot be read: ` +
        'ENOENT: no such file or directory')
    const bad = await secretsFile(`${short}\n`)
    const text = configError({ DATABASE_URL, KEY_ENCRYPTION_KEYS_FILE: bad })
    expect(text).toBe(`invalid configuration: KEY_ENCRYPTION_KEYS_FILE (${bad}) must be 32 bytes (256 bits) in ` +
      `base64url, 43 characters; ${HOW}`)
    expect(text).not.toContain(short)
  })
})
