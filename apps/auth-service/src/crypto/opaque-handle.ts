import { createHash, randomBytes } from 'node:crypto'

/**
 * A new random handle (256 bits, base64url): a refresh token, an authorization code, a session
 * cookie, a pending request's id. Only its hash is stored, so a database reader gets no usable one.
 */
export const newHandle = (): string => randomBytes(32).toString('base64url')

/** The stored form of a handle: its SHA-256. A handle has 256 random bits; a slow hash buys nothing. */
export const hashHandle = (handle: string): string => createHash('sha256').update(handle).digest('base64url')
