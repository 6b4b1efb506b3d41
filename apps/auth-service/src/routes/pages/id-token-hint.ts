import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose'

/** What a verified `id_token_hint` says: whom it was about, in which session, for which clients. */
export interface IdTokenHint {
  sub: string
  sid: string | undefined
  /** Its `aud`: the client it was issued to. */
  audience: string[]
}

const isString = (value: unknown): value is string => typeof value === 'string'

/**
 * An ID token this service issued, verified with its own published keys; undefined when it is not
 * one (another issuer, an access token, a bad signature, garbage). Its expiry is ignored on purpose
 * (RP-Initiated Logout §2): a client logs a user out long after the ID token's few minutes.
 */
export async function verifyIdTokenHint (
  token: string, { issuer, jwks }: { issuer: string, jwks: JSONWebKeySet }
): Promise<IdTokenHint | undefined> {
  let claims: Record<string, unknown>
  try {
    const { payload, protectedHeader } = await compactVerify(token, createLocalJWKSet(jwks))
    // Access tokens are signed by the same keys but are `at+jwt` (RFC 9068): never a hint.
    if (protectedHeader.typ !== 'JWT') return undefined
    claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
  } catch {
    // Whatever fails to verify or parse is simply not a hint: the user is asked instead.
    return undefined
  }
  if (claims === null || typeof claims !== 'object' || claims.iss !== issuer || !isString(claims.sub)) return undefined
  const audience = [claims.aud].flat().filter(isString)
  if (audience.length === 0) return undefined
  return { sub: claims.sub, sid: isString(claims.sid) ? claims.sid : undefined, audience }
}
