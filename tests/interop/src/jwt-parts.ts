import { sign, type KeyObject } from 'node:crypto'

export type JsonObject = Record<string, unknown>

const encode = (value: JsonObject) => Buffer.from(JSON.stringify(value)).toString('base64url')
const decode = (segment: string | undefined) =>
  JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as JsonObject

/** A compact JWS's header and payload, unverified. */
export function decodeJwt (token: string): { header: JsonObject, payload: JsonObject } {
  const [header, payload] = token.split('.')
  return { header: decode(header), payload: decode(payload) }
}

/** `token` with another payload between its original header and signature: a splice, not a signature. */
export function withPayload (token: string, payload: JsonObject): string {
  const [header, , signature] = token.split('.')
  return `${header}.${encode(payload)}.${signature}`
}

/** Signs `header` and `payload` with `key` the way JWS does for the header's `alg` (RS256, ES256 or EdDSA). */
export function signJwt (header: JsonObject, payload: JsonObject, key: KeyObject): string {
  const input = `${encode(header)}.${encode(payload)}`
  const data = Buffer.from(input)
  const signature = header.alg === 'EdDSA'
    ? sign(null, data, key)
    : sign('sha256', data, header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key)
  return `${input}.${signature.toString('base64url')}`
}
