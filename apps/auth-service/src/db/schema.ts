/** The auth database's schema, one entry per version (see `migrate` in @repo/service-kit/sqlite). */
export const MIGRATIONS = [
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
   ALTER TABLE signing_keys ADD COLUMN retires_at INTEGER;`
]
