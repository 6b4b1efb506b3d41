import { ConfigError } from '@repo/service-kit/env'
import { loadConfig, rotationPolicy, type AuthConfig } from '../config.js'
import { openAuthDatabase } from '../db/open-auth-database.js'
import { generateSigningKey } from '../keys/generate-signing-key.js'
import { KeyLifecycle, UnknownKeyError, type KeyEvent } from '../keys/key-lifecycle.js'
import { KeyStore, type StoredKey } from '../keys/key-store.js'
import { parseKeysArgs } from './keys-args.js'

const USAGE = `usage: keys <command>
  list [--json]     every key with its state and lifecycle times
  rotate            publish a next key now; it starts signing after KEY_PREPUBLISH_SECONDS
  revoke [--] <kid> remove a key from the JWKS at once and destroy its private half
Works on DATA_DIR (default ./data) while the service runs: it picks changes up within KEY_STATE_POLL_MS.
Reads the same environment as the service (SIGNING_ALG, JWKS_MAX_AGE_SECONDS, ...).`

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'))

function printTable (keys: ReadonlyArray<Omit<StoredKey, 'privatePkcs8'>>) {
  const rows = keys.map((key) => [
    key.kid, key.alg, key.revokedAt ? 'revoked' : key.state, time(key.createdAt),
    time(key.activatedAt ?? key.activatesAt), time(key.retiredAt ?? key.retiresAt)
  ])
  const header = ['kid', 'alg', 'state', 'created', 'signs from', 'leaves JWKS']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)))
  for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd())
}

function printEvents (events: readonly KeyEvent[]) {
  for (const { event, kid, alg } of events) console.log(`${event} ${kid} (${alg})`)
}

/** How long after a revocation a consumer may still accept the key, given this service's settings. */
function revocationBound (config: AuthConfig): string {
  const cache = config.jwksMaxAgeSeconds
  const poll = config.keyStatePollMs / 1000
  return [
    `The key left this DATA_DIR's JWKS now; running auth-service processes stop publishing it within ${poll} s.`,
    `Consumers that honour Cache-Control stop accepting it when their cached JWKS expires: within ${cache} s`,
    '(JWKS_MAX_AGE_SECONDS) for consumer-service, or its JWKS_COOLDOWN_SECONDS if that is longer.',
    'A consumer that cannot reach the JWKS keeps its cached keys for up to its JWKS_MAX_STALE_SECONDS.',
    `Tokens signed with the key expire on their own within TOKEN_TTL_SECONDS (${config.tokenTtlSeconds} s).`
  ].join('\n')
}

async function main (): Promise<number> {
  const args = parseKeysArgs(process.argv.slice(2))
  if (args.command === 'usage') {
    console.error(USAGE)
    return 2
  }
  const config = loadConfig(process.env)
  const db = openAuthDatabase(config.dataDir)
  try {
    const store = new KeyStore(db)
    const lifecycle = new KeyLifecycle(store, rotationPolicy(config), generateSigningKey)
    switch (args.command) {
      case 'list': {
        // Never print a private key, not even into --json.
        const keys = store.all().map(({ privatePkcs8: _private, ...key }) => key)
        if (args.json) console.log(JSON.stringify(keys, null, 2))
        else printTable(keys)
        return 0
      }
      case 'rotate': {
        const { next, events } = await lifecycle.rotate(Date.now())
        printEvents(events)
        if (events.length === 0) console.log(`a rotation is already under way: next key ${next.kid}`)
        console.log(`next key ${next.kid} is published now and starts signing at ${time(next.activatesAt)}`)
        return 0
      }
      case 'revoke': {
        printEvents(await lifecycle.revoke(args.kid, Date.now()))
        console.log(revocationBound(config))
        return 0
      }
    }
  } catch (error) {
    if (error instanceof UnknownKeyError) {
      console.error(`keys: ${error.message}`)
      return 1
    }
    throw error
  } finally {
    db.close()
  }
}

try {
  process.exitCode = await main()
} catch (error) {
  console.error(error instanceof ConfigError ? `keys: ${error.message}` : error)
  process.exitCode = 1
}
