import type { FastifyError } from 'fastify'
import { createHttpError, type HttpError } from '../../http-error.js'
import { waitInWords } from './wait-in-words.js'

/** The interaction id names no pending request: never made, finished already, or past its 10 minutes. */
export const InteractionExpiredError = createHttpError('interaction_expired', 'The sign-in request is unknown', 400)
/** The interaction cookie is missing or names another request: the page was opened in another browser. */
export const InteractionMismatchError = createHttpError(
  'interaction_mismatch', 'The sign-in request belongs to another browser', 403)
/** A form field sent twice: no browser does that with these forms. */
export const RepeatedFieldError = createHttpError('invalid_request', 'A form field is sent more than once', 400)
export const NotAFormError = createHttpError('unsupported_media_type', 'The body must be a form', 415)

/** What a page says about an error: its status, words for a person, and the headers that go with it. */
export interface ErrorPage {
  status: number
  title: string
  message: string
  advice?: string
  headers: Record<string, string>
}

type AnyError = FastifyError & Partial<Pick<HttpError, 'headers' | 'reason'>>

const GO_BACK = 'Go back to the app you came from and sign in again from there.'
const CSRF_CODES = new Set(['FST_CSRF_MISSING_SECRET', 'FST_CSRF_INVALID_TOKEN'])

const page = (status: number, title: string, message: string, advice?: string, headers: Record<string, string> = {}) =>
  ({ status, title, message, advice, headers })

/** The page for an error of the login, consent or logout pages; never the error's own text. */
export function errorPage (error: AnyError): ErrorPage {
  const headers = error.headers ?? {}
  if (error instanceof InteractionExpiredError) {
    return page(400, 'This sign-in has expired', 'This sign-in is no longer valid.', GO_BACK)
  }
  if (error instanceof InteractionMismatchError) {
    return page(403, 'This sign-in was started elsewhere',
      'This sign-in was started in another browser, or its time ran out.', GO_BACK)
  }
  if (typeof error.code === 'string' && CSRF_CODES.has(error.code)) {
    return page(403, 'The form has expired', 'This form was not sent from its page, or the page is too old.',
      'Go back, reload the page and try again.')
  }
  if (error.statusCode === 429) {
    const wait = waitInWords(Number(headers['retry-after'] ?? 60))
    return page(429, 'Too many attempts', `Too many attempts. Try again in ${wait}.`, undefined, headers)
  }
  if (error.statusCode === 503) {
    return page(503, 'Temporarily unavailable', 'The sign-in service is unavailable for a moment. Try again shortly.',
      undefined, headers)
  }
  if (error.validation || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
    const status = error.statusCode === 413 || error.statusCode === 415 ? error.statusCode : 400
    return page(status, 'Something is wrong with this request', 'This request is not one this page understands.',
      GO_BACK)
  }
  return page(500, 'Something went wrong', 'Something went wrong on our side. Try again later.')
}
