import type { FastifyBaseLogger } from 'fastify'
import type { JWK } from 'get-jwks'
import type { KeyCheck } from './verification-key.js'

/**
 * What one issuer's fetches tell the operator: each set once when it changes (with the keys it
 * ignores and why), and one line per outage, not per attempt.
 */
export class FetchLog {
  readonly #issuer: string
  readonly #log: FastifyBaseLogger
  #published: string | undefined
  #failingSince: number | undefined

  constructor (issuer: string, log: FastifyBaseLogger) {
    this.#issuer = issuer
    this.#log = log
  }

  started (): void {
    this.#log.debug({ issuer: this.#issuer }, 'JWKS fetch started')
  }

  /** After a successful fetch: the set, if it changed, and the end of an outage. */
  fetched (jwks: readonly JWK[], check: (jwk: object) => KeyCheck, now: number): void {
    const issuer = this.#issuer
    this.#setChanged(jwks, check)
    if (this.#failingSince !== undefined) {
      this.#log.info({ issuer, unreachableForMs: now - this.#failingSince }, 'JWKS reachable again')
      this.#failingSince = undefined
    }
  }

  #setChanged (jwks: readonly JWK[], check: (jwk: object) => KeyCheck): void {
    const issuer = this.#issuer
    const published = jwks.map(({ kid }) => kid).sort().join(' ')
    if (published === this.#published) return
    this.#published = published
    for (const jwk of jwks) {
      const checked = check(jwk)
      if ('ignored' in checked) {
        this.#log.warn({ issuer, kid: jwk.kid.slice(0, 64), reason: checked.ignored }, 'JWKS key ignored')
      }
    }
    const kids = jwks.filter((jwk) => 'key' in check(jwk)).map(({ kid }) => kid)
    this.#log.info({ issuer, kids }, 'JWKS fetched')
  }

  /** Before any key is known a failure is what start-up looks like, so `info`; later, a warning. */
  failed (reason: string, context: { now: number, everFetched: boolean, retryInMs: number }): void {
    const first = this.#failingSince === undefined
    this.#failingSince ??= context.now
    const line = { issuer: this.#issuer, reason, retryInMs: context.retryInMs }
    if (!first) this.#log.debug(line, 'JWKS fetch failed again')
    else if (!context.everFetched) {
      this.#log.info(line, 'JWKS fetch failed; no keys known yet, retrying (expected while the issuer starts)')
    } else this.#log.warn(line, 'JWKS fetch failed; keeping the keys already known')
  }
}
