import fc, { type Arbitrary } from 'fast-check'
import {
  ALPHANUMERIC, SECRET_HEADERS, SECRET_NAME, SECRET_QUERY, secret, type FuzzCredentials
} from './fuzz-secrets.js'
import { ODD_KEYS, hugeString, schemaValue, type JsonSchema } from './schema-arbitrary.js'

/** One operation of an OpenAPI 3.1 document, as the fuzz reads it. */
export interface FuzzOperation {
  method: string
  path: string
  parameters: Array<{ name: string, in: string, schema?: JsonSchema }>
  /** Content type → body schema, when the operation takes a body. */
  bodies: Record<string, JsonSchema>
}

const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/xml',
  'multipart/form-data; boundary=fuzz', 'application/json; charset=utf-16', 'application/octet-stream',
  'application/x-www-form-urlencoded; charset=latin1', 'application/merge-patch+json', '*/*', ';',
  'application/json, text/plain']
const ODD_HEADERS = ['accept', 'accept-encoding', 'x-forwarded-for', 'x-forwarded-proto', 'forwarded', 'x-request-id',
  'origin', 'referer', 'user-agent', 'if-none-match', 'range', 'expect']

const token = fc.string({ unit: fc.constantFrom(...ALPHANUMERIC, '-', '_', '.'), minLength: 1, maxLength: 20 })
/** What an HTTP parser lets through in a header value: visible ASCII and spaces. */
const visibleAscii = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code))
const headerText = fc.string({ unit: visibleAscii, maxLength: 200 })
const oddName = fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 12 }))

/** No authorization, a secret in one of its forms, an odd one, or one of the valid `credentials`. */
export function credentialsHeader (credentials: FuzzCredentials): Arbitrary<Record<string, string>> {
  const basic = fc.tuple(token, secret).map(([id, password]) => Buffer.from(`${id}:${password}`).toString('base64'))
  const authorization = fc.oneof(
    secret.map((value) => `Bearer ${value}`),
    basic.map((value) => `Basic ${value}`),
    secret.map((value) => `Basic ${value}`),
    fc.tuple(token, secret).map(([scheme, value]) => `${scheme} ${value}`),
    headerText,
    hugeString().map((value) => `Bearer ${value}`)
  )
  const valid = credentials.headers ?? []
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    { weight: 3, arbitrary: authorization.map((value) => ({ authorization: value })) },
    { weight: valid.length > 0 ? 3 : 0, arbitrary: fc.constantFrom({}, ...valid) }
  )
}

/** Up to four more headers: common ones with odd values, made-up ones, secret-bearing ones. */
export function oddHeaders (): Arbitrary<Record<string, string>> {
  const name = fc.oneof(fc.constantFrom(...ODD_HEADERS), token.map((value) => `x-${value}`))
  const secretHeader = fc.tuple(fc.constantFrom(...SECRET_HEADERS, 'cookie'), secret)
    .map(([header, value]) => [header, header === 'cookie' ? `session=${value}` : value] as const)
  const value = fc.oneof(headerText, hugeString().map((text) => text.slice(0, 8000)))
  return fc.array(fc.oneof(fc.tuple(name, value), secretHeader), { maxLength: 4 })
    .map((entries) => Object.fromEntries(entries))
}

/** Percent-encoding, a lone surrogate (which it cannot encode) replaced by U+FFFD. */
const encode = (text: string) => encodeURIComponent(text.toWellFormed())
const formField = (name: string, value: unknown) =>
  `${encode(name)}=${encode(typeof value === 'string' ? value : JSON.stringify(value) ?? '')}`

/** Up to four parameters: secrets under credential names, odd names and values, the documented ones. */
export function queryString (operation: FuzzOperation): Arbitrary<string> {
  const documented = operation.parameters.filter((parameter) => parameter.in === 'query')
    // Not String(value): a generated object may have no prototype (fc.dictionary), which String() throws on.
    .map((parameter) => fc.tuple(fc.constant(parameter.name), schemaValue(parameter.schema ?? {})))
  const pair = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...SECRET_QUERY), secret) },
    { weight: 2, arbitrary: fc.tuple(oddName, fc.oneof(fc.string(), hugeString())) },
    ...documented.map((arbitrary) => ({ weight: 3, arbitrary }))
  )
  // A raw tail that is not valid percent-encoding, now and then.
  const tail = fc.constantFrom('', '', '', '&%zz', '&a=%E0%A4%A', '&&&', '&a[b]=c&a[b]=d', '#fragment')
  return fc.tuple(fc.array(pair, { maxLength: 4 }), tail).map(([pairs, raw]) => {
    const encoded = pairs.map(([name, value]) => formField(name, value)).join('&')
    return encoded === '' && raw === '' ? '' : `?${encoded}${raw}`
  })
}

/** A body as the content type says, or a near miss: JSON cut short one time in twenty. */
function encodeBody (value: unknown, contentType: string | undefined, malformed: number): string {
  const json = JSON.stringify(value) ?? 'null'
  if (malformed === 0) return json.slice(0, Math.max(1, json.length - 1))
  if (contentType?.includes('x-www-form-urlencoded') && typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .flatMap(([name, field]) => (Array.isArray(field) ? field : [field]).map((one) => formField(name, one)))
      .join('&')
  }
  return json
}

/** Secrets for secret-named string fields, and the valid `credentials.fields` values now and then. */
function fieldOverride (credentials: FuzzCredentials) {
  return (name: string, schema: JsonSchema) => {
    const sensitive = SECRET_NAME.test(name) && schema.type === 'string'
    const other = sensitive
      ? fc.oneof({ weight: 4, arbitrary: secret }, { weight: 1, arbitrary: schemaValue(schema) })
      : undefined
    const valid = credentials.fields?.[name]
    return valid === undefined ? other : fc.oneof(fc.constantFrom(...valid), other ?? schemaValue(schema))
  }
}

export interface FuzzBody {
  contentType?: string
  body?: string
}

/** A body from one of the operation's schemas, in its content type or another; or none; or one it does not take. */
export function requestBody (operation: FuzzOperation, credentials: FuzzCredentials): Arbitrary<FuzzBody> {
  const documented = Object.entries(operation.bodies)
  const schemas = documented.length > 0 ? documented.map(([, schema]) => schema) : [{ type: 'object' }]
  const documentedType = documented.length > 0
    ? fc.constantFrom(...documented.map(([type]) => type))
    : fc.constant(undefined)
  const contentType = fc.oneof(
    { weight: 6, arbitrary: documentedType },
    { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(undefined), headerText) }
  )
  const value = fc.oneof(...schemas.map((schema) => schemaValue(schema, fieldOverride(credentials))))
  const sent = fc.tuple(contentType, value, fc.integer({ min: 0, max: 19 })).map(([type, chosen, malformed]) => ({
    ...(type === undefined ? {} : { contentType: type }),
    body: encodeBody(chosen, type, malformed)
  }))
  return documented.length > 0
    ? fc.oneof({ weight: 9, arbitrary: sent }, { weight: 1, arbitrary: fc.constant({}) })
    : fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: sent })
}
