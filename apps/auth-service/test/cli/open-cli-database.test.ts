import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/cli/cli-error.js'
import { openCliDatabase } from '../../src/cli/open-cli-database.js'
import { openAuthDatabase } from '../../src/db/open-auth-database.js'
import { tempDataDir } from '../helper.js'

const HINT = 'or pass --init to create one'

describe('openCliDatabase', () => {
  it('refuses a DATA_DIR without a database, naming the absolute path, and creates nothing', async () => {
    const dataDir = join(await tempDataDir(), 'dta')
    const error = (() => {
      try {
        openCliDatabase(dataDir, { hint: HINT })
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).message).toBe(`no auth database at ${resolve(dataDir, 'auth.db')} — check DATA_DIR, ${HINT}`)
    expect((error as CliError).exitCode).toBe(1)
    expect(existsSync(dataDir)).toBe(false)
  })

  it('resolves a relative DATA_DIR against the working directory in the message', () => {
    expect(() => openCliDatabase('./no-such-data-dir', { hint: HINT }))
      .toThrow(`no auth database at ${join(process.cwd(), 'no-such-data-dir', 'auth.db')} — check DATA_DIR, ${HINT}`)
  })

  it('refuses an existing, empty DATA_DIR without creating the file', async () => {
    const dataDir = await tempDataDir()
    expect(() => openCliDatabase(dataDir, { hint: HINT })).toThrow(CliError)
    expect(existsSync(join(dataDir, 'auth.db'))).toBe(false)
  })

  it('creates the database when asked to (--init)', async () => {
    const dataDir = join(await tempDataDir(), 'new')
    openCliDatabase(dataDir, { create: true, hint: HINT }).close()
    expect(existsSync(join(dataDir, 'auth.db'))).toBe(true)
  })

  it('opens a database the service created', async () => {
    const dataDir = await tempDataDir()
    openAuthDatabase(dataDir).close()
    const db = openCliDatabase(dataDir, { hint: HINT })
    expect(db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 0 })
    db.close()
  })
})
