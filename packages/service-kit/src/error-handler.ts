import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@repo/contracts/errors'
import { isDatabaseUnavailable } from './sql/unavailable.js'

const KNOWN_CODES = new Set<string>(ERROR_CODES)

/**
 * A domain error may carry response headers (`WWW-Authenticate`, `Retry-After`):
 * the error handler sets them, so the place that knows why also says how to recover.
 */
export interface ErrorWithHeaders {
  headers?: Record<string, string>
}

type HandledError = FastifyError & ErrorWithHeaders

/** Library 4xx errors are mapped to a stable code and a fixed message: their text is not ours to publish. */
const LIBRARY_CLIENT_ERRORS: Record<number, { code: ErrorCode, message: string }> = {
  404: { code: 'not_found', message: 'Not Found' },
  405: { code: 'method_not_allowed', message: 'Method Not Allowed' },
  413: { code: 'payload_too_large', message: 'Request body is too large' },
  415: { code: 'unsupported_media_type', message: 'Content-Type must be application/json' },
  429: { code: 'too_many_requests', message: 'Too many requests, retry later' }
}

function body (statusCode: number, code: ErrorCode, message: string): ErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

/** Turns any error into the contract's error body. Exported for tests that need no Fastify. */
export function toErrorBody (error: HandledError): ErrorBody {
  if (error.validation) {
    return body(400, 'invalid_request', error.message)
  }
  // The database is away: a moment's wait fixes it (its Retry-After says how long), not a bug report.
  if (isDatabaseUnavailable(error)) {
    return body(503, 'temporarily_unavailable', 'Service temporarily unavailable, retry later')
  }
  const status = error.statusCode ?? 500
  // @fastify/error upper-cases codes; the contract's codes are lower case.
  const code = typeof error.code === 'string' ? error.code.toLowerCase() : ''
  if (KNOWN_CODES.has(code) && status >= 400 && status < 600) {
    return body(status, code as ErrorCode, error.message)
  }
  if (status >= 400 && status < 500) {
    const mapped = LIBRARY_CLIENT_ERRORS[status] ?? { code: 'invalid_request', message: 'Malformed request' }
    return body(status in LIBRARY_CLIENT_ERRORS ? status : 400, mapped.code, mapped.message)
  }
  return body(500, 'internal_error', 'Internal Server Error')
}

function handleError (error: HandledError, request: FastifyRequest, reply: FastifyReply): ErrorBody {
  const response = toErrorBody(error)
  if (response.statusCode >= 500 && response.code === 'internal_error') {
    request.log.error({ err: error }, 'request failed')
  } else {
    request.log.info({ code: response.code, reason: error.code ?? error.name }, 'request rejected')
  }
  if (error.headers) reply.headers(error.headers)
  reply.code(response.statusCode)
  return response
}

/** One error mapper per service: every failure leaves as an `ErrorBody` with a stable code. */
export const errorHandlerPlugin = fp(async function errorHandler (app: FastifyInstance) {
  app.setErrorHandler<HandledError>((error, request, reply) => reply.send(handleError(error, request, reply)))
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(body(404, 'not_found', `Route ${request.method} ${request.url.split('?')[0]} not found`))
  })
}, { name: 'error-handler' })
