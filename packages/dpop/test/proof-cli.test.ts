import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { main } from '../src/proof-cli.js'
import { verifyProof } from '../src/verify-proof.js'
import { NOW } from './proofs.js'

/** Runs the command in a fresh directory (or `cwd`), collecting its exit status and output. */
async function run (args: string[], { cwd, env = {} }: { cwd?: string, env?: Record<string, string> } = {}) {
  const dir = cwd ?? await mkdtemp(join(tmpdir(), 'dpop-proof-'))
  if (cwd === undefined) onTestFinished(() => rm(dir, { recursive: true, force: true }))
  let stdout = ''
  let stderr = ''
  const status = await main(args, {
    env, cwd: dir, now: () => NOW, stdout: (text) => { stdout += text }, stderr: (text) => { stderr += text }
  })
  return { status, stdout, stderr, dir }
}

const expectations = { iatWindowSeconds: 60, clockToleranceSeconds: 5, now: () => NOW }

describe('proof command', () => {
  it('prints a proof the verifier accepts, for the URL without query and fragment, with ath for a token', async () => {
    const { status, stdout, stderr, dir } = await run(['GET', 'http://localhost:3000/api/v1/reports?page=2#top', 'the.token'])
    expect(status).toBe(0)
    expect(stderr).toBe(`proof: created a new ES256 key in ${join(dir, '.dpop-key.json')} (mode 0600)\n`)
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    const verified = await verifyProof(stdout.trim(), {
      ...expectations, method: 'GET', url: 'http://localhost:3000/api/v1/reports', accessToken: 'the.token'
    })
    expect(verified.iat).toBe(NOW / 1000)
    expect((await stat(join(dir, '.dpop-key.json'))).mode & 0o777).toBe(0o600)
  })

  it('signs every proof with the key in its file, created once, which --thumbprint names', async () => {
    const first = await run(['POST', 'https://as.example/oauth/token'])
    const second = await run(['--', 'POST', 'https://as.example/oauth/token'], { cwd: first.dir })
    const thumbprint = await run(['--thumbprint'], { cwd: first.dir })
    expect([first.stderr, second.status, second.stderr, thumbprint.status, thumbprint.stderr])
      .toEqual([expect.stringContaining('created a new ES256 key'), 0, '', 0, ''])
    const expected = { ...expectations, method: 'POST', url: 'https://as.example/oauth/token' }
    const jkts = [(await verifyProof(first.stdout.trim(), expected)).jkt, (await verifyProof(second.stdout.trim(), expected)).jkt]
    expect(jkts).toEqual([thumbprint.stdout.trim(), thumbprint.stdout.trim()])
  })

  it('takes the key file from DPOP_KEY_FILE, relative to where the command was typed', async () => {
    const { status, dir } = await run(['--thumbprint'], { env: { DPOP_KEY_FILE: 'keys.json' } })
    expect(status).toBe(0)
    expect(JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) })
  })

  it.each([
    [['get', 'http://localhost/'], 'proof: unknown method get (one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)\n'],
    [['GET', 'ftp://localhost/'], 'proof: not an http(s) URL: ftp://localhost/\n'],
    [['GET', 'localhost:3000/x'], 'proof: not an http(s) URL: localhost:3000/x\n'],
    [['GET', '/api/v1/reports'], 'proof: not a URL: /api/v1/reports\n'],
    [['GET'], expect.stringContaining('usage: proof <METHOD> <URL> [access_token]')],
    [['GET', 'http://localhost/', 'token', 'extra'], expect.stringContaining('usage:')]
  ])('refuses %j with exit status 2 and says why, creating no key', async (args, message) => {
    const { status, stdout, stderr, dir } = await run(args)
    expect({ status, stdout, stderr }).toEqual({ status: 2, stdout: '', stderr: message })
    await expect(stat(join(dir, '.dpop-key.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses a key file that is not an ES256 private JWK, and leaves it alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dpop-proof-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    await writeFile(join(dir, '.dpop-key.json'), '{"kty":"EC","crv":"P-256","x":"a","y":"b"}')
    const { status, stderr } = await run(['GET', 'http://localhost/'], { cwd: dir })
    expect([status, stderr]).toEqual([1, `proof: ${join(dir, '.dpop-key.json')} is not an ES256 private JWK (kty EC, crv P-256, with d)\n`])
    expect(await readFile(join(dir, '.dpop-key.json'), 'utf8')).toBe('{"kty":"EC","crv":"P-256","x":"a","y":"b"}')
  })

  it('prints its usage on --help', async () => {
    expect(await run(['--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('DPOP_KEY_FILE'), stderr: '' })
  })
})
