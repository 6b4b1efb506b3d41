/**
 * The long polls waiting in this process, woken when an event may have arrived: in-process by the
 * signal log's `announce()`, from other replicas by PostgreSQL NOTIFY. A waiter remembers a wake-up
 * that came while its poll was querying, so none is lost between two waits.
 */
export class Wakeups {
  readonly #waiters = new Set<Waiter>()

  /** How many polls are waiting. */
  get size (): number {
    return this.#waiters.size
  }

  /** A waiter for one poll, ended when `signal` aborts; `dispose()` it when the poll ends. */
  waiter (signal: AbortSignal): Waiter {
    const waiter = new Waiter(signal, () => this.#waiters.delete(waiter))
    this.#waiters.add(waiter)
    return waiter
  }

  wakeAll (): void {
    for (const waiter of this.#waiters) waiter.wake()
  }

  endAll (): void {
    for (const waiter of this.#waiters) waiter.end()
  }
}

export class Waiter {
  #woken = false
  #ended = false
  #release: (() => void) | undefined
  readonly #signal: AbortSignal
  readonly #onDispose: () => void
  readonly #onAbort = () => this.end()

  constructor (signal: AbortSignal, onDispose: () => void) {
    this.#signal = signal
    this.#onDispose = onDispose
    if (signal.aborted) this.#ended = true
    else signal.addEventListener('abort', this.#onAbort, { once: true })
  }

  /** Ended: aborted by the client or by close(); the poll answers at once. */
  get ended (): boolean {
    return this.#ended
  }

  wake (): void {
    this.#woken = true
    this.#release?.()
  }

  end (): void {
    this.#ended = true
    this.#release?.()
  }

  /** Resolves at the next wake-up (or one that came since the last call), at the end, or after `ms`. */
  async next (ms: number): Promise<void> {
    if (!this.#woken && !this.#ended) {
      await new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(timer)
          this.#release = undefined
          resolve()
        }
        const timer = setTimeout(release, ms)
        this.#release = release
      })
    }
    this.#woken = false
  }

  dispose (): void {
    this.#release?.()
    this.#signal.removeEventListener('abort', this.#onAbort)
    this.#onDispose()
  }
}
