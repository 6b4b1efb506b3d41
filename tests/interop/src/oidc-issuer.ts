import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { type JWK } from 'oidc-provider'

/** The algorithms both oidc-provider and the consumer speak (the consumer knows Ed25519 as `EdDSA`). */
export const OIDC_ALGS = ['RS256', 'ES256', 'EdDSA'] as const
export type OidcAlg = typeof OIDC_ALGS[number]

/**
 * Named key ids, as a real deployment chooses them: not thumbprints, unlike our auth service's.
 * Every issuer started here publishes the same three, so kids also collide across issuers.
 */
export const OIDC_KIDS: Readonly<Record<OidcAlg, string>> = {
  RS256: 'rsa-2026-11',
  ES256: 'ec-2026-11',
  EdDSA: 'ed-2026-11'
}

export const OIDC_CLIENT_ID = 'reports-client'
const CLIENT_SECRET = 'a-long-enough-test-secret-value'
/** The audience this issuer puts in its tokens: the consumer's default `AUDIENCE`. */
export const OIDC_AUDIENCE = 'consumer-service'

export interface OidcIssuer {
  issuer: string
  port: number
  /** A client_credentials access token from the real token endpoint (client_secret_basic). */
  token: (scope?: string) => Promise<string>
  close: () => Promise<void>
}

const privateJwk = (kid: string, key: KeyObject): JWK => ({ ...key.export({ format: 'jwk' }), kid }) as JWK

/**
 * panva's oidc-provider 9, in this process, as a second real issuer: RFC 9068 JWT access tokens for
 * one confidential client, signed with `alg`, everything else at its defaults. Listens on `port`
 * (0: any) before the provider is built, so the issuer URL carries the real port.
 */
export async function startOidcIssuer ({ alg, port = 0 }: { alg: OidcAlg, port?: number }): Promise<OidcIssuer> {
  const server = createServer()
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const provider = new Provider(issuer, {
    clients: [{
      client_id: OIDC_CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic'
    }],
    jwks: {
      keys: [
        privateJwk(OIDC_KIDS.RS256, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
        privateJwk(OIDC_KIDS.ES256, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
        privateJwk(OIDC_KIDS.EdDSA, generateKeyPairSync('ed25519').privateKey)
      ]
    },
    // Set only to keep oidc-provider's development-default notices out of the test output.
    ttl: { ClientCredentials: 300 },
    cookies: { keys: ['test-only-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:consumer-service',
        getResourceServerInfo: () => ({
          scope: 'reports:read reports:write',
          audience: OIDC_AUDIENCE,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg } }
        })
      }
    }
  })
  server.on('request', provider.callback())

  const discoveryResponse = await fetch(`${issuer}/.well-known/openid-configuration`)
  const discovery = await discoveryResponse.json() as { token_endpoint: string }
  const basic = Buffer.from(`${OIDC_CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')

  return {
    issuer,
    port: (server.address() as AddressInfo).port,
    async token (scope = 'reports:read reports:write') {
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope })
      })
      const body = await response.json() as { access_token?: string }
      if (response.status !== 200 || body.access_token === undefined) {
        throw new Error(`oidc-provider token endpoint answered ${response.status}: ${JSON.stringify(body)}`)
      }
      return body.access_token
    },
    async close () {
      if (!server.listening) return
      const closed = once(server, 'close')
      server.close()
      // The consumer keeps its connections alive; they would hold close() open.
      server.closeAllConnections()
      await closed
    }
  }
}
