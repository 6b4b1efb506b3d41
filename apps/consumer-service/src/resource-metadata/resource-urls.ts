import type { FastifyRequest } from 'fastify'
import { PROTECTED_RESOURCE_METADATA_PATH } from '@repo/contracts/discovery'

/**
 * The origin a request was sent to, as its client saw it: `PUBLIC_URL` when set, else the request's own
 * scheme and Host (as `TRUST_PROXY` lets the service see them). The DPoP proofs' `htu` is checked
 * against it, and the resource identifier and the metadata's URL are made of it: one notion of "the
 * URL the client called", no more trusted in one place than in the other.
 */
export function requestOrigin (publicUrl: string | undefined, request: FastifyRequest): string {
  return publicUrl ?? `${request.protocol}://${request.host}`
}

/** The resource identifier (RFC 9728 §1.2) and where its metadata is (§3.1): both absolute URLs. */
export interface ResourceUrls {
  /** The origin itself, no trailing slash: `https://api.example.com`. */
  resource: string
  /** The resource with the well-known path: what every `WWW-Authenticate` names as `resource_metadata`. */
  metadata: string
}

/** An origin a client could have typed: http(s), a host name (`_` too: container names) or IP literal, a port. */
const PLAIN_ORIGIN = /^https?:\/\/(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/

/** Whether a serialised origin (`URL.origin`) is such: what `PUBLIC_URL` must be too. */
export const isPlainOrigin = (origin: string): boolean => PLAIN_ORIGIN.test(origin)

/**
 * Stricter than the `htu` check, which only compares: these URLs are written into answers, so a Host
 * that carries a path, credentials or a character a challenge's quoted string cannot hold (`"`, `\`)
 * makes none, rather than a URL the client did not call.
 */
function urlsOf (origin: string): ResourceUrls | undefined {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return undefined
  }
  const bare = url.pathname === '/' && !url.username && !url.password && !url.search && !url.hash
  if (!bare || !isPlainOrigin(url.origin)) return undefined
  return { resource: url.origin, metadata: `${url.origin}${PROTECTED_RESOURCE_METADATA_PATH}` }
}

/** The resource's URLs as a request reached the service. */
export type ResourceUrlsOf = (request: FastifyRequest) => ResourceUrls | undefined

/**
 * The resource's URLs for a request. With `PUBLIC_URL` they are fixed (it was checked at start-up);
 * without it they come from each request, and `undefined` when its Host makes no plain origin.
 */
export function createResourceUrls (publicUrl: string | undefined): ResourceUrlsOf {
  if (publicUrl !== undefined) {
    const fixed = urlsOf(publicUrl)
    return () => fixed
  }
  // One service is called at one origin, or a few: the last one's URLs are kept.
  let last: { origin: string, urls: ResourceUrls | undefined } | undefined
  return (request) => {
    if (!request.host) return undefined
    const origin = requestOrigin(undefined, request)
    if (last?.origin !== origin) last = { origin, urls: urlsOf(origin) }
    return last.urls
  }
}
