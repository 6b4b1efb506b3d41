import type { AuthClient, Tokens } from './auth-client.js'

/** Refresh this long before expiry at most; a short-lived token is refreshed at two thirds of its life. */
const MAX_MARGIN_MS = 30_000

/**
 * The signed-in state, in memory only: gone with the page. Renews the access token before it
 * expires; `onEnded` hears the fault when renewal fails.
 */
export class Session {
  #tokens: Tokens
  #timer: ReturnType<typeof setTimeout> | undefined
  #refreshing: Promise<Tokens> | undefined

  constructor (private readonly auth: AuthClient, tokens: Tokens, private readonly onEnded: (error: unknown) => void) {
    this.#tokens = tokens
    this.#schedule()
  }

  get tokens (): Tokens {
    return this.#tokens
  }

  /** One refresh at a time: a timer and a retried call share it (a rotated refresh token is single use). */
  refresh (): Promise<Tokens> {
    this.#refreshing ??= this.auth.refresh(this.#tokens).then((tokens) => {
      this.#tokens = tokens
      this.#schedule()
      return tokens
    }).finally(() => { this.#refreshing = undefined })
    return this.#refreshing
  }

  end (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #schedule (): void {
    clearTimeout(this.#timer)
    const lifetime = this.#tokens.expiresAt - Date.now()
    const delay = Math.max(1000, lifetime - Math.min(MAX_MARGIN_MS, lifetime / 3))
    this.#timer = setTimeout(() => { this.refresh().catch(this.onEnded) }, delay)
  }
}
