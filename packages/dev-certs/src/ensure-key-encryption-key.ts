import { randomBytes } from 'node:crypto'
import { link, readFile, unlink, writeFile } from 'node:fs/promises'

/**
 * Makes the auth service's key-encryption key file once (a 256-bit secret in base64url, mode 0600, the
 * form `KEY_ENCRYPTION_KEYS_FILE` reads), and never replaces it: the stored signing keys are sealed
 * with it, so a new one would open none of them. Written beside, then linked into place, so a
 * reader never sees it half written. Returns what was done, for the log.
 */
export async function ensureKeyEncryptionKey (path: string): Promise<string> {
  const existing = await readFile(path, 'utf8').catch(() => undefined)
  if (existing !== undefined) return `kept the key-encryption key in ${path}`
  const draft = `${path}.${process.pid}.tmp`
  await writeFile(draft, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 })
  try {
    await link(draft, path)
  } finally {
    await unlink(draft)
  }
  return `created a key-encryption key in ${path} (back it up with the database)`
}
