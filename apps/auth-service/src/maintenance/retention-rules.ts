import { KEEP_USED_MS } from '../authorization/authorization-code-store.js'

/** What the retention of the purged tables depends on. */
export interface RetentionSettings {
  /**
   * How long an access token can outlive the moment it was minted, as anyone may accept it:
   * TOKEN_TTL + CLOCK_TOLERANCE. A row an unexpired access token still refers to is kept.
   */
  accessTokenReachMs: number
  /** How long an authorization code can be exchanged after it was issued (CODE_LIFETIME_MS). */
  codeLifetimeMs: number
}

/**
 * One table's purge: rows matching `where` (`$1`, `$2`… bound to `params(now)`, cut-off times) are
 * deleted by their primary key `key`. `why` is the retention, stated where the SQL is.
 */
export interface PurgeRule {
  table: string
  key: string
  where: string
  params: (now: number) => number[]
  why: string
}

/**
 * Every table of short-lived rows and how long a row must stay. Each claim is checked against the
 * code that reads the table (named in `why`). `ssf_*` are swept by signals/retention.ts on their own
 * timer; `rate_limits` (PostgreSQL) by rate-limits-plugin.ts once a minute.
 */
export function purgeRules ({ accessTokenReachMs, codeLifetimeMs }: RetentionSettings): readonly PurgeRule[] {
  return [
    {
      table: 'refresh_tokens',
      key: 'token_hash',
      where: 'expires_at <= $1',
      params: (now) => [now - accessTokenReachMs],
      why: 'every row of a family shares its absolute expiry `expires_at` (idle_expires_at is never later): past ' +
        'it no member can be redeemed, so reuse detection has nothing left to protect (redeem answers expired or ' +
        'unknown, both invalid_grant). Kept TOKEN_TTL + CLOCK_TOLERANCE longer: a row keeps its session row ' +
        '(below) while an access token the family minted may be unexpired.'
    },
    {
      table: 'browser_sessions',
      key: 'id_hash',
      // The ended_at test is belt and braces: every path that mints a token naming the sid is bounded above.
      where: `expires_at <= $1 AND (ended_at IS NULL OR ended_at <= $2)
        AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.session_id = browser_sessions.sid)`,
      params: (now) => [now - codeLifetimeMs - accessTokenReachMs, now - accessTokenReachMs],
      why: 'introspection answers inactive for an access token whose `sid` names an ended session ' +
        '(SessionStore.hasEnded), and a missing row reads as not ended: a row stays while an access token ' +
        'naming it can be unexpired. Tokens are minted by a code issued while the session lived (past ' +
        'expires_at + code lifetime + reach none is live) or by a refresh token of the session (a ' +
        'refresh_tokens row stays until every token its family minted has expired, and the session with it).'
    },
    {
      table: 'authorization_codes',
      key: 'code_hash',
      where: 'expires_at <= $1',
      params: (now) => [now - KEEP_USED_MS],
      why: 'a code presented again revokes the refresh family its first exchange issued ' +
        '(AuthorizationCodeStore.redeem): used and expired codes are kept KEEP_USED_MS (24 h) for that.'
    },
    {
      table: 'authorization_requests',
      key: 'id_hash',
      where: 'expires_at <= $1',
      params: (now) => [now],
      why: 'PendingAuthorizationStore.find refuses a request at its expires_at: nothing reads it after.'
    },
    {
      table: 'client_assertions',
      key: 'client_id, jti',
      where: 'expires_at < $1',
      params: (now) => [now],
      why: 'an assertion is refused once expired, so its jti cannot be replayed after expires_at; ' +
        'ClientStore.rememberAssertion takes over an expired row left here.'
    },
    {
      table: 'auth_dpop_proofs',
      key: 'proof_key',
      where: 'expires_at <= $1',
      params: (now) => [now],
      why: 'a proof is remembered until its iat window (plus tolerance) has passed; SqlReplayCache takes ' +
        'over an expired row, so an expired one protects nothing.'
    }
  ]
}
