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

/**
 * The third hunk makes fast-jwt's claim checks cheaper per token (messages made once per verifier, no
 * arrays for single values, no context object without a cache, `typ` compared as it is before it is
 * normalized, a KeyObject's algorithms found once): these cases hold on the released 6.3.6 too, and
 * pin down that each check still refuses what it refused, with the same code and message.
 */
describe('fast-jwt, as patched: claim checks', () => {
  const now = Math.floor(Date.now() / 1000)
  const options = { algorithms: ['ES256'] as never, allowedAud: 'api', allowedIss: 'https://issuer', checkTyp: 'at+jwt' }

  it.each([
    ['a string aud', { aud: 'api' }, undefined],
    ['an aud list holding the audience', { aud: ['other', 'api'] }, undefined],
    ['an aud list without it', { aud: ['other'] }, ['FAST_JWT_INVALID_CLAIM_VALUE', 'None of aud claim values are allowed.']],
    ['another aud', { aud: 'other' }, ['FAST_JWT_INVALID_CLAIM_VALUE', 'The aud claim value is not allowed.']],
    ['a numeric aud', { aud: 7 }, ['FAST_JWT_INVALID_CLAIM_TYPE', 'The aud claim must be a string or an array of strings.']],
    ['an aud list with a number', { aud: ['api', 7] }, ['FAST_JWT_INVALID_CLAIM_TYPE', 'The aud claim must be a string or an array of strings.']],
    ['an iss list', { iss: ['https://issuer'] }, ['FAST_JWT_INVALID_CLAIM_VALUE', 'The iss claim must be a string.']],
    ['a numeric iss', { iss: 1 }, ['FAST_JWT_INVALID_CLAIM_TYPE', 'The iss claim must be a string.']],
    ['a string exp', { exp: String(now + 60) }, ['FAST_JWT_INVALID_CLAIM_TYPE', 'The exp claim must be a number.']],
    ['an exp in the past', { exp: now - 60 }, ['FAST_JWT_EXPIRED', undefined]],
    ['an nbf in the future', { nbf: now + 60 }, ['FAST_JWT_INACTIVE', undefined]]
  ] as const)('%s', async (_name, overrides, refusal) => {
    const key = await makeKey('ES256')
    const claims = { iss: 'https://issuer', aud: 'api', exp: now + 60, ...overrides }
    const token = craftToken({ alg: 'ES256', typ: 'at+jwt' }, claims, key.privateKey)
    for (const verify of [
      createVerifier({ ...options, key: key.publicKey.export({ type: 'spki', format: 'pem' }) as string }),
      createVerifier({ ...options, key: async () => key.publicKey as never })
    ]) {
      const outcome = Promise.resolve().then(() => verify(token))
      if (refusal === undefined) {
        await expect(outcome).resolves.toMatchObject({ iss: 'https://issuer' })
      } else {
        const [code, message] = refusal
        await expect(outcome).rejects.toMatchObject(message === undefined ? { code } : { code, message })
      }
    }
  })

  it.each([
    ['at+jwt', true],
    ['application/at+JWT', true],
    ['JWT', false],
    [7, false]
  ] as const)('typ %j is accepted for at+jwt: %s', async (typ, accepted) => {
    const key = await makeKey('ES256')
    const token = craftToken({ alg: 'ES256', typ }, { iss: 'https://issuer', aud: 'api', exp: now + 60 }, key.privateKey)
    const outcome = createVerifier({ ...options, key: async () => key.publicKey as never })(token)
    if (accepted) await expect(outcome).resolves.toMatchObject({ aud: 'api' })
    else await expect(outcome).rejects.toMatchObject({ code: 'FAST_JWT_INVALID_TYPE' })
  })

  it('checks the algorithms of a KeyObject it has seen before as it did the first time', async () => {
    const [ec, rsa] = [await makeKey('ES256'), await makeKey('RS256')]
    const verify = createVerifier({ algorithms: ['RS256'], key: async () => ec.publicKey as never })
    const token = craftToken({ alg: 'RS256', typ: 'JWT' }, claims(), rsa.privateKey)
    for (let i = 0; i < 3; i++) await expect(verify(token)).rejects.toMatchObject({ code: 'FAST_JWT_INVALID_KEY' })
    const good = createVerifier({ algorithms: ['ES256'], key: async () => ec.publicKey as never })
    for (let i = 0; i < 3; i++) {
      await expect(good(craftToken({ alg: 'ES256', typ: 'JWT' }, claims(), ec.privateKey))).resolves.toMatchObject({ sub: 'user-1' })
    }
  })
})

/**
 * The fourth hunk: `keySync`, a key function that returns the key, makes the verifier synchronous (the
 * consumer's verification of a token whose key is at hand takes no promise). These cases fail on the
 * released 6.3.6, where the option does not exist and such a verifier waits for a callback forever.
 */
describe('fast-jwt, as patched: keySync', () => {
  it('returns the payload, and throws a refusal, synchronously', async () => {
    const key = await makeKey('ES256')
    const seen: unknown[] = []
    const verify = createVerifier({
      algorithms: ['ES256'], keySync: true, key: (decoded) => { seen.push(decoded.header.kid); return key.publicKey }
    })
    expect(verify(craftToken({ alg: 'ES256', typ: 'JWT', kid: 'k1' }, claims(), key.privateKey))).toMatchObject({ sub: 'user-1' })
    expect(seen).toEqual(['k1'])
    const forged = craftToken({ alg: 'ES256', typ: 'JWT' }, claims(), (await makeKey('ES256')).privateKey)
    expect(() => verify(forged)).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_SIGNATURE' }))
  })

  it('wraps what the key function throws in a key-fetching error that keeps it', async () => {
    const key = await makeKey('ES256')
    const reason = new Error('no such issuer')
    const verify = createVerifier({ algorithms: ['ES256'], keySync: true, key: () => { throw reason } })
    expect(() => verify(craftToken({ alg: 'ES256', typ: 'JWT' }, claims(), key.privateKey)))
      .toThrow(expect.objectContaining({ code: 'FAST_JWT_KEY_FETCHING_ERROR', originalError: reason }))
  })

  it('checks the key it returns as an asynchronous key function\'s', async () => {
    const [ec, rsa] = [await makeKey('ES256'), await makeKey('RS256')]
    const token = craftToken({ alg: 'RS256', typ: 'JWT' }, claims(), rsa.privateKey)
    const returning = (key: unknown) => createVerifier({ algorithms: ['RS256'], keySync: true, key: () => key as never })
    expect(() => returning(ec.publicKey)(token)).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_KEY' }))
    expect(() => returning(rsa.privateKey)(token)).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_KEY' }))
    expect(() => returning(42)(token)).toThrow(expect.objectContaining({ code: 'FAST_JWT_KEY_FETCHING_ERROR' }))
    expect(returning(rsa.publicKey.export({ type: 'spki', format: 'pem' }))(token)).toMatchObject({ sub: 'user-1' })
  })

  it('is refused without a key function, or as anything but a boolean', async () => {
    const pem = (await makeKey('RS256')).publicKey.export({ type: 'spki', format: 'pem' }) as string
    expect(() => createVerifier({ key: pem, keySync: true } as never)).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_OPTION' }))
    expect(() => createVerifier({ key: () => pem, keySync: 'yes' } as never)).toThrow(expect.objectContaining({ code: 'FAST_JWT_INVALID_OPTION' }))
  })
})
