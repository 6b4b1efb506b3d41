import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/cli/cli-error.js'
import { checkClientJwks, readClientJwksFile } from '../../src/cli/client-jwks.js'
import { tempDataDir } from '../helper.js'

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ed = generateKeyPairSync('ed25519')
const publicJwk = (pair: typeof ec) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' })
const privateJwk = (pair: typeof ec) => pair.privateKey.export({ format: 'jwk' })

function refusal (run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (error instanceof CliError) return error.message
    throw error
  }
  throw new Error('expected a refusal')
}

describe('a client JWKS', () => {
  it('accepts public EC, RSA and OKP keys and keeps only "keys"', () => {
    const keys = [publicJwk(ec), publicJwk(rsa), publicJwk(ed)]
    expect(checkClientJwks({ keys, extra: 'dropped' })).toEqual({ keys })
  })

  it.each<[string, unknown, string]>([
    ['an array', [publicJwk(ec)], 'the JWKS must be a JSON object with a "keys" array'],
    ['null', null, 'the JWKS must be a JSON object with a "keys" array'],
    ['a single JWK', publicJwk(ec), 'the JWKS must be a JSON object with a "keys" array'],
    ['no keys', { keys: [] }, 'the JWKS has no keys'],
    ['a key that is a string', { keys: ['abc'] }, 'the JWKS is refused: key 0 is not a JSON object'],
    ['a key without kty', { keys: [{ x: 'abc' }] }, 'the JWKS is refused: key 0 has no kty'],
    ['an EC private key', { keys: [publicJwk(ec), privateJwk(ec)] }, 'the JWKS is refused: key 1 has private members (d): register only the public half of a key pair'],
    ['an RSA private key', { keys: [privateJwk(rsa)] }, 'the JWKS is refused: key 0 has private members (d, p, q, dp, dq, qi): register only the public half of a key pair'],
    ['an Ed25519 private key', { keys: [privateJwk(ed)] }, 'the JWKS is refused: key 0 has private members (d): register only the public half of a key pair'],
    ['a symmetric key', { keys: [{ kty: 'oct', k: randomBytes(32).toString('base64url') }] }, 'the JWKS is refused: key 0 has private members (k): register only the public half of a key pair'],
    ['a lone "d" on an otherwise public key', { keys: [{ ...publicJwk(ec), d: '' }] }, 'the JWKS is refused: key 0 has private members (d): register only the public half of a key pair'],
    ['an unknown kty', { keys: [{ kty: 'XYZ' }] }, 'the JWKS is refused: key 0 has kty "XYZ": use RSA, EC, OKP'],
    ['an encryption key', { keys: [{ ...publicJwk(ec), use: 'enc' }] }, 'the JWKS is refused: key 0 has use "enc": client assertion keys are signature keys (use "sig")']
  ])('refuses %s', (_case, jwks, message) => {
    expect(refusal(() => checkClientJwks(jwks))).toBe(message)
  })

  it('refuses a public key that does not parse', () => {
    expect(refusal(() => checkClientJwks({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] }))).toMatch(/^the JWKS is refused: key 0 is not a valid public EC key: /)
  })
})

describe('a client JWKS file', () => {
  it('reads a public key set', async () => {
    const path = join(await tempDataDir(), 'jwks.json')
    await writeFile(path, JSON.stringify({ keys: [publicJwk(ec)] }))
    expect(await readClientJwksFile(path)).toEqual({ keys: [publicJwk(ec)] })
  })

  it.each<[string, string | undefined, (path: string) => string]>([
    ['a missing file', undefined, (path) => `cannot read the JWKS file ${path}: ENOENT`],
    ['a file that is not JSON', 'keys: []', (path) => `${path} is not JSON`],
    ['a private key', JSON.stringify({ keys: [privateJwk(ec)] }), (path) => `${path}: the JWKS is refused: key 0 has private members (d): register only the public half of a key pair`],
    ['a huge file', ' '.repeat(65 * 1024), (path) => `${path} is larger than 64 KiB: not a JWKS`]
  ])('refuses %s in one line naming it', async (_case, content, message) => {
    const path = join(await tempDataDir(), 'jwks.json')
    if (content !== undefined) await writeFile(path, content)
    await expect(readClientJwksFile(path)).rejects.toThrow(new CliError(message(path)))
  })
})
