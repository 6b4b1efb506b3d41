import { createHmac, timingSafeEqual } from 'node:crypto'

export interface NonceSourceOptions {
  /** At least 32 bytes, the same on every replica (so a nonce one issued is good on all). */
  secret: Buffer
  /** How long a nonce is current; it is accepted for one period more, while clients pick up the next. */
  periodMs: number
  /** Milliseconds since the epoch. */
  now: () => number
}

export interface NonceSource {
  /** The nonce to send now (`DPoP-Nonce`). */
  current: () => string
  /** The nonces a proof may carry now: the current one and the one before it. */
  accepted: () => readonly string[]
  /** Whether `nonce` is one of `accepted()`, compared in constant time. */
  isValid: (nonce: string) => boolean
}

const MAC_BYTES = 16

/**
 * Server nonces (RFC 9449 §8) that need no storage: a nonce is the number of the period it was made in
 * and a MAC of that number under a secret the replicas share. Any replica can tell a current nonce
 * (this period's or the last one's) from a forged or old one; nothing is written per nonce.
 */
export function createNonceSource ({ secret, periodMs, now }: NonceSourceOptions): NonceSource {
  if (secret.length < 32) throw new RangeError('a DPoP nonce secret must be at least 32 bytes')
  const nonceOf = (period: number): string => {
    const slot = Buffer.alloc(8)
    slot.writeBigUInt64BE(BigInt(period))
    const mac = createHmac('sha256', secret).update(slot).digest().subarray(0, MAC_BYTES)
    return Buffer.concat([slot, mac]).toString('base64url')
  }
  const period = () => Math.floor(now() / periodMs)
  const accepted = () => {
    const current = period()
    return [nonceOf(current), nonceOf(current - 1)]
  }
  return {
    current: () => nonceOf(period()),
    accepted,
    isValid: (nonce) => {
      const given = Buffer.from(nonce)
      return accepted().some((good) => {
        const expected = Buffer.from(good)
        return expected.length === given.length && timingSafeEqual(expected, given)
      })
    }
  }
}
