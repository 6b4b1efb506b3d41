import fc, { type Arbitrary } from 'fast-check'
import { secretsIn, type FuzzCredentials } from './fuzz-secrets.js'
import { credentialsHeader, oddHeaders, queryString, requestBody, type FuzzOperation } from './fuzz-request-parts.js'
import type { JsonSchema } from './schema-arbitrary.js'

export type { FuzzCredentials } from './fuzz-secrets.js'
export type { FuzzOperation } from './fuzz-request-parts.js'

interface DocumentOperation {
  parameters?: FuzzOperation['parameters']
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> }
}

/** Every operation of the document, but CORS preflights and HEADs (Fastify answers those for each GET). */
export function fuzzOperations (document: { paths: Record<string, Record<string, unknown>> }): FuzzOperation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods)
    .filter(([method]) => !['options', 'head', 'parameters'].includes(method))
    .map(([method, value]) => {
      const operation = value as DocumentOperation
      const content = Object.entries(operation.requestBody?.content ?? {})
      const bodies = Object.fromEntries(content.map(([type, media]) => [type, media.schema ?? {}]))
      return { method: method.toUpperCase(), path, parameters: operation.parameters ?? [], bodies }
    }))
}

/** A request for `app.inject`, and the secrets it carries (in the URL, the headers and the body). */
export interface FuzzRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  secrets: string[]
}

/**
 * Requests for one operation: its method and path; a query string of secrets, documented and odd
 * parameters; credentials, secret-bearing and odd headers; a body from its schema, in its content
 * type or another. `secrets` lists every secret placed, and the valid credentials it carries.
 */
export function fuzzRequests (operation: FuzzOperation, credentials: FuzzCredentials = {}): Arbitrary<FuzzRequest> {
  const path = operation.path.replace(/\{[^}]+\}/g, () => 'x')
  const parts = fc.tuple(queryString(operation), credentialsHeader(credentials), oddHeaders(),
    requestBody(operation, credentials))
  return parts.map(([query, authorization, odd, { contentType, body }]) => {
    const headers = { ...odd, ...authorization, ...(contentType === undefined ? {} : { 'content-type': contentType }) }
    const url = `${path}${query}`
    const secrets = secretsIn({ url, headers, body }, credentials)
    return { method: operation.method, url, headers, ...(body === undefined ? {} : { body }), secrets }
  })
}
