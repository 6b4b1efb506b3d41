import buildGetJwks, { type GetJwks, type JWK } from 'get-jwks'
import type { Dispatcher } from 'undici'
import { discoverJwksUri } from './discover-jwks-uri.js'

export interface KeySourceOptions {
  issuer: string
  /** Explicit JWKS URL; without it, discovered from the issuer's metadata. */
  jwksUrl: string | undefined
  /** How long a fetched key is used before the set is fetched again (get-jwks' `ttl`). */
  cacheTtlMs: number
  /** How long an expired key keeps working while the issuer is unreachable (get-jwks' `staleTtl`). */
  maxStaleMs: number
  fetchTimeoutMs: number
  dispatcher: Dispatcher
  allowInsecure: boolean
}

interface Connection { getJwks: GetJwks, domain: string, url: string }

/**
 * Where one issuer's keys come from: a get-jwks instance for its JWKS URL, configured or found in
 * its metadata (found again after a failed fetch: the JWKS may have moved). The same instance, and
 * so the same cache, while the URL stays. Reading the cache never fetches; only `refresh` does.
 */
export class KeySource {
  readonly #options: KeySourceOptions
  #connection: Connection | undefined
  #rediscover = false

  constructor (options: KeySourceOptions) {
    this.#options = options
  }

  /** Fetches the whole set now, replacing the cached one; throws why it could not (the cache kept). */
  async refresh (): Promise<void> {
    try {
      const { getJwks, domain } = this.#connection && !this.#rediscover ? this.#connection : await this.#connect()
      await getJwks.refresh(domain)
    } catch (error) {
      this.#rediscover = this.#options.jwksUrl === undefined
      throw error
    }
  }

  /** The cached key with this kid; `stale`: the expired copy kept for an outage. */
  key (kid: string, stale = false): JWK | undefined {
    const connection = this.#connection
    return connection?.getJwks.cachedKey({ domain: connection.domain, kid }, { stale })
  }

  /** Every cached key; `stale`: the expired copies kept for an outage. */
  keys (stale = false): JWK[] {
    const connection = this.#connection
    return connection ? connection.getJwks.cachedKeys(connection.domain, { stale }) : []
  }

  async #connect (): Promise<Connection> {
    const { issuer, jwksUrl, dispatcher, fetchTimeoutMs, allowInsecure } = this.#options
    const discovery = { dispatcher, timeoutMs: fetchTimeoutMs, allowInsecure }
    const url = new URL(jwksUrl ?? await discoverJwksUri(issuer, discovery))
    this.#rediscover = false
    if (this.#connection?.url === url.href) return this.#connection
    const domain = `${url.origin}/`
    const getJwks = buildGetJwks({
      max: 100,
      ttl: this.#options.cacheTtlMs,
      staleTtl: this.#options.maxStaleMs,
      timeout: fetchTimeoutMs,
      // This instance serves one issuer, and fetches from its JWKS URL only.
      issuersWhitelist: [domain],
      jwksPath: `${url.pathname}${url.search}`,
      fetchOptions: { dispatcher, redirect: 'error', headers: { accept: 'application/jwk-set+json, application/json' } }
    })
    this.#connection = { getJwks, domain, url: url.href }
    return this.#connection
  }
}
