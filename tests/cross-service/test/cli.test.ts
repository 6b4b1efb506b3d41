import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { login } from '@repo/service-harness/http'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { runAuthCli, startService, type ServiceProcess } from '@repo/service-harness/service-process'

interface ListedKey { kid: string, alg: string, state: string }

/**
 * The built `users` and `keys` CLIs against a running auth service on the same DATA_DIR, each run
 * with nothing in its environment but DATA_DIR (and SIGNING_ALG where a case says so).
 */
describe('auth-service CLIs beside a running service', () => {
  let dataDir: Awaited<ReturnType<typeof tempDir>>
  let auth: ServiceProcess

  beforeAll(async () => {
    dataDir = await tempDir('cli-auth-')
    const port = await freePort()
    auth = startService('auth-service', port, {
      ISSUER: `http://127.0.0.1:${port}`, DATA_DIR: dataDir.path, SIGNING_ALG: 'ES256', SEED_DEMO_USERS: 'false'
    })
    await auth.waitUntilReady()
  })

  afterAll(async () => {
    await auth?.stop()
    await dataDir?.remove()
  })

  const users = (args: string[], input = '') => runAuthCli('users', args, { DATA_DIR: dataDir.path }, input)
  const keys = (args: string[], env: Record<string, string> = {}) => runAuthCli('keys', args, { DATA_DIR: dataDir.path, ...env })
  const listKeys = async () => JSON.parse((await keys(['list', '--json'])).stdout) as ListedKey[]
  const publishedKids = async () => {
    const { keys: published } = await (await fetch(`${auth.url}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> }
    return published.map((key) => key.kid)
  }

  it('adds a user who can log in at once, changes the password, and removes the user', async () => {
    const added = await users(['add', 'alice', 'read'], 'correct horse\n')
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).toMatch(/^added user alice with role read \(sub [0-9a-f-]{36}\)\n$/)
    expect((await login(auth.url, 'alice', 'correct horse')).status).toBe(200)

    const duplicate = await users(['add', 'ALICE', 'write'], 'other password\n')
    expect(duplicate).toEqual({ code: 1, stdout: '', stderr: 'users: a user named alice already exists\n' })

    const listed = await users(['list', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual([{ id: expect.any(String), userName: 'alice', role: 'read', createdAt: expect.any(Number) }])

    const changed = await users(['passwd', 'alice'], 'battery staple\n')
    expect(changed.code, changed.stderr).toBe(0)
    expect((await login(auth.url, 'alice', 'correct horse')).status).toBe(401)
    expect((await login(auth.url, 'alice', 'battery staple')).status).toBe(200)

    const removed = await users(['remove', 'alice'])
    expect(removed.code, removed.stderr).toBe(0)
    expect((await login(auth.url, 'alice', 'battery staple')).status).toBe(401)
    expect((await users(['remove', 'alice'])).stderr).toBe('users: no user named alice\n')
  })

  it.each<[string, string[], string, number]>([
    ['a one-character password', ['add', 'bob', 'read'], 'users: the password must be at least 8 characters\n', 1],
    ['a name of a single space', ['add', ' ', 'read'], 'users: a user name must not start or end with whitespace\n', 2],
    ['an unknown role', ['add', 'bob', 'admin'], 'users: unknown role "admin": use read or write\n', 2]
  ])('refuses %s in one line, adding nobody', async (_case, args, stderr, code) => {
    expect(await users(args, 'x\n')).toEqual({ code, stdout: '', stderr })
    const listed = JSON.parse((await users(['list', '--json'])).stdout) as Array<{ userName: string }>
    expect(listed.map((user) => user.userName)).not.toContain(args[1])
  })

  it('refuses a DATA_DIR without a database, names the path, and creates nothing', async () => {
    const typo = join(dataDir.path, 'dtaa')
    const env = { DATA_DIR: typo }
    const path = join(typo, 'auth.db')
    expect(await runAuthCli('users', ['add', 'bob', 'read'], env, 'correct horse\n')).toEqual({
      code: 1, stdout: '', stderr: `users: no auth database at ${path} — check DATA_DIR, or pass --init to create one\n`
    })
    expect(await runAuthCli('users', ['list'], env)).toEqual({
      code: 1, stdout: '', stderr: `users: no auth database at ${path} — check DATA_DIR, or start the service once to create one\n`
    })
    expect(await runAuthCli('keys', ['rotate'], env)).toEqual({
      code: 1, stdout: '', stderr: `keys: no auth database at ${path} — check DATA_DIR, or start the service once to create one\n`
    })
    expect(existsSync(typo)).toBe(false)

    const initialised = await runAuthCli('users', ['add', '--init', 'bob', 'read'], env, 'correct horse\n')
    expect(initialised.code, initialised.stderr).toBe(0)
    expect(existsSync(path)).toBe(true)
    // No service has run there: no key-encryption key either, and the keys CLI makes none.
    expect(await runAuthCli('keys', ['reseal'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `keys: no key-encryption key at ${join(typo, 'key-encryption-key')} — check DATA_DIR, ` +
        'start the service once to create it, or set KEY_ENCRYPTION_KEYS\n'
    })
    expect(existsSync(join(typo, 'key-encryption-key'))).toBe(false)
  })

  it('rotates in the algorithm the service signs with, not the CLI\'s default, and refuses a SIGNING_ALG that differs', async () => {
    const [active] = await listKeys()
    expect(active).toMatchObject({ alg: 'ES256', state: 'active' })

    const refused = await keys(['rotate'], { SIGNING_ALG: 'RS256' })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe('keys: SIGNING_ALG is RS256 here, but the service signs with ES256 (the active key in the database): unset SIGNING_ALG, or set it to ES256\n')
    expect(await listKeys()).toHaveLength(1)

    const rotated = await keys(['rotate'])
    expect(rotated.code, rotated.stderr).toBe(0)
    const kid = /next key (\S+) is published now and starts signing ES256 tokens/.exec(rotated.stdout)?.[1]
    expect(await listKeys()).toEqual([
      expect.objectContaining({ kid: active?.kid, alg: 'ES256', state: 'active' }),
      expect.objectContaining({ kid, alg: 'ES256', state: 'next' })
    ])
    // The running service picks the next key up on its next key-state poll and publishes it.
    await expect.poll(publishedKids, { timeout: 5000, interval: 100 }).toEqual([active?.kid, kid])
  })

  it('reseals with the secret the service generated into DATA_DIR: every key is sealed with it already', async () => {
    expect(await keys(['reseal'])).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^resealed 0 signing key\(s\): every stored private key is sealed with key-encryption key [\w-]{11}\n/),
      stderr: ''
    })
  })

  it('answers a usage error with one line and exit status 2', async () => {
    expect(await users(['delete', 'alice'])).toEqual({ code: 2, stdout: '', stderr: 'users: unknown command "delete": use add, list, remove, passwd or revoke-tokens\n' })
    expect(await keys(['revoke'])).toEqual({ code: 2, stdout: '', stderr: 'keys: revoke takes one kid: revoke [--] <kid>\n' })
  })

  it('refuses to revoke a kid it does not know', async () => {
    expect(await keys(['revoke', '-no-such-kid'])).toEqual({ code: 1, stdout: '', stderr: 'keys: no key with kid -no-such-kid\n' })
  })
})
