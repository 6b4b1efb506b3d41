#!/usr/bin/env node
import { rotationPolicy, type AuthConfig } from '../config.js'
import { createKeyLifecycle } from '../keys/create-key-lifecycle.js'
import type { KeyEvent } from '../keys/key-events.js'
import { UnknownKeyError } from '../keys/key-lifecycle.js'
import { cliInstanceId } from '../keys/key-events.js'
import { KeyStore, type StoredKey } from '../keys/key-store.js'
import { CliError } from './cli-error.js'
import { formatTable, formatTime } from './format-table.js'
import { formatKeyEvents } from './key-events-output.js'
import { parseKeysArgs } from './keys-args.js'
import { resealKeys } from './keys-reseal.js'
import { runCommand } from './run-command.js'
import { currentSigningAlg, rotationAlg, switchingToAlg } from './signing-alg.js'

const USAGE = `usage: keys <command>
  list [--json]     every key with its state and lifecycle times
  events [--json]   the key history: every transition, when, and which process (or this CLI) made it
  rotate            publish a next key now, for the algorithm the active key uses; it starts signing
                    after the prepublish period (KEY_PREPUBLISH)
  revoke [--] <kid> remove a key from the JWKS at once and destroy its private half
  reseal            seal every stored private key with the newest KEY_ENCRYPTION_KEYS secret, in one
                    transaction; then older secrets can be dropped from the list (nothing to do with
                    SIGNING_KEY_STORE=pkcs11: the token keeps the private keys)
Works on the service's database (DATABASE_URL, else DATA_DIR, default ./data) while it runs: every
replica picks a change up within one key-state poll (at once on PostgreSQL).
The algorithm comes from the database; SIGNING_ALG, if set, must match it. The key timing settings are read
from the same environment as the service.`

function printTable (keys: ReadonlyArray<Omit<StoredKey, 'privateKey'>>) {
  const rows = keys.map((key) => [
    key.kid, key.alg, key.revokedAt ? 'revoked' : key.state, formatTime(key.createdAt),
    formatTime(key.activatedAt ?? key.activatesAt), formatTime(key.retiredAt ?? key.retiresAt)
  ])
  const header = ['kid', 'alg', 'state', 'created', 'signs from', 'leaves JWKS']
  for (const line of formatTable(header, rows)) console.log(line)
}

function printEvents (events: readonly KeyEvent[]) {
  for (const { event, kid, alg } of events) console.log(`${event} ${kid} (${alg})`)
}

/** How long after a revocation a consumer may still accept the key, given this service's settings. */
function revocationBound (config: AuthConfig): string {
  const cache = config.jwksMaxAgeSeconds
  const poll = config.keyStatePollMs / 1000
  return [
    `The key left the database's JWKS now; running auth-service processes stop publishing it within ${poll} s.`,
    `Consumers that honour Cache-Control stop accepting it when their cached JWKS expires: within ${cache} s`,
    '(JWKS_MAX_AGE); consumer-service within its JWKS_CACHE_TTL (keep it at most JWKS_MAX_AGE).',
    'A consumer that cannot reach the JWKS keeps its cached keys for up to its JWKS_MAX_STALE more.',
    `Tokens signed with the key expire on their own within TOKEN_TTL (${config.tokenTtlSeconds} s).`
  ].join('\n')
}

await runCommand({
  name: 'keys',
  usage: USAGE,
  parse: parseKeysArgs,
  database: () => ({ hint: 'or start the service once to create one' }),
  async run ({ config, db, keyCustody }, args) {
    // Only whether SIGNING_ALG was set here; its value, validated, is config.signingAlg.
    const requestedAlg = process.env.SIGNING_ALG ? config.signingAlg : undefined
    const by = cliInstanceId()
    // The transition is done; the service's next key maintenance pass destroys the key in the token.
    const destroyFailed = (kid: string, error: unknown) => console.error(`keys: retired ${kid} but could not ` +
      `destroy it in the key store (${String((error as { code?: unknown }).code)}); the service retries`)
    const lifecycleOptions = { by, destroyFailed }
    const store = new KeyStore(db, by)
    try {
      switch (args.command) {
        case 'list': {
          // Never print a private key, not even into --json.
          const keys = (await store.all()).map(({ privateKey: _private, ...key }) => key)
          if (args.json) console.log(JSON.stringify(keys, null, 2))
          else printTable(keys)
          return 0
        }
        case 'events':
          for (const line of formatKeyEvents(await store.events(), args.json)) console.log(line)
          return 0
        case 'rotate': {
          const keys = await store.all()
          const alg = rotationAlg(currentSigningAlg(keys), requestedAlg, switchingToAlg(keys))
          const policy = rotationPolicy(config, alg)
          const { lifecycle } = createKeyLifecycle(db, policy, await keyCustody(), lifecycleOptions)
          const { next, events } = await lifecycle.rotate(Date.now())
          printEvents(events)
          if (events.length === 0) console.log(`a rotation is already under way: next key ${next.kid}`)
          const signsFrom = formatTime(next.activatesAt)
          console.log(`next key ${next.kid} is published now and starts signing ${next.alg} tokens at ${signsFrom}`)
          return 0
        }
        case 'revoke': {
          // If the signing key goes, its replacement is of the algorithm the service signs with.
          const alg = currentSigningAlg(await store.all()) ?? (await store.find(args.kid))?.alg ?? config.signingAlg
          const policy = rotationPolicy(config, alg)
          const { lifecycle } = createKeyLifecycle(db, policy, await keyCustody(), lifecycleOptions)
          printEvents(await lifecycle.revoke(args.kid, Date.now()))
          console.log(revocationBound(config))
          return 0
        }
        case 'reseal':
          if (config.signingKeyStore === 'pkcs11') {
            console.log('nothing to reseal: with SIGNING_KEY_STORE=pkcs11 the PKCS#11 token keeps the private keys ' +
              'and the database stores none')
            return 0
          }
          for (const line of await resealKeys(store, await keyCustody())) console.log(line)
          return 0
      }
    } catch (error) {
      if (error instanceof UnknownKeyError) throw new CliError(error.message)
      throw error
    }
  }
})
