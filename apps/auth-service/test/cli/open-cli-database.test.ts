import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/cli/cli-error.js'
import { openCliDatabase } from '../../src/cli/open-cli-database.js'
import { openAuthDatabase } from '../../src/db/open-auth-database.js'
import { freePort } from '@repo/service-harness/free-port'
import { freshLocation } from '../databases.js'
import { tempDataDir } from '../helper.js'

const HINT = 'or pass --init to create one'

describe('openCliDatabase', () => {
  it('refuses a DATA_DIR without a database, naming the absolute path, and creates nothing', async () => {
    const dataDir = join(await tempDataDir(), 'dta')
    const error = await openCliDatabase({ dataDir }, { hint: HINT }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).message).toBe(`no auth database at ${resolve(dataDir, 'auth.db')} — check DATA_DIR, ${HINT}`)
    expect((error as CliError).exitCode).toBe(1)
    expect(existsSync(dataDir)).toBe(false)
  })

  it('resolves a relative DATA_DIR against the working directory in the message', async () => {
    await expect(openCliDatabase({ dataDir: './no-such-data-dir' }, { hint: HINT }))
      .rejects.toThrow(`no auth database at ${join(process.cwd(), 'no-such-data-dir', 'auth.db')} — check DATA_DIR, ${HINT}`)
  })

  it('refuses an existing, empty DATA_DIR without creating the file', async () => {
    const dataDir = await tempDataDir()
    await expect(openCliDatabase({ dataDir }, { hint: HINT })).rejects.toThrow(CliError)
    expect(existsSync(join(dataDir, 'auth.db'))).toBe(false)
  })

  it('creates the database when asked to (--init)', async () => {
    const dataDir = join(await tempDataDir(), 'new')
    await (await openCliDatabase({ dataDir }, { create: true, hint: HINT })).close()
    expect(existsSync(join(dataDir, 'auth.db'))).toBe(true)
  })

  it('opens a database the service created', async () => {
    const dataDir = await tempDataDir()
    await (await openAuthDatabase({ dataDir })).close()
    const db = await openCliDatabase({ dataDir }, { hint: HINT })
    expect(await db.get('SELECT count(*) AS n FROM users')).toEqual({ n: 0 })
    await db.close()
  })
})

describe('openCliDatabase on PostgreSQL', () => {
  it('refuses a server it cannot reach in one line, naming the database without its password', async () => {
    const port = await freePort()
    const error = await openCliDatabase({ dataDir: '/nonexistent', databaseUrl: `postgres://auth:s3cret@127.0.0.1:${port}/auth` }, { hint: HINT })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).message).toBe(`cannot use the database postgres://auth@127.0.0.1:${port}/auth — check DATABASE_URL (connect ECONNREFUSED 127.0.0.1:${port})`)
  })

  it('opens a PostgreSQL database, creating the schema in it', async () => {
    const db = await openCliDatabase(await freshLocation('postgres'), { hint: HINT })
    expect(await db.get('SELECT count(*) AS n FROM users')).toEqual({ n: 0 })
    await db.close()
  })
})
