import { createHttpError } from '../http-error.js'

export const TooManyRequestsError = createHttpError('too_many_requests', 'Too many attempts, retry later', 429)

/** A 429 whose `Retry-After` says when the limit that refused it lets a request through again. */
export function tooManyRequests (retryAfterSeconds: number) {
  return new TooManyRequestsError({ headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) } })
}
