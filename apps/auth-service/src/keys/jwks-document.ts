import { createHash } from 'node:crypto'
import { PUBLIC_JWK_MEMBERS, type PublicJwk } from '@repo/contracts/jwks'

/** A JWKS serialized once per key change, with the strong ETag of exactly those bytes. */
export interface JwksDocument {
  body: string
  etag: string
  keys: readonly PublicJwk[]
}

/** Copies only the allow-listed public members: a private member can't leak by accident. */
export function toPublicJwk (jwk: Readonly<Record<string, unknown>>): PublicJwk {
  const copy: Record<string, unknown> = {}
  for (const member of PUBLIC_JWK_MEMBERS) {
    if (jwk[member] !== undefined) copy[member] = jwk[member]
  }
  return copy as unknown as PublicJwk
}

export function buildJwksDocument (keys: readonly PublicJwk[]): JwksDocument {
  const publicKeys = keys.map(toPublicJwk)
  const body = JSON.stringify({ keys: publicKeys })
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`
  return { body, etag, keys: publicKeys }
}

/** RFC 9110 §13.1.2: `If-None-Match` matches on `*` or any listed tag, weak or strong. */
export function matchesIfNoneMatch (header: string | undefined, etag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}
