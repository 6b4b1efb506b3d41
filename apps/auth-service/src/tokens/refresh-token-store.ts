import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { SqlDatabase, SqlQueryable } from '@repo/service-kit/sql'
import {
  CODE_REPLAYED, REFRESH_TOKEN_REUSED, REFRESH_TOKEN_REVOKED, familySubject, sessionRevoked, type RevocationCause
} from '../signals/caep-events.js'
import type { SignalLog } from '../signals/signal-log.js'
import { openSuccessor, sealSuccessor } from './successor-seal.js'

export interface RefreshLifetimes {
  /** A refresh token not used for this long is dead. */
  idleMs: number
  /** A family (a login and every rotation after it) is dead this long after the login, however used. */
  absoluteMs: number
  /**
   * For this long after a rotation, the rotated token presented again (its answer was lost: a crash, a
   * dropped connection) gets the same successor back instead of counting as reuse. 0 turns it off.
   */
  reuseGraceMs: number
}

/** Where a revoked family is announced to the Shared Signals receivers, and the issuer that names its user. */
export interface FamilySignals {
  log: SignalLog
  issuer: string
}

/** What a refresh token stands for. */
export interface RefreshGrant {
  userId: string
  clientId: string
  scope: string
  /** The browser session (its `sid`) the login happened in: logging out revokes the family. */
  sessionId?: string | undefined
  /**
   * DPoP: the thumbprint of the key a public client's tokens are bound to (RFC 9449 §5): redeeming one
   * takes a proof by that key. Every rotation's successor keeps it.
   */
  dpopJkt?: string | undefined
  /** RFC 8707: the resources its authorization request named; each rotation's successor keeps them. */
  resources?: string[] | undefined
}

/** A refresh token as introspection sees it (RFC 7662): what it stands for, and whether it still works. */
export interface RefreshTokenState {
  grant: RefreshGrant
  /** Not revoked, not rotated away, not expired: a redemption now would rotate it. */
  active: boolean
  /** Ms since the epoch. */
  issuedAt: number
  /** When it dies unless used before: the earlier of its idle and absolute deadlines, ms since the epoch. */
  expiresAt: number
}

export type Redemption =
  /** `replayed`: the token was rotated moments ago and `refreshToken` is the successor it got then. */
  | { ok: true, grant: RefreshGrant, refreshToken: string, replayed?: true }
  | { ok: false, reason: 'unknown' | 'expired' | 'revoked' | 'reused', grant?: RefreshGrant }

/** A redemption, or the refusal `check` gave (the token stays unused). */
export type CheckedRedemption<E> = Redemption | { ok: false, reason: 'refused', refusal: E }

interface RefreshRow {
  token_hash: string
  family_id: string
  user_id: string
  client_id: string
  scope: string
  idle_expires_at: number
  expires_at: number
  used_at: number | null
  revoked_at: number | null
  /** The successor, sealed under a key only the plaintext of this token gives (successor-seal.ts). */
  successor_sealed: string | null
  session_id: string | null
  dpop_jkt: string | null
  /** A JSON array, or NULL when the authorization named no resource. */
  resources: string | null
}

const storedResources = (text: string | null) => text === null ? undefined : JSON.parse(text) as string[]
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url')
const newToken = () => randomBytes(32).toString('base64url')

/**
 * Opaque refresh tokens, stored only as SHA-256 hashes. Each use rotates: the used token is marked
 * and a new one of the same family issued. A second use of a used token means it was stolen (or a
 * client replays it): the whole family is revoked, the newest token included (OAuth 2.0 Security
 * BCP §4.14). Every redemption runs in a transaction holding the token's lock, so of two concurrent
 * redemptions of one token, on one replica or two, exactly one rotates it.
 *
 * The grace period (`reuseGraceMs`): a used token presented again within it, while its successor is
 * still unused, is a retry of a lost answer (or a concurrent duplicate), not theft; it gets the same
 * successor, as Okta's grace period does. The successor is kept sealed with the used token as the key
 * (never stored), so the database alone still yields no usable token, on any replica. A successor
 * carries the grant's scope, whatever narrowing its rotation asked for: a retry asking for another
 * narrowing gets the same refresh token, and `check` decides its access token's scope as for any request.
 */
export class RefreshTokenStore {
  readonly #db: SqlDatabase
  readonly #lifetimes: RefreshLifetimes
  readonly #signals: FamilySignals

  /**
   * A family revoked here for a reason of its own (reuse, a code replayed, RFC 7009) is recorded as a
   * session-revoked event on `signals`, in the transaction that revokes it.
   */
  constructor (db: SqlDatabase, lifetimes: RefreshLifetimes, signals: FamilySignals) {
    this.#db = db
    this.#lifetimes = lifetimes
    this.#signals = signals
  }

  /** A new family, for a login. */
  async issue (grant: RefreshGrant, now: number): Promise<string> {
    return (await this.issueFamily(grant, now)).refreshToken
  }

  /** A new family, and its id: an authorization code remembers it, to revoke it if the code comes back. */
  async issueFamily (grant: RefreshGrant, now: number): Promise<{ refreshToken: string, familyId: string }> {
    const refreshToken = newToken()
    const familyId = randomUUID()
    await this.#insert(this.#db, refreshToken, familyId, grant, now, now + this.#lifetimes.absoluteMs)
    return { refreshToken, familyId }
  }

  /**
   * Revokes a family by its id (an authorization code used twice), with its event when it still had
   * live tokens; a family revoked already (the code replayed once more) is left, and nothing recorded.
   */
  async revokeFamily (familyId: string, now: number): Promise<void> {
    const recorded = await this.#db.transaction(`refresh_family:${familyId}`,
      (tx) => this.#revokeFamily(tx, familyId, now, CODE_REPLAYED))
    if (recorded) this.#signals.log.announce()
  }

  /**
   * Revokes every family a browser session's logins started (logout); returns how many tokens. Through
   * `sql`, the caller's transaction, which records the session's own event.
   */
  async revokeSession (sessionId: string, now: number, sql: SqlQueryable = this.#db): Promise<number> {
    return sql.run(
      'UPDATE refresh_tokens SET revoked_at = $1 WHERE session_id = $2 AND revoked_at IS NULL', [now, sessionId])
  }

  /** Revokes every family of a user (an administrator's revocation), through the caller's transaction. */
  async revokeUser (userId: string, now: number, sql: SqlQueryable): Promise<number> {
    return sql.run('UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [now, userId])
  }

  /**
   * Uses a refresh token once: the grant and its successor, or why not. `check` runs first, inside
   * the lock (the right client? a narrower scope?): a refusal there leaves the token unused.
   */
  async redeem <E> (
    token: string,
    now: number,
    check: (grant: RefreshGrant) => E | undefined = () => undefined
  ): Promise<CheckedRedemption<E>> {
    const tokenHash = hashToken(token)
    let recorded = false
    const lock = `refresh_token:${tokenHash}`
    const redemption = await this.#db.transaction(lock, async (tx): Promise<CheckedRedemption<E>> => {
      const row = await tx.get<RefreshRow>('SELECT * FROM refresh_tokens WHERE token_hash = $1', [tokenHash])
      if (!row) return { ok: false, reason: 'unknown' }
      const grant = {
        userId: row.user_id,
        clientId: row.client_id,
        scope: row.scope,
        sessionId: row.session_id ?? undefined,
        dpopJkt: row.dpop_jkt ?? undefined,
        resources: storedResources(row.resources)
      }
      const refusal = check(grant)
      if (refusal !== undefined) return { ok: false, reason: 'refused', refusal }
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked', grant }
      if (row.used_at !== null) {
        const replay = await this.#replay(tx, token, row, grant, now)
        if (replay) return replay
        recorded = await this.#revokeFamily(tx, row.family_id, now, REFRESH_TOKEN_REUSED)
        return { ok: false, reason: 'reused', grant }
      }
      if (now >= row.idle_expires_at || now >= row.expires_at) return { ok: false, reason: 'expired', grant }
      const successor = newToken()
      const sealed = this.#lifetimes.reuseGraceMs > 0 ? sealSuccessor(token, tokenHash, successor) : null
      await tx.run('UPDATE refresh_tokens SET used_at = $1, successor_sealed = $2 WHERE token_hash = $3',
        [now, sealed, row.token_hash])
      await this.#insert(tx, successor, row.family_id, grant, now, row.expires_at)
      return { ok: true, grant, refreshToken: successor }
    })
    if (recorded) this.#signals.log.announce()
    return redemption
  }

  /**
   * What `token` stands for, without using it (undefined if unknown): a caller reads what its answer
   * needs before `redeem` commits, so no statement can fail between the rotation and its answer.
   */
  async grantOf (token: string): Promise<RefreshGrant | undefined> {
    const row = await this.#db.get<RefreshRow>(
      'SELECT user_id, client_id, scope, dpop_jkt, resources FROM refresh_tokens WHERE token_hash = $1',
      [hashToken(token)])
    return row && {
      userId: row.user_id,
      clientId: row.client_id,
      scope: row.scope,
      dpopJkt: row.dpop_jkt ?? undefined,
      resources: storedResources(row.resources)
    }
  }

  /**
   * What `token` is and whether it is active, without using it (undefined if unknown). A used token
   * is not active, even within the reuse grace: it was rotated away.
   */
  async inspect (token: string, now: number): Promise<RefreshTokenState | undefined> {
    const row = await this.#db.get<RefreshRow & { issued_at: number }>(
      'SELECT * FROM refresh_tokens WHERE token_hash = $1', [hashToken(token)])
    if (!row) return undefined
    const expiresAt = Math.min(Number(row.idle_expires_at), Number(row.expires_at))
    return {
      grant: {
        userId: row.user_id,
        clientId: row.client_id,
        scope: row.scope,
        sessionId: row.session_id ?? undefined,
        dpopJkt: row.dpop_jkt ?? undefined
      },
      active: row.revoked_at === null && row.used_at === null && now < expiresAt,
      issuedAt: Number(row.issued_at),
      expiresAt
    }
  }

  /**
   * A used token within the grace period: its successor again, if that is still unused; `expired` if
   * it has expired meanwhile; undefined (reuse) otherwise. A successor already used or revoked means
   * two parties hold the family: that is the theft the rotation exists to catch.
   */
  async #replay (tx: SqlQueryable, token: string, row: RefreshRow, grant: RefreshGrant, now: number)
    : Promise<Redemption | undefined> {
    const { used_at: usedAt, successor_sealed: sealed } = row
    // Another replica's clock may be slightly behind: a negative age is inside the grace too.
    if (usedAt === null || now - usedAt >= this.#lifetimes.reuseGraceMs || sealed === null) return undefined
    const successor = openSuccessor(token, row.token_hash, sealed)
    if (successor === undefined) return undefined
    const next = await tx.get<RefreshRow>('SELECT * FROM refresh_tokens WHERE token_hash = $1', [hashToken(successor)])
    if (!next || next.family_id !== row.family_id || next.used_at !== null || next.revoked_at !== null) return undefined
    if (now >= next.idle_expires_at || now >= next.expires_at) return { ok: false, reason: 'expired', grant }
    return { ok: true, grant, refreshToken: successor, replayed: true }
  }

  /**
   * Revokes the token's whole family (RFC 7009: a logout), if it was issued to `clientId`, with its
   * event when it still had live tokens. Under the token's lock, as a redemption: none rotates it meanwhile.
   */
  async revoke (token: string, clientId: string, now: number): Promise<'revoked' | 'unknown' | 'other-client'> {
    const tokenHash = hashToken(token)
    const { outcome, recorded } = await this.#db.transaction(`refresh_token:${tokenHash}`, async (tx) => {
      const row = await tx.get<RefreshRow>('SELECT * FROM refresh_tokens WHERE token_hash = $1', [tokenHash])
      if (!row) return { outcome: 'unknown' as const, recorded: false }
      if (row.client_id !== clientId) return { outcome: 'other-client' as const, recorded: false }
      const recorded = await this.#revokeFamily(tx, row.family_id, now, REFRESH_TOKEN_REVOKED)
      return { outcome: 'revoked' as const, recorded }
    })
    if (recorded) this.#signals.log.announce()
    return outcome
  }

  async #insert (
    sql: SqlQueryable,
    token: string,
    familyId: string,
    grant: RefreshGrant,
    now: number,
    expiresAt: number
  ): Promise<void> {
    const idleExpiresAt = Math.min(now + this.#lifetimes.idleMs, expiresAt)
    await sql.run(
      `INSERT INTO refresh_tokens
         (token_hash, family_id, user_id, client_id, scope, issued_at, idle_expires_at, expires_at, session_id,
          dpop_jkt,
          resources)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
         $11)`,
      [hashToken(token), familyId, grant.userId, grant.clientId, grant.scope, now, idleExpiresAt, expiresAt,
        grant.sessionId ?? null, grant.dpopJkt ?? null,
        grant.resources === undefined ? null : JSON.stringify(grant.resources)])
  }

  /**
   * Revokes a family through `sql` (a transaction) and, if that revoked any token, records its event
   * there too: true then, and the caller announces it once the transaction has committed.
   */
  async #revokeFamily (sql: SqlQueryable, familyId: string, now: number, cause: RevocationCause): Promise<boolean> {
    const owner = await sql.get<Pick<RefreshRow, 'user_id' | 'client_id' | 'session_id'>>(
      'SELECT user_id, client_id, session_id FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL LIMIT 1',
      [familyId])
    if (!owner) return false
    await sql.run('UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL',
      [now, familyId])
    const subject = familySubject(this.#signals.issuer,
      { userId: owner.user_id, clientId: owner.client_id, sessionId: owner.session_id })
    await this.#signals.log.record(sessionRevoked(subject, cause, now), sql)
    return true
  }
}
