import type { FastifyRequest } from 'fastify'
import { decodeJwt } from 'jose'
import { readBasicCredentials } from '../../oauth/basic-credentials.js'

/**
 * The name the rate limits (rate-limits/) count a token or revocation request's failures against:
 * the client it tries a secret or an assertion for. The Basic user name (RFC 6749 §2.3.1,
 * form-decoded), else `client_id` of the form, else the `iss` of the client assertion: the client
 * `authenticateClient` looks up and checks (not verified here: it only names a counter; its `sub`
 * could differ on every attempt). Undefined when the request presents no secret, like a public
 * client's refresh: failures of a secret nobody has cannot lock its users out.
 */
export function clientIdOf (request: FastifyRequest): string | undefined {
  // Asked three times a request by the limits' hooks and key generators: read once, after the body
  // (the per-IP hook asks before it, for a refusal's log line only, and is not remembered).
  if (request.body === undefined) return readClientId(request)
  if (!names.has(request)) names.set(request, readClientId(request))
  return names.get(request)
}

const names = new WeakMap<FastifyRequest, string | undefined>()

function readClientId (request: FastifyRequest): string | undefined {
  const basic = readBasicCredentials(request.headers.authorization)?.id
  if (basic !== undefined) return basic
  const form = (request.body ?? {}) as Record<string, unknown>
  const assertion = typeof form.client_assertion === 'string' ? form.client_assertion : undefined
  if (typeof form.client_secret !== 'string' && assertion === undefined) return undefined
  if (typeof form.client_id === 'string') return form.client_id
  return assertion === undefined ? undefined : assertionIssuer(assertion)
}

function assertionIssuer (assertion: string): string | undefined {
  try {
    const { iss } = decodeJwt(assertion)
    return typeof iss === 'string' ? iss : undefined
  } catch {
    return undefined
  }
}
