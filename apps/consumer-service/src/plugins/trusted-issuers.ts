import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Agent, Dispatcher1Wrapper } from 'undici'
import { IssuerKeys, type IssuerKeysOptions } from '../jwks/issuer-keys.js'
import type { TrustedIssuer } from '../trusted-issuers.js'

export interface Trusted {
  issuer: TrustedIssuer
  keys: IssuerKeys
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The trusted issuers by their exact `iss`, each with its own keys: a key of one never verifies
     * another's token.
     */
    trustedIssuers: ReadonlyMap<string, Trusted>
  }
}

/** What every issuer's keys share: the algorithms, the JWKS timings and whether plain http is allowed. */
type SharedKeyOptions = 'allowedAlgs' | 'cacheTtlMs' | 'cooldownMs' | 'maxStaleMs' | 'fetchTimeoutMs'
  | 'allowInsecure' | 'now'

export interface TrustedIssuersPluginOptions extends Pick<IssuerKeysOptions, SharedKeyOptions> {
  issuers: readonly TrustedIssuer[]
}

/** A JWKS is a few kilobytes; this is ample and keeps a hostile or broken endpoint from filling memory. */
const MAX_DOCUMENT_BYTES = 64 * 1024
/** Until an issuer's first fetch succeeds, how often it is retried (never more often than the cooldown allows). */
const STARTUP_RETRY_MS = 2000

/**
 * Starts fetching every trusted issuer's keys at once, without delaying start-up: `/health/ready`
 * turns 200 when each has a usable key. Closes its HTTP agent and retry timers when the app closes.
 */
export const trustedIssuersPlugin = fp(async function trustedIssuers (
  app: FastifyInstance, { issuers, ...options }: TrustedIssuersPluginOptions
) {
  const timeoutMs = options.fetchTimeoutMs
  // undici 8's Agent speaks the new dispatcher interface; Node 24's fetch (undici 7) needs the wrapper.
  const dispatcher = new Dispatcher1Wrapper(new Agent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxResponseSize: MAX_DOCUMENT_BYTES
  }))
  const log = app.log.child({ component: 'jwks' })
  const registry = new Map<string, Trusted>()
  for (const issuer of issuers) {
    const keys = new IssuerKeys({
      ...options, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, startupRetryMs: STARTUP_RETRY_MS, dispatcher, log
    })
    registry.set(issuer.issuer, { issuer, keys })
  }
  app.decorate('trustedIssuers', registry)

  // Warm up: fetch each issuer's keys now, and again until it has a usable one.
  let stopped = false
  const timers = new Set<NodeJS.Timeout>()
  const warmUp = async (keys: IssuerKeys) => {
    await keys.refresh()
    if (keys.ready || stopped) return
    const retryMs = Math.min(STARTUP_RETRY_MS, options.cooldownMs)
    const timer = setTimeout(() => { timers.delete(timer); warmUp(keys) }, retryMs).unref()
    timers.add(timer)
  }
  for (const { keys } of registry.values()) warmUp(keys)

  app.addHook('onClose', async () => {
    stopped = true
    for (const timer of timers) clearTimeout(timer)
    await dispatcher.close()
  })
}, { name: 'trusted-issuers' })

/** Ready when every trusted issuer has at least one usable key. */
export function everyIssuerReady (registry: ReadonlyMap<string, Trusted>): boolean {
  return [...registry.values()].every(({ keys }) => keys.ready)
}
