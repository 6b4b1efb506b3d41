import Type from 'typebox'
import { ErrorBodySchema } from '@repo/contracts/errors'
import { PollErrorSchema, type PollError } from '@repo/contracts/ssf'

/*
 * How the SSF endpoints refuse what they understood: `{"err": …, "description": …}`, the error object
 * of RFC 8936 §2.4.4 that the poll endpoint must use, on every SSF endpoint alike (SSF 1.0 gives the
 * others a status only). A refused token is the service's usual RFC 6750 answer instead (the body
 * `ErrorBodySchema`, a `WWW-Authenticate` challenge), as it is everywhere else in this service.
 */

/** The `err` codes the SSF endpoints answer with, each with one status. */
export const SSF_ERRORS = {
  invalidRequest: { status: 400, err: 'invalid_request' },
  notFound: { status: 404, err: 'not_found' },
  tooManyStreams: { status: 409, err: 'too_many_streams' },
  tooSoon: { status: 429, err: 'too_many_requests' }
} as const

export type SsfErrorName = keyof typeof SSF_ERRORS

export const ssfError = (name: SsfErrorName, description: string): { status: number, body: PollError } =>
  ({ status: SSF_ERRORS[name].status, body: { err: SSF_ERRORS[name].err, description } })

/** The error answers every SSF route may give besides its own: its response schemas. */
export const SSF_ERROR_RESPONSES = {
  // A malformed request (RFC 8936 / SSF) or a malformed Authorization header (RFC 6750).
  400: Type.Union([PollErrorSchema, ErrorBodySchema]),
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: PollErrorSchema,
  413: ErrorBodySchema,
  415: ErrorBodySchema,
  503: ErrorBodySchema
}
