import createError, { type FastifyError } from '@fastify/error'

export interface HttpErrorOptions {
  /** The answer's message, for an error whose message is `'%s'`. */
  message?: string
  /** Response headers the error handler sets (`Retry-After`, `WWW-Authenticate`): who knows why says how to recover. */
  headers?: Record<string, string>
  /** Why, for the log only: more precise than what the client is told. */
  reason?: string
}

export type HttpError<C extends string = string, S extends number = number> = FastifyError & {
  code: C
  statusCode: S
  headers: Record<string, string>
  reason: string | undefined
}

export interface HttpErrorConstructor<C extends string, S extends number> {
  new (options?: HttpErrorOptions): HttpError<C, S>
}

/**
 * `createError(code, message, statusCode)` of @fastify/error whose instances also take response
 * `headers` and a log `reason`: every error this service answers with is made here or by
 * `createError` itself, so there is one way to say "this request gets that status".
 */
export function createHttpError<C extends string, S extends number> (
  code: C, message: string, statusCode: S
): HttpErrorConstructor<Uppercase<C>, S> {
  const Base = createError(code, message, statusCode) as unknown as new (...args: unknown[]) => FastifyError
  return class extends Base {
    readonly headers: Record<string, string>
    readonly reason: string | undefined

    constructor ({ message, headers = {}, reason }: HttpErrorOptions = {}) {
      super(...(message === undefined ? [] : [message]))
      this.headers = headers
      this.reason = reason
    }
  } as unknown as HttpErrorConstructor<Uppercase<C>, S>
}
