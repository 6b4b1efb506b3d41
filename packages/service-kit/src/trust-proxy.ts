import { isIP } from 'node:net'
import { ConfigError } from './env.js'
import { setting } from './settings.js'

/** proxy-addr's names for address ranges (Fastify's `trustProxy` hands the list to it). */
const RANGES = ['loopback', 'linklocal', 'uniquelocal']

function isAddressOrCidr (entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)
}

/**
 * `TRUST_PROXY`: the reverse proxies whose `X-Forwarded-For` names the client, as a comma-separated
 * list of IP addresses, CIDR ranges or `loopback`, `linklocal`, `uniquelocal`. Unset: nobody's, and a
 * request's IP (what the rate limits count and the logs show) is its TCP peer. `true` and hop counts
 * are refused: with them a client that reaches the service directly could pick the address counted.
 */
export function parseTrustProxy (value: string | undefined): string[] {
  const entries = (value ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0)
  const bad = entries.filter((entry) => !RANGES.includes(entry) && !isAddressOrCidr(entry))
  if (bad.length > 0) {
    throw new ConfigError(
      `invalid configuration: TRUST_PROXY must list the proxies' addresses (IP or CIDR, or ${RANGES.join(', ')}), ` +
      `separated by commas, got "${String(value).slice(0, 100)}"`
    )
  }
  return entries
}

/** `TRUST_PROXY`: the reverse proxies whose X-Forwarded-For names the client (empty: none). */
export const TRUST_PROXY_SETTING = setting.parsed('TRUST_PROXY', { parse: parseTrustProxy, fallback: [] })

/** Fastify's `trustProxy` for the parsed list: off when it is empty. */
export function trustProxyOption (proxies: readonly string[]): { trustProxy: string[] | false } {
  return { trustProxy: proxies.length > 0 ? [...proxies] : false }
}
