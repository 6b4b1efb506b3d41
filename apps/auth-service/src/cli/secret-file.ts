import { open, rm } from 'node:fs/promises'
import { CliError } from './cli-error.js'

/** A new file for a client secret, created empty before the client exists. */
export interface SecretFile {
  write: (secret: string) => Promise<void>
  /** Removes the file again: the client it was for was not registered. */
  discard: () => Promise<void>
}

/**
 * Creates `path` for a secret: exclusively (an existing file is never overwritten: it may hold the
 * secret of a client registered before) and readable by this user only.
 */
export async function createSecretFile (path: string): Promise<SecretFile> {
  const handle = await open(path, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(error.code === 'EEXIST'
      ? `--secret-file ${path} exists already: remove it, or name another file`
      : `--secret-file ${path} cannot be created (${error.code ?? error.message})`)
  })
  return {
    async write (secret) {
      try {
        await handle.writeFile(secret)
      } finally {
        await handle.close()
      }
    },
    async discard () {
      await handle.close()
      await rm(path, { force: true })
    }
  }
}
