import Type from 'typebox'

/** An interaction id is a 256-bit handle (43 characters); anything far longer is not one. */
export const InteractionIdSchema = Type.String({ minLength: 1, maxLength: 128 })

/** The form's CSRF token: checked by @fastify/csrf-protection, bounded here. */
export const CsrfTokenSchema = Type.String({ maxLength: 256 })

const html = (description: string) => ({ description, content: { 'text/html': { schema: Type.String() } } })

/** The answers of a page route: HTML for every status. */
export function pageResponses (statuses: Record<number, string>) {
  return Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, html(description)]))
}

/** What every page can answer besides its own pages: refusals rendered by the pages' error handler. */
export const PAGE_ERRORS = {
  400: 'The request is malformed, or its sign-in expired',
  403: 'The form\'s CSRF token or the interaction cookie does not match',
  413: 'The form is too large',
  415: 'The body is not a form',
  429: 'Too many attempts: the page says how long to wait (Retry-After)',
  503: 'The service is unavailable for a moment'
}
