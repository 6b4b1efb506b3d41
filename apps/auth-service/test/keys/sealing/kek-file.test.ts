import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { parseKeyEncryptionKeys, readOrCreateKekFile } from '../../../src/keys/sealing/index.js'

async function dataDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kek-file-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

describe('the generated key-encryption key file', () => {
  it('is created once, readable by its owner only, and read back afterwards', async () => {
    const dir = await dataDir()
    const first = await readOrCreateKekFile(dir)
    expect(first).toMatchObject({ path: join(dir, 'key-encryption-key'), created: true })
    expect(parseKeyEncryptionKeys(first.secret).byId.size).toBe(1)
    expect((await stat(first.path)).mode & 0o777).toBe(0o600)
    expect((await readFile(first.path, 'utf8')).trim()).toBe(first.secret)
    expect(await readOrCreateKekFile(dir)).toEqual({ ...first, created: false })
  })

  it('gives processes starting together the same secret, created by exactly one of them', async () => {
    const dir = await dataDir()
    const results = await Promise.all(Array.from({ length: 8 }, () => readOrCreateKekFile(dir)))
    expect(new Set(results.map((result) => result.secret)).size).toBe(1)
    expect(results.filter((result) => result.created)).toHaveLength(1)
    expect(await readdir(dir)).toEqual(['key-encryption-key'])
  })
})
