import { ConfigError } from '@repo/service-kit/env'

/**
 * `http://localhost:8080,https://app.example.com` → the list. Each entry must be an origin exactly as a
 * browser sends it in `Origin` (scheme, lower-case host, port only when not the default; no path, no
 * trailing slash): the allow-list is compared byte for byte, so an entry that could never match is a
 * mistake better told at start-up. `*` and `null` are refused: the API answers named origins only.
 */
export function parseCorsOrigins (value: string): string[] {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0)
  const refused = entries.filter((entry) => serializedOrigin(entry) !== entry)
  if (refused.length > 0) {
    throw new ConfigError('invalid configuration: CORS_ORIGINS must list origins (scheme://host[:port], ' +
      `no path or trailing slash, no *), refused: ${refused.map((entry) => JSON.stringify(entry)).join(', ')}`)
  }
  return [...new Set(entries)]
}

function serializedOrigin (entry: string): string | undefined {
  if (!URL.canParse(entry)) return undefined
  const url = new URL(entry)
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined
}
