import type { Client } from '../clients/client-store.js'

/**
 * RFC 8707 resource indicators: which `aud` a token gets. A client may name, with `resource`, one of
 * the resources it is registered for (`clients add --resource`), or its registered audience (so a
 * client registered before resources existed can name the one it always got). Values are compared as
 * strings, exactly: `https://api.example/` and `https://api.example` are two resources.
 */

/** The values of a `resource` parameter, each once, in the order given; none when it is absent. */
export function requestedResources (value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return [...new Set(typeof value === 'string' ? [value] : value)].filter((resource) => resource !== '')
}

/** What `client` may name as `resource`; the login's own client (no registration) only `audience`. */
export function resourcesOf (client: Client | undefined, audience: string): string[] {
  return client ? [...new Set([...client.resources, client.audience])] : [audience]
}

/** The first of `requested` that is not among `allowed`, if any. */
export function unknownResource (requested: readonly string[], allowed: readonly string[]): string | undefined {
  return requested.find((resource) => !allowed.includes(resource))
}

/** A token request's `aud`, or why it is refused (the description of `invalid_target`). */
export type TokenAudience = { audience: string } | { refusal: string }

export interface TokenAudienceRules {
  /** What the client may name (`resourcesOf`). */
  allowed: readonly string[]
  /** What the authorization request named (a code's, kept by its refresh tokens): the token may only narrow. */
  bound: readonly string[]
  /** The `aud` when nothing is named, here or at the authorization: the client's registered audience. */
  fallback: string
}

/**
 * The `aud` of the access token a token request asks for with `requested` (RFC 8707 §2.2). One
 * resource per token: a token naming two could be replayed at either, which is what RFC 8707 is
 * meant to stop, so a request naming several is refused; the client asks once per resource. With
 * nothing named, an authorization that named exactly one resource gives that one; one that named
 * several needs the token request to choose.
 */
export function tokenAudience (requested: readonly string[], { allowed, bound, fallback }: TokenAudienceRules):
TokenAudience {
  if (requested.length > 1) return { refusal: 'Name one resource per token request' }
  if (requested.length === 0 && bound.length === 0) return { audience: fallback }
  if (requested.length === 0 && bound.length > 1) {
    return { refusal: 'The authorization named several resources: name one of them with resource' }
  }
  // Checked like a named one: the client may have been registered again without it meanwhile.
  const resource = requested[0] ?? bound[0] as string
  if (bound.length > 0 && !bound.includes(resource)) {
    return { refusal: 'The resource is not one the authorization request named' }
  }
  if (!allowed.includes(resource)) return { refusal: 'The resource is not one this client may ask tokens for' }
  return { audience: resource }
}
