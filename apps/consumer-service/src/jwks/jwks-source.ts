import { Compile } from 'typebox/compile'
import { DiscoveredIssuerSchema, OPENID_CONFIGURATION_PATH } from '@repo/contracts/discovery'
import { JwksEnvelopeSchema } from '@repo/contracts/jwks'
import { maxAgeSeconds } from './cache-control.js'
import { FetchJsonError, type JsonFetcher } from './fetch-json.js'

export interface FetchedJwks {
  /** The `keys` array, each member still to be checked on its own. */
  keys: readonly unknown[]
  /** From the JWKS response's `Cache-Control`, if it had one. */
  maxAgeSeconds: number | undefined
}

export interface JwksSourceOptions {
  /** The one trusted issuer. Keys come from its JWKS and nowhere else. */
  issuer: string
  /** Explicit JWKS URL; without it, discovered from the issuer's OpenID configuration. */
  jwksUrl: string | undefined
  fetcher: JsonFetcher
}

const discoveredIssuer = Compile(DiscoveredIssuerSchema)
const jwksEnvelope = Compile(JwksEnvelopeSchema)

/**
 * Where the keys come from: the configured JWKS URL, or the `jwks_uri` of the configured issuer's
 * discovery document, which must name exactly that issuer (OpenID Connect Discovery §4.3).
 * Nothing in a token — `iss`, `jku`, `x5u` — ever chooses the URL.
 */
export function createJwksSource ({ issuer, jwksUrl, fetcher }: JwksSourceOptions): () => Promise<FetchedJwks> {
  let resolvedUrl = jwksUrl

  async function discover (): Promise<string> {
    const { body } = await fetcher.get(`${issuer}${OPENID_CONFIGURATION_PATH}`)
    if (!discoveredIssuer.Check(body)) throw new FetchJsonError('the OpenID configuration has no issuer or jwks_uri')
    if (body.issuer !== issuer) throw new FetchJsonError(`the OpenID configuration names issuer "${body.issuer.slice(0, 200)}", not "${issuer}"`)
    if (!/^https?:\/\//.test(body.jwks_uri)) throw new FetchJsonError('the OpenID configuration\'s jwks_uri is not an http(s) URL')
    return body.jwks_uri
  }

  return async function fetchJwks () {
    resolvedUrl ??= await discover()
    const { body, cacheControl } = await fetcher.get(resolvedUrl)
    if (!jwksEnvelope.Check(body)) throw new FetchJsonError('the JWKS is not a JSON object with a "keys" array of at most 100 objects')
    return { keys: body.keys, maxAgeSeconds: maxAgeSeconds(cacheControl) }
  }
}
