import { replayTableSql } from '@repo/dpop/replay-cache'
import type { Migrations } from '@repo/service-kit/sql'

/**
 * DPoP (RFC 9449), the same SQL on both engines: the key a public client's refresh tokens and a
 * code asked for with `dpop_jkt` are bound to; clients that must use it (`--require-dpop`); the
 * proofs seen (their `jti`s, shared by replicas on PostgreSQL); and the one secret the server
 * nonces are made with, the same on every replica (dpop/nonce-secret.ts).
 */
const DPOP = `ALTER TABLE clients ADD COLUMN dpop_bound_access_tokens INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE refresh_tokens ADD COLUMN dpop_jkt TEXT;
   ALTER TABLE authorization_codes ADD COLUMN dpop_jkt TEXT;
   ${replayTableSql('auth_dpop_proofs')}
   CREATE TABLE dpop_nonce_secret (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     secret TEXT NOT NULL
   );`

/**
 * Shared Signals (signals/*): every security event once (`ssf_events`, kept for SSF_EVENT_RETENTION),
 * the receivers' streams, and which event each stream acknowledged. A stream is given every event
 * recorded at or after its `backfill_from` that it has not acknowledged (no row per stream and event
 * is written when an event happens: recording is one INSERT inside the state change's transaction).
 * An event with a `stream_id` (verification, stream-updated) is for that stream only. Clients gain
 * the flag that makes them receivers, and the resources (RFC 8707) they may ask tokens for.
 */
const SIGNALS = (time: 'INTEGER' | 'BIGINT') => `ALTER TABLE clients ADD COLUMN ssf_receiver INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE clients ADD COLUMN resources TEXT NOT NULL DEFAULT '[]';
   CREATE TABLE ssf_events (
     id TEXT PRIMARY KEY,
     event_type TEXT NOT NULL,
     subject TEXT NOT NULL,
     payload TEXT NOT NULL,
     txn TEXT NOT NULL,
     stream_id TEXT,
     recorded_at ${time} NOT NULL
   );
   CREATE INDEX ssf_events_recorded ON ssf_events (recorded_at);
   CREATE TABLE ssf_streams (
     stream_id TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     description TEXT,
     events_requested TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('enabled', 'paused', 'disabled')),
     status_reason TEXT,
     backfill_from ${time} NOT NULL,
     created_at ${time} NOT NULL,
     last_polled_at ${time} NOT NULL,
     verification_requested_at ${time}
   );
   CREATE INDEX ssf_streams_client ON ssf_streams (client_id);
   CREATE TABLE ssf_acks (
     stream_id TEXT NOT NULL,
     event_id TEXT NOT NULL,
     acked_at ${time} NOT NULL,
     err TEXT,
     PRIMARY KEY (stream_id, event_id)
   );`

/**
 * RFC 8707: the resources an authorization request named, kept by its code and by the refresh tokens
 * of its grant (a JSON array; NULL when it named none): a token request may only narrow to one of them.
 */
const RESOURCE_INDICATORS = `ALTER TABLE authorization_codes ADD COLUMN resources TEXT;
   ALTER TABLE refresh_tokens ADD COLUMN resources TEXT;`

/**
 * Indexes on the purge's predicates (maintenance/retention-rules.ts): each batch finds its expired rows
 * without reading the table. `auth_dpop_proofs` has its own since it was made; the hot-path lookups all
 * go by a primary key or an index already (test/db/indexes.test.ts checks both on PostgreSQL).
 */
const PURGE_INDEXES = `CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
   CREATE INDEX browser_sessions_expires_at ON browser_sessions (expires_at);
   CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);
   CREATE INDEX authorization_requests_expires_at ON authorization_requests (expires_at);
   CREATE INDEX client_assertions_expires_at ON client_assertions (expires_at);`

/** The SQLite schema, one entry per version (see `migrate` in @repo/service-kit/sqlite). */
const SQLITE = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     user_name TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('read', 'write')),
     created_at INTEGER NOT NULL
   );
   CREATE TABLE signing_keys (
     kid TEXT PRIMARY KEY,
     alg TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('next', 'active', 'retiring', 'retired')),
     public_jwk TEXT NOT NULL,
     private_pkcs8 TEXT,
     created_at INTEGER NOT NULL,
     activated_at INTEGER,
     retiring_at INTEGER,
     retired_at INTEGER,
     revoked_at INTEGER
   );
   CREATE UNIQUE INDEX one_active_key_per_alg ON signing_keys (alg) WHERE state = 'active';`,
  // Scheduled times of the key lifecycle: when a `next` key starts signing, when a `retiring` key leaves the JWKS.
  `ALTER TABLE signing_keys ADD COLUMN activates_at INTEGER;
   ALTER TABLE signing_keys ADD COLUMN retires_at INTEGER;`,
  // User names are unique regardless of case (login stays exact-match). A trigger rather than a unique
  // index on lower(user_name): a database that already holds "Jane" and "jane" (added before this rule)
  // must still open, and keeps both until an operator removes one. NOCASE folds ASCII only, which is
  // exactly the set UserNameSchema allows.
  `CREATE INDEX users_user_name_nocase ON users (user_name COLLATE NOCASE);
   CREATE TRIGGER users_insert_name_unique_nocase BEFORE INSERT ON users
   WHEN EXISTS (SELECT 1 FROM users WHERE user_name = NEW.user_name COLLATE NOCASE)
   BEGIN SELECT RAISE(ABORT, 'user name taken (names are unique regardless of case)'); END;
   CREATE TRIGGER users_update_name_unique_nocase BEFORE UPDATE OF user_name ON users
   WHEN EXISTS (SELECT 1 FROM users WHERE user_name = NEW.user_name COLLATE NOCASE AND id != NEW.id)
   BEGIN SELECT RAISE(ABORT, 'user name taken (names are unique regardless of case)'); END;`,
  // OAuth 2.0 clients (secrets as SHA-256 hashes: they are 256 random bits, not passwords), refresh
  // tokens (hashes only; a family shares one absolute lifetime and dies whole on reuse), and the
  // jti of every client assertion until it expires, so none is accepted twice.
  `CREATE TABLE clients (
     client_id TEXT PRIMARY KEY,
     auth_method TEXT NOT NULL
       CHECK (auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')),
     secret_hash TEXT,
     jwks TEXT,
     jwks_uri TEXT,
     scope TEXT NOT NULL,
     audience TEXT NOT NULL,
     grant_types TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE refresh_tokens (
     token_hash TEXT PRIMARY KEY,
     family_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     client_id TEXT NOT NULL,
     scope TEXT NOT NULL,
     issued_at INTEGER NOT NULL,
     idle_expires_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     used_at INTEGER,
     revoked_at INTEGER
   );
   CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
   CREATE TABLE client_assertions (
     client_id TEXT NOT NULL,
     jti TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (client_id, jti)
   );`,
  // A used refresh token's successor, sealed under a key derived from the used token (which is never
  // stored): a retry within the reuse grace period gets the same successor back (tokens/successor-seal.ts).
  'ALTER TABLE refresh_tokens ADD COLUMN successor_sealed TEXT;',
  // The key history: every lifecycle transition, written in the transaction that made it, with the
  // process that performed it (keys/key-events.ts). `keys events` prints it.
  `CREATE TABLE key_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     event TEXT NOT NULL,
     kid TEXT NOT NULL,
     alg TEXT NOT NULL,
     occurred_at INTEGER NOT NULL,
     performed_by TEXT NOT NULL
   );`,
  // The private half is no longer PKCS#8 but whatever the key custody stores (a sealed envelope): the
  // column says so. Clear keys left by the previous release are sealed at the first start with a
  // secret (keys/seal-stored-keys.ts), which takes code, not SQL.
  'ALTER TABLE signing_keys RENAME COLUMN private_pkcs8 TO private_key;',
  // People log in through the browser (authorization code with PKCE). Clients gain what that flow
  // needs (redirect URIs as JSON arrays, compared exactly); pending requests (pushed ones, RFC 9126,
  // and ones waiting for the login or consent page), authorization codes and browser sessions are
  // stored by the hash of their random handle, like refresh tokens, so a database reader gets no
  // usable one. A refresh token remembers the session it came from: logging out revokes it.
  `ALTER TABLE clients ADD COLUMN client_name TEXT;
   ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE clients ADD COLUMN third_party INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE clients ADD COLUMN require_par INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE refresh_tokens ADD COLUMN session_id TEXT;
   CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
   CREATE TABLE authorization_requests (
     id_hash TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     parameters TEXT NOT NULL,
     pushed INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE authorization_codes (
     code_hash TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     session_id TEXT,
     redirect_uri TEXT NOT NULL,
     scope TEXT NOT NULL,
     code_challenge TEXT NOT NULL,
     nonce TEXT,
     auth_time INTEGER NOT NULL,
     issued_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     used_at INTEGER,
     refresh_family_id TEXT
   );
   CREATE TABLE browser_sessions (
     id_hash TEXT PRIMARY KEY,
     sid TEXT NOT NULL UNIQUE,
     user_id TEXT NOT NULL,
     auth_time INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL,
     idle_expires_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     ended_at INTEGER
   );
   CREATE INDEX browser_sessions_user ON browser_sessions (user_id);
   CREATE TABLE consents (
     user_id TEXT NOT NULL,
     client_id TEXT NOT NULL,
     scope TEXT NOT NULL,
     granted_at INTEGER NOT NULL,
     PRIMARY KEY (user_id, client_id)
   );`,
  DPOP,
  SIGNALS('INTEGER'),
  RESOURCE_INDICATORS,
  PURGE_INDEXES
]

/**
 * The same schema on PostgreSQL, which starts at today's shape. Times are BIGINT milliseconds, as in
 * SQLite. Names are unique regardless of case through an index on lower(user_name). A trigger
 * announces every change of the signing keys on `signing_keys_changed`, so each replica reloads its
 * key ring at once instead of at its next poll.
 */
const POSTGRES = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     user_name TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('read', 'write')),
     created_at BIGINT NOT NULL
   );
   CREATE UNIQUE INDEX users_user_name_lower ON users (lower(user_name));
   CREATE TABLE signing_keys (
     kid TEXT PRIMARY KEY,
     alg TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('next', 'active', 'retiring', 'retired')),
     public_jwk TEXT NOT NULL,
     private_pkcs8 TEXT,
     created_at BIGINT NOT NULL,
     activated_at BIGINT,
     retiring_at BIGINT,
     retired_at BIGINT,
     revoked_at BIGINT,
     activates_at BIGINT,
     retires_at BIGINT
   );
   CREATE UNIQUE INDEX one_active_key_per_alg ON signing_keys (alg) WHERE state = 'active';
   CREATE FUNCTION notify_signing_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('signing_keys_changed', '');
     RETURN NULL;
   END $$;
   CREATE TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON signing_keys
     FOR EACH STATEMENT EXECUTE FUNCTION notify_signing_keys_changed();
   CREATE TABLE clients (
     client_id TEXT PRIMARY KEY,
     auth_method TEXT NOT NULL
       CHECK (auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')),
     secret_hash TEXT,
     jwks TEXT,
     jwks_uri TEXT,
     scope TEXT NOT NULL,
     audience TEXT NOT NULL,
     grant_types TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE refresh_tokens (
     token_hash TEXT PRIMARY KEY,
     family_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     client_id TEXT NOT NULL,
     scope TEXT NOT NULL,
     issued_at BIGINT NOT NULL,
     idle_expires_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     used_at BIGINT,
     revoked_at BIGINT
   );
   CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
   CREATE TABLE client_assertions (
     client_id TEXT NOT NULL,
     jti TEXT NOT NULL,
     expires_at BIGINT NOT NULL,
     PRIMARY KEY (client_id, jti)
   );`,
  // Brute-force counters shared by every replica (rate-limits/database-rate-limit-store.ts).
  // UNLOGGED: not worth a WAL write each; a crash that loses them resets some windows early.
  `CREATE UNLOGGED TABLE rate_limits (
     key TEXT PRIMARY KEY,
     count INTEGER NOT NULL,
     window_ends_at BIGINT NOT NULL
   );`,
  // The sealed successor of a used refresh token, as in SQLite.
  'ALTER TABLE refresh_tokens ADD COLUMN successor_sealed TEXT;',
  // The key history, as in SQLite.
  `CREATE TABLE key_events (
     id BIGSERIAL PRIMARY KEY,
     event TEXT NOT NULL,
     kid TEXT NOT NULL,
     alg TEXT NOT NULL,
     occurred_at BIGINT NOT NULL,
     performed_by TEXT NOT NULL
   );`,
  // The private half as the key custody stores it, as in SQLite.
  'ALTER TABLE signing_keys RENAME COLUMN private_pkcs8 TO private_key;',
  // Browser logins, as in SQLite (times as BIGINT milliseconds, flags as INTEGER 0/1 on both engines).
  `ALTER TABLE clients ADD COLUMN client_name TEXT;
   ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE clients ADD COLUMN third_party INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE clients ADD COLUMN require_par INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE refresh_tokens ADD COLUMN session_id TEXT;
   CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
   CREATE TABLE authorization_requests (
     id_hash TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     parameters TEXT NOT NULL,
     pushed INTEGER NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE TABLE authorization_codes (
     code_hash TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     session_id TEXT,
     redirect_uri TEXT NOT NULL,
     scope TEXT NOT NULL,
     code_challenge TEXT NOT NULL,
     nonce TEXT,
     auth_time BIGINT NOT NULL,
     issued_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     used_at BIGINT,
     refresh_family_id TEXT
   );
   CREATE TABLE browser_sessions (
     id_hash TEXT PRIMARY KEY,
     sid TEXT NOT NULL UNIQUE,
     user_id TEXT NOT NULL,
     auth_time BIGINT NOT NULL,
     last_seen_at BIGINT NOT NULL,
     idle_expires_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     ended_at BIGINT
   );
   CREATE INDEX browser_sessions_user ON browser_sessions (user_id);
   CREATE TABLE consents (
     user_id TEXT NOT NULL,
     client_id TEXT NOT NULL,
     scope TEXT NOT NULL,
     granted_at BIGINT NOT NULL,
     PRIMARY KEY (user_id, client_id)
   );`,
  DPOP,
  // Shared Signals, as in SQLite; a trigger announces every new event on `ssf_events_added`, which wakes
  // the long polls waiting on every replica (signals/*).
  `${SIGNALS('BIGINT')}
   CREATE FUNCTION notify_ssf_events_added() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('ssf_events_added', '');
     RETURN NULL;
   END $$;
   CREATE TRIGGER ssf_events_added AFTER INSERT ON ssf_events
     FOR EACH STATEMENT EXECUTE FUNCTION notify_ssf_events_added();`,
  RESOURCE_INDICATORS,
  PURGE_INDEXES
]

/** The auth service's schema on either engine. */
export const AUTH_MIGRATIONS: Migrations = { component: 'auth-service', sqlite: SQLITE, postgres: POSTGRES }

/** The channel on which PostgreSQL announces signing-key changes. */
export const SIGNING_KEYS_CHANGED = 'signing_keys_changed'

/** The channel on which PostgreSQL announces new security events (Shared Signals). */
export const SSF_EVENTS_ADDED = 'ssf_events_added'
