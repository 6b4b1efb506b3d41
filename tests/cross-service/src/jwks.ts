/** The `kid` in a JWT's header (unverified: the consumer verifies, this only reads). */
export const kidOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string

/** A service's JWKS exactly as served: the body's bytes as text, its ETag, and the kids in it. */
export async function servedJwks (url: string): Promise<{ body: string, etag: string | null, kids: string[] }> {
  const response = await fetch(`${url}/.well-known/jwks.json`)
  if (response.status !== 200) throw new Error(`${url} answered ${response.status} for its JWKS`)
  const body = await response.text()
  const { keys } = JSON.parse(body) as { keys: Array<{ kid: string }> }
  return { body, etag: response.headers.get('etag'), kids: keys.map((key) => key.kid) }
}

/**
 * Reads the JWKS of each of `urls` every `everyMs` until `signal` aborts, and collects every kid
 * any of them published. A replica that does not answer (killed) is skipped.
 */
export function watchPublishedKids (urls: readonly string[], everyMs: number, signal: AbortSignal) {
  const kids = new Set<string>()
  const done = (async () => {
    while (!signal.aborted) {
      await Promise.all(urls.map(async (url) => {
        try {
          for (const kid of (await servedJwks(url)).kids) kids.add(kid)
        } catch {
          // down on purpose
        }
      }))
      await new Promise((resolve) => setTimeout(resolve, everyMs))
    }
  })()
  return { kids, done }
}
