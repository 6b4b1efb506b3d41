import { Compile } from 'typebox/compile'
import { DiscoveredIssuerSchema, OPENID_CONFIGURATION_PATH } from '@repo/contracts/discovery'
import { checkKeySourceUrl } from '../trusted-issuers.js'
import { fetchMetadata, MetadataError, type MetadataFetchOptions } from './fetch-metadata.js'

const discovered = Compile(DiscoveredIssuerSchema)

/** Where RFC 8414 §3 puts an issuer's metadata: the well-known segment goes between host and path. */
export function oauthMetadataUrl (issuer: string): string {
  const url = new URL(issuer)
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')
  return `${url.origin}/.well-known/oauth-authorization-server${path}`
}

/** Where OpenID Connect Discovery 1.0 §4 puts it: appended to the issuer. */
export function openIdConfigurationUrl (issuer: string): string {
  return `${issuer.replace(/\/$/, '')}${OPENID_CONFIGURATION_PATH}`
}

/**
 * The `jwks_uri` of a trusted issuer, from its OpenID configuration or, where it has none (404),
 * its RFC 8414 metadata. The document must name exactly that issuer (OIDC Discovery §4.3, RFC 8414
 * §3.3) and its `jwks_uri` must pass the same https rule as the issuer. Nothing in a token ever
 * chooses this URL.
 */
export async function discoverJwksUri (
  issuer: string,
  options: MetadataFetchOptions & { allowInsecure: boolean }
): Promise<string> {
  for (const url of [openIdConfigurationUrl(issuer), oauthMetadataUrl(issuer)]) {
    const result = await fetchMetadata(url, options)
    if (result.status === 'not-found') continue
    const { body } = result
    if (!discovered.Check(body)) throw new MetadataError(`${url} has no issuer or jwks_uri`)
    if (body.issuer !== issuer) {
      throw new MetadataError(`${url} names issuer "${body.issuer.slice(0, 200)}", not "${issuer}"`)
    }
    try {
      checkKeySourceUrl('jwks_uri', body.jwks_uri, { isIssuer: false, allowInsecure: options.allowInsecure })
    } catch (error) {
      throw new MetadataError(`${url}: ${(error as Error).message.replace(/^invalid configuration: /, '')}`)
    }
    return body.jwks_uri
  }
  throw new MetadataError(`${issuer} publishes neither ${OPENID_CONFIGURATION_PATH} nor RFC 8414 metadata`)
}
