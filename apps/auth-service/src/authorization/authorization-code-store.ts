import type { SqlDatabase } from '@repo/service-kit/sql'
import { hashHandle, newHandle } from '../crypto/opaque-handle.js'

/** What an authorization code stands for. */
export interface AuthorizationCodeGrant {
  clientId: string
  userId: string
  /** The browser session's `sid`. */
  sessionId: string
  redirectUri: string
  /** The granted scope, narrowed to the client's and the user's. */
  scope: string
  codeChallenge: string
  nonce: string | undefined
  /** When the user entered their password, ms since the epoch. */
  authTime: number
  /** `dpop_jkt` of the authorization request (RFC 9449 §10): the exchange needs a proof by that key. */
  dpopJkt?: string | undefined
  /** RFC 8707: the resources the authorization request named; the token request may only narrow to one. */
  resources?: string[] | undefined
}

export type CodeRedemption<E> =
  | { ok: true, grant: AuthorizationCodeGrant }
  | { ok: false, reason: 'unknown' | 'expired' | 'reused' }
  | { ok: false, reason: 'refused', refusal: E }

interface CodeRow {
  client_id: string
  user_id: string
  session_id: string | null
  redirect_uri: string
  scope: string
  code_challenge: string
  nonce: string | null
  auth_time: number
  expires_at: number
  used_at: number | null
  refresh_family_id: string | null
  dpop_jkt: string | null
  /** A JSON array, or NULL when the authorization request named no resource. */
  resources: string | null
}

function grantOf (row: CodeRow): AuthorizationCodeGrant {
  return {
    clientId: row.client_id,
    userId: row.user_id,
    sessionId: row.session_id ?? '',
    redirectUri: row.redirect_uri,
    scope: row.scope,
    codeChallenge: row.code_challenge,
    nonce: row.nonce ?? undefined,
    authTime: Number(row.auth_time),
    dpopJkt: row.dpop_jkt ?? undefined,
    resources: row.resources === null ? undefined : JSON.parse(row.resources) as string[]
  }
}

/** At most 60 s (RFC 6749 §4.1.2 recommends 10 minutes at most; OAuth 2.1 and FAPI ask for less). */
export const CODE_LIFETIME_MS = 60_000
/** Used and expired codes are kept this long: a code presented again within it still revokes what it gave. */
export const KEEP_USED_MS = 24 * 60 * 60 * 1000
/** `refresh_family_id` of a code presented twice before its first exchange recorded its family. */
const REUSED_MARK = 'reused'

/**
 * Authorization codes: 256 random bits, stored as their hash, usable once within 60 s. A code
 * presented again (RFC 6749 §4.1.2) is refused and revokes the refresh token family its first
 * exchange issued, with the family's session-revoked event (`RefreshTokenStore.revokeFamily`): the
 * access token that exchange issued is then refused by the consumers with a Shared Signals stream;
 * the others accept it for the rest of its TOKEN_TTL. Every redemption runs in a transaction on the
 * code's lock, so of two concurrent ones, on one replica or two, exactly one succeeds.
 */
export class AuthorizationCodeStore {
  readonly #db: SqlDatabase
  readonly #revokeFamily: (familyId: string, now: number) => Promise<void>

  constructor (db: SqlDatabase, revokeFamily: (familyId: string, now: number) => Promise<void>) {
    this.#db = db
    this.#revokeFamily = revokeFamily
  }

  /** A new code for `grant` (codes long dead are deleted by the purge: maintenance/retention-rules.ts). */
  async issue (grant: AuthorizationCodeGrant, now: number): Promise<string> {
    const code = newHandle()
    await this.#db.run(
      `INSERT INTO authorization_codes (code_hash, client_id, user_id, session_id, redirect_uri, scope,
         code_challenge, nonce, auth_time, issued_at, expires_at, dpop_jkt,
         resources)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
         $13)`,
      [hashHandle(code), grant.clientId, grant.userId, grant.sessionId, grant.redirectUri, grant.scope,
        grant.codeChallenge, grant.nonce ?? null, grant.authTime, now, now + CODE_LIFETIME_MS, grant.dpopJkt ?? null,
        grant.resources === undefined ? null : JSON.stringify(grant.resources)])
    return code
  }

  /**
   * What `code` stands for while it is unused and unexpired, without using it (undefined otherwise): a
   * caller checks the exchange with it before doing what must precede `redeem` (the DPoP replay check).
   */
  async peek (code: string, now: number): Promise<AuthorizationCodeGrant | undefined> {
    const row = await this.#db.get<CodeRow>(
      'SELECT * FROM authorization_codes WHERE code_hash = $1', [hashHandle(code)])
    return row && row.used_at === null && now < row.expires_at ? grantOf(row) : undefined
  }

  /**
   * Uses `code` once. `check` (the client, the redirect URI, the PKCE verifier) may refuse it, which
   * leaves it unused: a thief without the verifier cannot spend the code of the client that has it.
   */
  async redeem<E> (code: string, now: number, check: (grant: AuthorizationCodeGrant) => E | undefined):
  Promise<CodeRedemption<E>> {
    const codeHash = hashHandle(code)
    const outcome = await this.#db.transaction(`authorization_code:${codeHash}`, async (tx) => {
      const row = await tx.get<CodeRow>('SELECT * FROM authorization_codes WHERE code_hash = $1', [codeHash])
      if (!row) return { ok: false as const, reason: 'unknown' as const }
      if (row.used_at !== null) {
        // One statement, on the row as it is now: the first use's `recordFamily` may have set its family since
        // the read above (it runs outside this transaction), and then that family is the one to revoke.
        const marked = await tx.get<{ refresh_family_id: string }>(
          `UPDATE authorization_codes SET refresh_family_id = COALESCE(refresh_family_id, $1) WHERE code_hash = $2
           RETURNING refresh_family_id`, [REUSED_MARK, codeHash])
        return { ok: false as const, reason: 'reused' as const, familyId: marked?.refresh_family_id ?? null }
      }
      if (now >= row.expires_at) return { ok: false as const, reason: 'expired' as const }
      const grant = grantOf(row)
      const refusal = check(grant)
      if (refusal !== undefined) return { ok: false as const, reason: 'refused' as const, refusal }
      await tx.run('UPDATE authorization_codes SET used_at = $1 WHERE code_hash = $2', [now, codeHash])
      return { ok: true as const, grant }
    })
    if (!outcome.ok && outcome.reason === 'reused') {
      if (outcome.familyId && outcome.familyId !== REUSED_MARK) await this.#revokeFamily(outcome.familyId, now)
      return { ok: false, reason: 'reused' }
    }
    return outcome
  }

  /**
   * Records the refresh token family the exchange of `code` issued. False when the code was presented
   * again meanwhile: the caller revokes the family and refuses.
   */
  async recordFamily (code: string, familyId: string): Promise<boolean> {
    return await this.#db.run(
      'UPDATE authorization_codes SET refresh_family_id = $1 WHERE code_hash = $2 AND refresh_family_id IS NULL',
      [familyId, hashHandle(code)]) > 0
  }
}
