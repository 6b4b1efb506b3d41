import fc, { type Arbitrary } from 'fast-check'

/** Field, parameter and header names whose values are credentials: they get secrets. */
export const SECRET_NAME = /pass(word)?|secret|token|assertion|api_?key|code|credential/i
export const SECRET_QUERY = ['access_token', 'refresh_token', 'client_secret', 'client_assertion', 'password', 'token',
  'api_key', 'code']
export const SECRET_HEADERS = ['x-api-key', 'x-auth-token', 'proxy-authorization', 'dpop']

const SECRET_MARK = 'S3cr3t'
const SECRET_PATTERN = new RegExp(`${SECRET_MARK}[A-Za-z0-9]{20}`, 'g')
export const ALPHANUMERIC = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789']

/** A secret: recognisable in a log line wherever it lands (letters and digits survive URL and JSON encoding). */
export const secret: Arbitrary<string> = fc
  .string({ unit: fc.constantFrom(...ALPHANUMERIC), minLength: 20, maxLength: 20 })
  .map((random) => `${SECRET_MARK}${random}`)

/** Valid credentials to mix in, so requests get past authentication too. Each value counts as a secret. */
export interface FuzzCredentials {
  /** Whole header sets: `{ authorization: 'Bearer <a valid token>' }`. */
  headers?: Array<Record<string, string>>
  /** Body fields by name: `{ password: ['pass123'] }` (only secret-named ones count as secrets). */
  fields?: Record<string, unknown[]>
}

interface Sent {
  url: string
  headers: Record<string, string>
  body: string | undefined
}

/**
 * The secrets a request carries: every generated one; a Basic credential whose password is one, as
 * sent (base64); and the valid credentials it carries, headers and secret-named fields.
 */
export function secretsIn ({ url, headers, body }: Sent, credentials: FuzzCredentials): string[] {
  const secrets = new Set([url, ...Object.values(headers), body ?? ''].join('\n').match(SECRET_PATTERN) ?? [])
  const basic = /^Basic (\S+)$/.exec(headers.authorization ?? '')?.[1]
  if (basic !== undefined && Buffer.from(basic, 'base64').toString().includes(SECRET_MARK)) secrets.add(basic)
  for (const set of credentials.headers ?? []) {
    for (const [name, value] of Object.entries(set)) {
      if (headers[name] === value) secrets.add(value.replace(/^\S+ /, ''))
    }
  }
  for (const [name, values] of Object.entries(credentials.fields ?? {})) {
    if (!SECRET_NAME.test(name)) continue
    for (const value of values) if (typeof value === 'string' && body?.includes(value)) secrets.add(value)
  }
  return [...secrets]
}
