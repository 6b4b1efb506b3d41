import { describe, expect, it } from 'vitest'
import { cliKeyCustody } from '../../src/cli/cli-key-custody.js'
import { readOrCreateKekFile } from '../../src/keys/sealing/index.js'
import { tempDataDir, testConfig } from '../helper.js'
import { TEST_KEK, testCustody } from '../test-custody.js'
import { refusal } from './refusal.js'

describe('the keys CLI\'s key custody', () => {
  it('seals with KEY_ENCRYPTION_KEYS when it is set', async () => {
    const custody = await cliKeyCustody(testConfig({ DATA_DIR: await tempDataDir(), KEY_ENCRYPTION_KEYS: TEST_KEK }))
    expect(custody.currentKekId).toBe(testCustody.currentKekId)
  })

  it('on SQLite without it, reads the secret the service generated into DATA_DIR', async () => {
    const dir = await tempDataDir()
    const { secret } = await readOrCreateKekFile(dir)
    const custody = await cliKeyCustody(testConfig({ DATA_DIR: dir }))
    const key = await custody.generate('ES256')
    expect(await (await cliKeyCustody(testConfig({ DATA_DIR: dir, KEY_ENCRYPTION_KEYS: secret })))
      .open(key.kid, 'ES256', key.privateKey)).toMatchObject({ kid: key.kid })
  })

  it('refuses, in one line, when the service has not generated one yet (and makes none)', async () => {
    const dir = await tempDataDir()
    expect(await refusal(() => cliKeyCustody(testConfig({ DATA_DIR: dir })))).toEqual({
      message: `no key-encryption key at ${dir}/key-encryption-key — check DATA_DIR, start the service once to ` +
        'create it, or set KEY_ENCRYPTION_KEYS',
      exitCode: 1
    })
    expect(await refusal(() => cliKeyCustody(testConfig({ DATA_DIR: dir })))).toMatchObject({ exitCode: 1 })
  })

  it('generates one for a command that creates the database', async () => {
    const dir = await tempDataDir()
    const custody = await cliKeyCustody(testConfig({ DATA_DIR: dir }), { create: true })
    expect(custody.currentKekId).toBe((await cliKeyCustody(testConfig({ DATA_DIR: dir }))).currentKekId)
  })
})
