import { isIP } from 'node:net'
import { ConfigError } from '@repo/service-kit/env'
import { readSsfCredentials, type SsfCredentials } from './signals/ssf-credentials.js'

/** One issuer whose tokens this service accepts. */
export interface TrustedIssuer {
  /** Compared byte for byte with a token's `iss`; a trailing slash is part of it (Auth0 has one). */
  issuer: string
  /** This service's identifier for that issuer: the token's `aud` must contain it. */
  audience: string
  /** Where its keys are; undefined means "discover from its metadata" (OIDC Discovery or RFC 8414). */
  jwksUrl: string | undefined
  /**
   * Whether its tokens may come as bearer tokens (`allowed`) or only DPoP-bound, each request with a
   * proof of the key (`required`). A token bound to a key (`cnf`) is never accepted as a bearer token.
   */
  dpop: DpopPolicy
  /** The client credentials of this service's Shared Signals receiver at that issuer; none: no signals. */
  ssf?: SsfCredentials
}

export const DPOP_POLICIES = ['allowed', 'required'] as const
export type DpopPolicy = typeof DPOP_POLICIES[number]

export interface TrustedIssuerSettings {
  /** `TRUSTED_ISSUERS`: a JSON array of `{ issuer, audience?, jwks_uri?, dpop? }`, or issuer URLs (commas). */
  trustedIssuers: string | undefined
  /** `ISSUER` and `JWKS_URL`: the one-issuer shorthand, used when `TRUSTED_ISSUERS` is not set. */
  issuer: string
  jwksUrl: string | undefined
  /** The `audience` of issuers that don't name their own (`AUDIENCE`). */
  audience: string
  /** `ALLOW_INSECURE_ISSUERS`: plain http to hosts other than loopback. */
  allowInsecure: boolean
  /** `SSF_CLIENT_ID` and `SSF_CLIENT_SECRET_FILE`: the receiver's credentials when there is one issuer. */
  ssfClientId?: string | undefined
  ssfClientSecretFile?: string | undefined
}

const fail = (message: string): never => { throw new ConfigError(`invalid configuration: ${message}`) }

const INSECURE_ALLOWED = 'allowed by ALLOW_INSECURE_ISSUERS, never do this outside a private network'

/** Loopback names and addresses: plain http there never leaves the machine. */
function isLoopback (hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}

/**
 * An issuer or JWKS URL: absolute, without query or fragment for an issuer (OIDC Discovery §3), and
 * `https:` — the first rule of fetching keys — unless the host is loopback or insecure is allowed.
 * Returns whether it is plain http to a non-loopback host, for a warning.
 */
export function checkKeySourceUrl (
  name: string,
  value: string,
  { isIssuer, allowInsecure }: { isIssuer: boolean, allowInsecure: boolean }
): { insecure: boolean } {
  const shown = value.slice(0, 100)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return fail(`${name} must be an absolute URL, got "${shown}"`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`${name} must be an https URL, got "${shown}"`)
  if (url.hash || (isIssuer && url.search)) {
    fail(`${name} must have no ${isIssuer ? 'query or ' : ''}fragment, got "${shown}"`)
  }
  if (url.username || url.password) fail(`${name} must not carry credentials`)
  const insecure = url.protocol === 'http:' && !isLoopback(url.hostname)
  if (insecure && !allowInsecure) {
    fail(`${name} must be https (plain http only to loopback, or with ALLOW_INSECURE_ISSUERS=true), got "${shown}"`)
  }
  return { insecure }
}

interface IssuerEntry { issuer?: unknown, audience?: unknown, jwks_uri?: unknown, dpop?: unknown, ssf?: unknown }

const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === 'string'
const isDpopPolicy = (value: unknown): value is DpopPolicy | undefined =>
  value === undefined || DPOP_POLICIES.some((policy) => policy === value)
const ENTRY_SHAPE = '{ "issuer": string, "audience"?: string, "jwks_uri"?: string, "dpop"?: "allowed" | "required", ' +
  '"ssf"?: { "client_id": string, "client_secret_file": string } }'
const isSsfEntry = (value: unknown): value is { client_id: string, client_secret_file: string } | undefined =>
  value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 2 &&
    'client_id' in value && typeof value.client_id === 'string' && value.client_id.length > 0 &&
    'client_secret_file' in value && typeof value.client_secret_file === 'string')

function parseList (value: string, defaultAudience: string): TrustedIssuer[] {
  if (value.trim().startsWith('[')) {
    let entries: unknown
    try {
      entries = JSON.parse(value)
    } catch {
      return fail('TRUSTED_ISSUERS is not valid JSON')
    }
    if (!Array.isArray(entries)) return fail('TRUSTED_ISSUERS must be a JSON array')
    return entries.map((entry: IssuerEntry, index) => {
      const known = ['issuer', 'audience', 'jwks_uri', 'dpop', 'ssf']
      const extra = typeof entry === 'object' && entry !== null
        ? Object.keys(entry).filter((key) => !known.includes(key))
        : []
      if (typeof entry !== 'object' || entry === null || typeof entry.issuer !== 'string' || extra.length > 0 ||
        !isOptionalString(entry.audience) || !isOptionalString(entry.jwks_uri) || !isDpopPolicy(entry.dpop) ||
        !isSsfEntry(entry.ssf)) {
        return fail(`TRUSTED_ISSUERS[${index}] must be ${ENTRY_SHAPE}`)
      }
      const ssf = entry.ssf === undefined
        ? {}
        : {
            ssf: readSsfCredentials(`TRUSTED_ISSUERS[${index}].ssf`, entry.ssf.client_id, entry.ssf.client_secret_file)
          }
      return {
        issuer: entry.issuer,
        audience: (entry.audience as string | undefined) ?? defaultAudience,
        jwksUrl: entry.jwks_uri as string | undefined,
        dpop: (entry.dpop as DpopPolicy | undefined) ?? 'allowed',
        ...ssf
      }
    })
  }
  return value.split(',').map((issuer) => issuer.trim()).filter((issuer) => issuer.length > 0)
    .map((issuer): TrustedIssuer => ({ issuer, audience: defaultAudience, jwksUrl: undefined, dpop: 'allowed' }))
}

/**
 * The issuers this service trusts, checked: each URL as `checkKeySourceUrl` says, no issuer twice.
 * Returns a warning for each plain-http key source that `ALLOW_INSECURE_ISSUERS` let through.
 */
export function readTrustedIssuers (settings: TrustedIssuerSettings): { issuers: TrustedIssuer[], warnings: string[] } {
  const issuers = settings.trustedIssuers === undefined
    ? [{ issuer: settings.issuer, audience: settings.audience, jwksUrl: settings.jwksUrl, dpop: 'allowed' as const }]
    : parseList(settings.trustedIssuers, settings.audience)
  const name = settings.trustedIssuers === undefined ? 'ISSUER' : 'TRUSTED_ISSUERS'
  if (issuers.length === 0) fail('TRUSTED_ISSUERS must name at least one issuer')
  if (issuers.length > 20) fail('TRUSTED_ISSUERS may name at most 20 issuers')
  const jwksName = settings.trustedIssuers === undefined ? 'JWKS_URL' : name
  const { allowInsecure } = settings
  const warnings: string[] = []
  for (const { issuer, audience, jwksUrl } of issuers) {
    if (audience.length === 0) fail(`the audience of ${issuer} must not be empty`)
    if (checkKeySourceUrl(name, issuer, { isIssuer: true, allowInsecure }).insecure) {
      warnings.push(`issuer ${issuer} is plain http: ${INSECURE_ALLOWED}`)
    }
    if (jwksUrl !== undefined && checkKeySourceUrl(jwksName, jwksUrl, { isIssuer: false, allowInsecure }).insecure) {
      warnings.push(`JWKS URL ${jwksUrl} is plain http: ${INSECURE_ALLOWED}`)
    }
  }
  const seen = new Set<string>()
  for (const { issuer } of issuers) {
    if (seen.has(issuer)) fail(`TRUSTED_ISSUERS names ${issuer} twice`)
    seen.add(issuer)
  }
  return { issuers: withShorthandSsf(issuers, settings), warnings }
}

/** `SSF_CLIENT_ID` with `SSF_CLIENT_SECRET_FILE`: the receiver's credentials at the one trusted issuer. */
function withShorthandSsf (issuers: TrustedIssuer[], settings: TrustedIssuerSettings): TrustedIssuer[] {
  const { ssfClientId: clientId, ssfClientSecretFile: secretFile } = settings
  if (clientId === undefined && secretFile === undefined) return issuers
  if (clientId === undefined || clientId === '' || secretFile === undefined) {
    return fail('SSF_CLIENT_ID and SSF_CLIENT_SECRET_FILE go together')
  }
  const [only, ...others] = issuers
  if (only === undefined || others.length > 0 || only.ssf !== undefined) {
    return fail('SSF_CLIENT_ID is for one trusted issuer; with several, give each its "ssf" in TRUSTED_ISSUERS')
  }
  return [{ ...only, ssf: readSsfCredentials('SSF_CLIENT_SECRET_FILE', clientId, secretFile) }]
}
