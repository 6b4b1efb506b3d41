/**
 * What a suite started, released in reverse order however far start-up got: a failing `beforeAll`
 * still stops the processes it had already launched.
 */
export class Resources {
  readonly #releases: Array<() => Promise<void>> = []

  /** Remembers how to release `resource`, and hands it back. */
  add<T> (resource: T, release: (resource: T) => Promise<void>): T {
    this.#releases.push(() => release(resource))
    return resource
  }

  async release (): Promise<void> {
    const releases = this.#releases.splice(0).reverse()
    const failures: unknown[] = []
    for (const release of releases) {
      try {
        await release()
      } catch (error) {
        failures.push(error)
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'some resources did not release')
  }
}
