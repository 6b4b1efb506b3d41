import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ensureKeyEncryptionKey } from '../src/ensure-key-encryption-key.js'

async function kekPath (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dev-certs-kek-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return join(dir, 'key-encryption-keys')
}

describe('the compose stack\'s key-encryption key', () => {
  it('is made once, 256 bits of base64url readable by its owner only, and kept afterwards', async () => {
    const path = await kekPath()
    expect(await ensureKeyEncryptionKey(path))
      .toBe(`created a key-encryption key in ${path} (back it up with the database)`)
    const secret = await readFile(path, 'utf8')
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}\n$/)
    expect(Buffer.from(secret.trim(), 'base64url')).toHaveLength(32)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await ensureKeyEncryptionKey(path)).toBe(`kept the key-encryption key in ${path}`)
    expect(await readFile(path, 'utf8')).toBe(secret)
  })

  it('keeps a file an operator put there, whatever it holds', async () => {
    const path = await kekPath()
    await writeFile(path, 'their-own-list\n')
    expect(await ensureKeyEncryptionKey(path)).toBe(`kept the key-encryption key in ${path}`)
    expect(await readFile(path, 'utf8')).toBe('their-own-list\n')
  })
})
