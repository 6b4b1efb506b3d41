import { ConfigError } from '@repo/service-kit/env'
import { isPlainOrigin } from '../resource-metadata/resource-urls.js'

const fail = (message: string): never => { throw new ConfigError(`invalid configuration: ${message}`) }

/**
 * `PUBLIC_URL`: the origin clients call this service at (behind a proxy, the proxy's), against which
 * a DPoP proof's `htu` is checked. An origin only: scheme, host and port; a path, query, fragment or
 * credentials would make every proof's `htu` differ from what the service compares it with. It is
 * also the resource identifier of the RFC 9728 metadata (resource-metadata/resource-urls.ts).
 */
export function parsePublicUrl (value: string): string {
  const shown = value.slice(0, 100)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return fail(`PUBLIC_URL must be an absolute URL, got "${shown}"`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`PUBLIC_URL must be an http(s) URL, got "${shown}"`)
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/' || value.includes('?')) {
    fail(`PUBLIC_URL must be an origin (scheme, host, port), without path, query or fragment, got "${shown}"`)
  }
  // Written into the resource metadata and every challenge: nothing a quoted string cannot hold.
  if (!isPlainOrigin(url.origin)) fail(`PUBLIC_URL must name a host name or an IP literal, got "${shown}"`)
  return url.origin
}

/** The most proofs the in-memory replay cache may hold; ten million is about 1.5 GiB. */
const MAX_REPLAY_CACHE_SIZE = 10_000_000

/** `DPOP_REPLAY_CACHE_SIZE`: a whole number from 1 to ten million. */
export function parseReplayCacheSize (value: string): number {
  const size = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_REPLAY_CACHE_SIZE) {
    const shown = value.slice(0, 20)
    fail(`DPOP_REPLAY_CACHE_SIZE must be a whole number from 1 to ${MAX_REPLAY_CACHE_SIZE}, got "${shown}"`)
  }
  return size
}
