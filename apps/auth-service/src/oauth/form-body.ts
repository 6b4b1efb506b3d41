import type { FastifyInstance } from 'fastify'
import { invalidRequest } from './oauth-errors.js'

/** RFC 8707 §2: `resource` "MAY be used multiple times"; its values are kept as a list. */
const REPEATABLE = new Set(['resource'])

/**
 * Parses `application/x-www-form-urlencoded` bodies for the OAuth endpoints (RFC 6749 §3.2).
 * A parameter sent twice is refused (§3.1: "MUST NOT be included more than once") unless it is
 * REPEATABLE (then a list of its values), empty values count as absent (§3.1), and any other
 * content type is `invalid_request`.
 */
export function acceptFormBodies (app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    const params = new URLSearchParams(body as string)
    // No prototype: `__proto__`, `constructor` or `toString` are names like any other, unknown ones
    // that the schema lets through and the handlers never read (§3.2), not members it already has.
    const form: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>
    for (const [name, value] of params) {
      const previous = form[name]
      if (previous !== undefined && REPEATABLE.has(name)) {
        if (value !== '') form[name] = [...typeof previous === 'string' ? [previous] : previous, value]
        continue
      }
      if (Object.hasOwn(form, name)) return done(invalidRequest(`${name} is sent more than once`), undefined)
      if (value !== '') form[name] = value
    }
    done(null, form)
  })
  app.addContentTypeParser('*', (request, payload, done) => {
    done(invalidRequest('The request body must be application/x-www-form-urlencoded'), undefined)
  })
}
