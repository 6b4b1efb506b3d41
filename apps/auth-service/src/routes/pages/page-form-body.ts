import type { FastifyInstance } from 'fastify'
import { NotAFormError, RepeatedFieldError } from './page-errors.js'

/**
 * Parses the pages' forms (`application/x-www-form-urlencoded`, what a browser posts without
 * JavaScript) into an object without a prototype; a field sent twice and any other body are refused.
 * Empty fields stay empty strings: the page says which field to fill.
 */
export function acceptPageForms (app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    const form: Record<string, string> = Object.create(null) as Record<string, string>
    for (const [name, value] of new URLSearchParams(body as string)) {
      if (Object.hasOwn(form, name)) return done(new RepeatedFieldError(), undefined)
      form[name] = value
    }
    done(null, form)
  })
  app.addContentTypeParser('*', (request, payload, done) => done(new NotAFormError(), undefined))
}
