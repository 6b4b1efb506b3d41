/**
 * The issuer's `Cache-Control: max-age` in seconds, or undefined when it gives none.
 * `no-store`/`no-cache` count as 0: the consumer still keeps keys for its minimum TTL.
 */
export function maxAgeSeconds (cacheControl: string | undefined): number | undefined {
  if (!cacheControl) return undefined
  const directives = cacheControl.toLowerCase().split(',').map((directive) => directive.trim())
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0
  for (const directive of directives) {
    const match = /^max-age=(\d{1,9})$/.exec(directive)
    if (match) return Number(match[1])
  }
  return undefined
}
