import Type from 'typebox'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { ConfigError, parseBoolean, readEnv } from '@repo/service-kit/env'

/** Everything the auth service needs to run. Tests build this object directly. */
export interface AuthConfig {
  port: number
  host: string
  /** The `iss` of every token, and the base of the discovery and JWKS URLs. */
  issuer: string
  /** The `aud` of every token: the resource server the tokens are for. */
  audience: string
  /** The `client_id` claim (RFC 9068 §2.2). */
  clientId: string
  tokenTtlSeconds: number
  signingAlg: SigningAlgorithm
  /** Where the SQLite database holding users and signing keys lives. */
  dataDir: string
  /** `Cache-Control: max-age` of the JWKS: how long consumers may keep it. */
  jwksMaxAgeSeconds: number
  seedDemoUsers: boolean
  logLevel: string
  prettyLogs: boolean
}

const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  ISSUER: Type.String({ minLength: 1, default: 'http://localhost:3001' }),
  TOKEN_AUDIENCE: Type.String({ minLength: 1, default: 'consumer-service' }),
  TOKEN_CLIENT_ID: Type.String({ minLength: 1, default: 'demo-client' }),
  TOKEN_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 86400, default: 900 }),
  SIGNING_ALG: Type.Enum(SIGNING_ALGORITHMS, { default: 'RS256' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  JWKS_MAX_AGE_SECONDS: Type.Integer({ minimum: 0, maximum: 86400, default: 300 }),
  SEED_DEMO_USERS: Type.Union([Type.Boolean(), Type.String()], { default: 'true' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' })
})

/** The issuer is compared byte for byte with `iss`, so it must be a plain origin-plus-path URL. */
export function checkIssuer (issuer: string): string {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new ConfigError(`invalid configuration: ISSUER must be an absolute URL, got "${issuer}"`)
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || issuer.endsWith('/')) {
    throw new ConfigError('invalid configuration: ISSUER must be an http(s) URL without query, fragment or trailing slash')
  }
  return issuer
}

export function loadConfig (env: Record<string, string | undefined>, isTty = false): AuthConfig {
  const vars = readEnv(EnvSchema, env)
  return {
    port: vars.PORT,
    host: vars.HOST,
    issuer: checkIssuer(vars.ISSUER),
    audience: vars.TOKEN_AUDIENCE,
    clientId: vars.TOKEN_CLIENT_ID,
    tokenTtlSeconds: vars.TOKEN_TTL_SECONDS,
    signingAlg: vars.SIGNING_ALG as SigningAlgorithm,
    dataDir: vars.DATA_DIR,
    jwksMaxAgeSeconds: vars.JWKS_MAX_AGE_SECONDS,
    seedDemoUsers: parseBoolean(vars.SEED_DEMO_USERS),
    logLevel: vars.LOG_LEVEL,
    prettyLogs: isTty
  }
}
