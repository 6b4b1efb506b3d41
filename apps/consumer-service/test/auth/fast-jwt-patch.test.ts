import { createSecretKey } from 'node:crypto'
import { createVerifier } from 'fast-jwt'
import { describe, expect, it } from 'vitest'
import { craftToken, makeKey, type TestKey } from '../helper.js'

/**
 * patches/fast-jwt@6.3.6.patch, against fast-jwt itself. Its first hunk only changes how a signature
 * is checked (the prepared KeyObject straight to crypto.verify): those cases hold on the released
 * 6.3.6 too, and make sure the faster path accepts and refuses exactly what the old one did. The
 * second lets a key resolver return a KeyObject: those cases fail on the released 6.3.6.
 */
const claims = () => ({ sub: 'user-1', exp: Math.floor(Date.now() / 1000) + 60 })

function verifierFor (key: TestKey) {
  return createVerifier({ key: key.publicKey.export({ type: 'spki', format: 'pem' }) as string, algorithms: [key.alg] })
}

describe('fast-jwt, as patched: signatures', () => {
  it.each(['RS256', 'RS512', 'ES256', 'ES384', 'PS256', 'EdDSA'] as const)('verifies a %s signature, and refuses a changed payload or another key\'s signature', async (alg) => {
    const [key, other] = [await makeKey(alg), await makeKey(alg)]
    const verify = verifierFor(key)
    const token = craftToken({ alg, typ: 'JWT' }, claims(), key.privateKey)
    expect(verify(token)).toMatchObject({ sub: 'user-1' })

    const [header, , signature] = token.split('.')
    const changed = `${header}.${Buffer.from(JSON.stringify({ ...claims(), sub: 'admin' })).toString('base64url')}.${signature}`
    expect(() => verify(changed)).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_SIGNATURE' }))
    expect(() => verify(craftToken({ alg, typ: 'JWT' }, claims(), other.privateKey))).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_SIGNATURE' }))
  })

  it('refuses an ES256 signature of the wrong length instead of reading it', async () => {
    const key = await makeKey('ES256')
    const token = craftToken({ alg: 'ES256', typ: 'JWT' }, claims(), key.privateKey)
    expect(() => verifierFor(key)(token.slice(0, -4))).toThrow(expect.objectContaining({ code: 'FAST_JWT_VERIFY_ERROR' }))
  })

  it('refuses an RS256 header on a PS256 signature, and the reverse', async () => {
    const key = await makeKey('RS256')
    const verify = createVerifier({ key: key.publicKey.export({ type: 'spki', format: 'pem' }) as string, algorithms: ['RS256', 'PS256'] })
    const payload = claims()
    const [rs, ps] = (['RS256', 'PS256'] as const).map((alg) => craftToken({ alg, typ: 'JWT' }, payload, key.privateKey).split('.'))
    const swapped = (token: string[], signature: string[]) => `${token[0]}.${token[1]}.${signature[2]}`
    expect(verify(swapped(rs as string[], rs as string[]))).toMatchObject({ sub: 'user-1' })
    expect(() => verify(swapped(rs as string[], ps as string[]))).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_SIGNATURE' }))
    expect(() => verify(swapped(ps as string[], rs as string[]))).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_SIGNATURE' }))
  })
})

describe('fast-jwt, as patched: a key resolver may return a KeyObject', () => {
  const resolving = (key: unknown, algorithms: string[]) => createVerifier({
    key: async () => key as string,
    algorithms: algorithms as never
  })

  it.each(['RS256', 'ES256', 'ES384', 'PS256', 'EdDSA'] as const)('verifies %s with the public KeyObject it returns', async (alg) => {
    const key = await makeKey(alg)
    const verify = resolving(key.publicKey, [alg])
    await expect(verify(craftToken({ alg, typ: 'JWT' }, claims(), key.privateKey))).resolves.toMatchObject({ sub: 'user-1' })
    await expect(verify(craftToken({ alg, typ: 'JWT' }, claims(), (await makeKey(alg)).privateKey))).rejects.toMatchObject({ code: 'FAST_JWT_INVALID_SIGNATURE' })
  })

  it('refuses a private KeyObject, and one that fits none of the allowed algorithms', async () => {
    const [rsa, ec] = [await makeKey('RS256'), await makeKey('ES256')]
    const token = craftToken({ alg: 'RS256', typ: 'JWT' }, claims(), rsa.privateKey)
    await expect(resolving(rsa.privateKey, ['RS256'])(token)).rejects.toMatchObject({ code: 'FAST_JWT_INVALID_KEY' })
    await expect(resolving(ec.publicKey, ['RS256'])(token)).rejects.toMatchObject({ code: 'FAST_JWT_INVALID_KEY' })
  })

  it('never takes a public key for an HMAC secret: HS256 signed with its PEM is refused', async () => {
    const rsa = await makeKey('RS256')
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
    const token = craftToken({ alg: 'HS256', typ: 'JWT' }, claims(), { hmac: pem })
    await expect(resolving(rsa.publicKey, ['RS256', 'HS256'])(token)).rejects.toMatchObject({ code: 'FAST_JWT_INVALID_SIGNATURE' })
  })

  it('verifies HS256 with a secret KeyObject, and refuses an empty one', async () => {
    const token = craftToken({ alg: 'HS256', typ: 'JWT' }, claims(), { hmac: 'a secret of some length' })
    await expect(resolving(createSecretKey(Buffer.from('a secret of some length')), ['HS256'])(token)).resolves.toMatchObject({ sub: 'user-1' })
    await expect(resolving(createSecretKey(Buffer.alloc(0)), ['HS256'])(token)).rejects.toMatchObject({ code: 'FAST_JWT_INVALID_KEY' })
  })
})
