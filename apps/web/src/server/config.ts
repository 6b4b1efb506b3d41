import { ConfigError, EnvReader } from '@repo/service-kit/env'
import { LOG_SETTINGS } from '@repo/service-kit/service-settings'
import { readSettings, setting, type SettingsOf } from '@repo/service-kit/settings'

/** An absolute http(s) URL without path, query or fragment: what the page calls and the CSP names. */
export function parseOrigin (name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`invalid configuration: ${name} must be an absolute URL, got ${JSON.stringify(value)}`)
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`invalid configuration: ${name} must be an http(s) origin without a path, got ${value}`)
  }
  return url.origin
}

/** Every setting of the web app's server; the first three reach the page through `/config.json`. */
export const WEB_SETTINGS = {
  port: setting.port('PORT', { default: 8080 }),
  /** Loopback only by default; `0.0.0.0` listens on every interface. */
  host: setting.string('HOST', { default: '127.0.0.1', minLength: 1 }),
  /** The auth service's issuer identifier: where the page discovers the endpoints it signs in with. */
  issuer: setting.parsed('ISSUER', {
    default: 'http://localhost:3001', parse: (value) => parseOrigin('ISSUER', value), fallback: ''
  }),
  /** The consumer service, whose reports the page lists and creates. */
  consumerUrl: setting.parsed('CONSUMER_URL', {
    default: 'http://localhost:3000', parse: (value) => parseOrigin('CONSUMER_URL', value), fallback: ''
  }),
  /** The page's client id at the auth service (a public client: no secret). */
  clientId: setting.string('CLIENT_ID', { default: 'web-app', minLength: 1 }),
  ...LOG_SETTINGS
}

export interface WebConfig extends SettingsOf<typeof WEB_SETTINGS> {
  warnings: readonly string[]
}

/** Reads the server's configuration; throws one `ConfigError` naming every bad variable. */
export function loadConfig (environment: Record<string, string | undefined>, isTty = false): WebConfig {
  const env = new EnvReader(environment, [])
  const config: WebConfig = { ...readSettings(env, WEB_SETTINGS, isTty), warnings: env.warnings }
  env.finish()
  return config
}
