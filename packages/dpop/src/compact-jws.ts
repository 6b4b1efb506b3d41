/** A compact JWS split into what verification needs, nothing decoded yet. */
export interface CompactJws {
  encodedHeader: string
  /** `BASE64URL(header) . BASE64URL(payload)`: what the signature covers. */
  signingInput: string
  encodedPayload: string
  /** Decoded only when the header has passed: a signature is worth nothing before. */
  encodedSignature: string
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * base64url as RFC 7515 §2 writes it: its alphabet only, no padding, and the one encoding of its bytes
 * (Buffer's decoder skips foreign characters and ignores stray bits, so two strings could name one key
 * and give it two thumbprints). `undefined` otherwise.
 */
export function decodeBase64url (value: string): Buffer | undefined {
  if (!BASE64URL.test(value)) return undefined
  const bytes = Buffer.from(value, 'base64url')
  return bytes.toString('base64url') === value ? bytes : undefined
}

/** A base64url JSON object (a JWS header or JWT claims set), or `undefined`. */
export function decodeJsonObject (value: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64url(value)
  if (bytes === undefined || bytes.length === 0) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? parsed as Record<string, unknown>
    : undefined
}

/** Splits a compact JWS (RFC 7515 §7.1); a string reason when it is not exactly three parts. */
export function splitCompactJws (jws: string): CompactJws | string {
  const parts = jws.split('.')
  if (parts.length !== 3) return 'not a compact JWS (three base64url parts)'
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string]
  // A slice of the proof itself (the engine shares its characters), not a second copy of them.
  const signingInput = jws.slice(0, encodedHeader.length + 1 + encodedPayload.length)
  return { encodedHeader, signingInput, encodedPayload, encodedSignature }
}
