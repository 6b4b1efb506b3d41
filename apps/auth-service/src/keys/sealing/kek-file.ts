import { randomBytes } from 'node:crypto'
import { link, readFile, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** The file, in DATA_DIR, that holds the generated secret of a SQLite deployment without one configured. */
export const KEK_FILE_NAME = 'key-encryption-key'

/** A new 256-bit key-encryption key in base64url, the form `KEY_ENCRYPTION_KEYS` takes. */
export function generateKeyEncryptionKey (): string {
  return randomBytes(32).toString('base64url')
}

export interface KekFile {
  path: string
  secret: string
  /** True when this call generated the secret (the service says so in its log, naming the path). */
  created: boolean
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code

async function readSecret (path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

/**
 * The secret in `dataDir/key-encryption-key`, generated (mode 0600) if the file does not exist. Two
 * processes starting together agree: the secret is written whole to a file of this process's own,
 * then linked into place, which fails for all but one of them; the others read the winner's. (Opening
 * the file itself with `wx` would let a loser read it before the winner's write.) The caller parses the
 * content, naming the path in its errors.
 */
export async function readOrCreateKekFile (dataDir: string): Promise<KekFile> {
  const path = join(dataDir, KEK_FILE_NAME)
  const existing = await readSecret(path)
  if (existing !== undefined) return { path, secret: existing, created: false }
  const secret = generateKeyEncryptionKey()
  const draft = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`
  await writeFile(draft, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  try {
    await link(draft, path)
    return { path, secret, created: true }
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error
    return { path, secret: await readSecret(path) ?? '', created: false }
  } finally {
    await unlink(draft)
  }
}

/** The secret in `dataDir/key-encryption-key`, or undefined if there is none yet (a CLI never makes one). */
export async function readKekFile (dataDir: string): Promise<Omit<KekFile, 'created'> | undefined> {
  const path = join(dataDir, KEK_FILE_NAME)
  const secret = await readSecret(path)
  return secret === undefined ? undefined : { path, secret }
}
