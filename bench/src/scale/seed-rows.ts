import { createHash, scrypt } from 'node:crypto'

/**
 * The rows the scale scenario seeds, defined once and computed the same way in JavaScript (SQLite,
 * and the tokens the load presents) and in SQL (PostgreSQL's generate_series): every value of row
 * `i` derives from a per-run salt and `i`, so the bench knows which refresh tokens are live and what
 * their plaintext is without storing anything but hashes, as the service does.
 *
 * Shapes, per table of `n` rows:
 * - users: `user<i>`, one scrypt hash shared by all (the service's format and cost; 10⁶ distinct
 *   hashes would take hours), roles alternating.
 * - refresh_tokens: families of 4 rotations (3 used, the newest unused), a third of them from a
 *   browser session; by family: 2 in 10 expired (absolute expiry passed), 1 in 10 revoked, the rest
 *   live, issued over the last 100 minutes.
 * - browser_sessions: 2 in 10 expired, 1 in 10 ended (logged out), the rest live.
 */
export const FAMILY_SIZE = 4
export const PASSWORD = 'bench-scale-password'
export const LOGIN_CLIENT = 'demo-client'
export const REFRESH_SCOPE = 'reports:read'
const MINUTE = 60_000
const HOUR = 60 * MINUTE
export const ABSOLUTE_MS = 30 * 24 * HOUR
export const IDLE_MS = 24 * HOUR
export const SESSION_MS = 10 * HOUR

export const sha256url = (text: string) => createHash('sha256').update(text).digest('base64url')
/** A UUID-shaped id from an MD5, as PostgreSQL's `md5(text)::uuid` prints it. */
export function md5Uuid (text: string): string {
  const hex = createHash('md5').update(text).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export const userName = (i: number) => `user${i}`
export const userId = (salt: string, i: number) => md5Uuid(`${salt}:user:${i}`)
export const sessionSid = (salt: string, j: number) => md5Uuid(`${salt}:sid:${j}`)
export const familyId = (salt: string, f: number) => md5Uuid(`${salt}:family:${f}`)
/** Refresh token `i`'s plaintext: 43 base64url characters, as the service's 32 random bytes are. */
export const refreshToken = (salt: string, i: number) => sha256url(`${salt}:rt:${i}`)

/** A family's fate by its number: the same rule as the SQL (`f % 10`). */
export function familyClass (f: number): 'expired' | 'revoked' | 'live' {
  const c = f % 10
  return c < 2 ? 'expired' : c === 2 ? 'revoked' : 'live'
}

/** Refresh token rows `from`…`to - 1` whose token is live and unused: what a load may redeem. */
/**
 * Up to `count` live, unused refresh tokens among rows `from`…`to - 1`, spread evenly over them (a
 * load that redeemed only neighbours would find their pages cached).
 */
export function liveRefreshTokens (salt: string, from: number, to: number, count: number): string[] {
  const first = Math.ceil(from / FAMILY_SIZE)
  const families = Math.floor(to / FAMILY_SIZE) - first
  const stride = Math.max(1, Math.floor(families / count))
  const tokens: string[] = []
  for (let f = first; f < first + families && tokens.length < count; f += stride) {
    // The next live family at or after f: classes repeat every 10.
    let live = f
    while (familyClass(live) !== 'live') live++
    const i = live * FAMILY_SIZE + FAMILY_SIZE - 1
    if (i < to) tokens.push(refreshToken(salt, i))
  }
  return [...new Set(tokens)]
}

/** The service's password hash format (users/password-hash.ts): `scrypt$N$r$p$salt$hash`. */
export function passwordHash (password: string): Promise<string> {
  const params = { N: 2 ** 15, r: 8, p: 1 }
  const salt = createHash('sha256').update(password).digest().subarray(0, 16)
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { ...params, maxmem: 64 * 1024 * 1024 }, (error, key) => error
      ? reject(error)
      : resolve(['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')]
        .join('$')))
  })
}

export interface SeedTimes {
  /** ms since the epoch, the seeding's "now". */
  now: number
}

/** One users row (id, user_name, password_hash, role, created_at). */
export function userRow (salt: string, i: number, hash: string, { now }: SeedTimes) {
  return [userId(salt, i), userName(i), hash, i % 2 === 0 ? 'read' : 'write', now - i * 1000] as const
}

/** One browser_sessions row (id_hash, sid, user_id, auth_time, last_seen_at, idle_expires_at, expires_at, ended_at). */
export function sessionRow (salt: string, j: number, users: number, { now }: SeedTimes) {
  const c = j % 10
  const authTime = c < 2 ? now - SESSION_MS - HOUR - (j % 1000) * 1000 : now - (j % 600) * 1000
  const lastSeen = authTime + MINUTE
  return [sha256url(`${salt}:session:${j}`), sessionSid(salt, j), userId(salt, j % users), authTime, lastSeen,
    Math.min(lastSeen + 30 * MINUTE, authTime + SESSION_MS), authTime + SESSION_MS, c === 2 ? lastSeen : null] as const
}

/**
 * One refresh_tokens row (token_hash, family_id, user_id, client_id, scope, issued_at, idle_expires_at,
 * expires_at, used_at, revoked_at, session_id).
 */
export function refreshRow (salt: string, i: number, users: number, sessions: number, { now }: SeedTimes) {
  const f = Math.floor(i / FAMILY_SIZE)
  const k = i % FAMILY_SIZE
  const fate = familyClass(f)
  const start = fate === 'expired'
    ? now - ABSOLUTE_MS - HOUR - (f % 1000) * 1000
    : now - 5 * MINUTE - (f % 100) * MINUTE
  const issued = start + k * 1000
  const expires = start + ABSOLUTE_MS
  const used = k < FAMILY_SIZE - 1 ? issued + 1000 : null
  return [sha256url(refreshToken(salt, i)), familyId(salt, f), userId(salt, f % users), LOGIN_CLIENT, REFRESH_SCOPE,
    issued, Math.min(issued + IDLE_MS, expires), expires, used, fate === 'revoked' ? issued + 1000 : null,
    f % 3 === 0 ? sessionSid(salt, f % sessions) : null] as const
}
