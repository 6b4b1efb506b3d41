import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * scrypt with N=2^15, r=8, p=1 (about 32 MiB and tens of milliseconds per hash). The parameters are
 * stored in each hash, so they can be raised later without invalidating existing passwords.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 }
const KEY_LENGTH = 32
const SALT_LENGTH = 16
const PREFIX = 'scrypt'

function derive (password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // scrypt runs on libuv's thread pool, so hashing never blocks the event loop.
  const maxmem = 256 * (options.N ?? 0) * (options.r ?? 0) + 1024 * 1024
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem }, (error, key) => error ? reject(error) : resolve(key))
  })
}

/** Returns `scrypt$N$r$p$salt$hash` with a fresh random salt (base64url). */
export async function hashPassword (password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const key = await derive(password, salt, PARAMS)
  return [PREFIX, PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** Constant-time comparison of `password` against a stored hash. A malformed hash never matches. */
export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const [prefix, n, r, p, salt, hash] = stored.split('$')
  if (prefix !== PREFIX || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
