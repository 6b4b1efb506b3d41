import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAuthCli } from '@repo/service-harness/service-process'
import { startPair, type Pair } from '../src/pair.js'
import { clientSecretIn } from '@repo/service-harness/client-secret'

/** The pair listens on plain http on loopback. */
const INSECURE = { [oauth.allowInsecureRequests]: true }

/** What a client that meets the consumer first learns: the challenges of its refusal (RFC 9728 §5). */
async function challengesOf (request: Promise<Response>): Promise<oauth.WWWAuthenticateChallenge[]> {
  try {
    await request
  } catch (error) {
    if (error instanceof oauth.WWWAuthenticateChallengeError) return error.cause
    throw error
  }
  throw new Error('the request succeeded; expected a challenge')
}

/**
 * A client that knows only the consumer's URL finds everything else with oauth4webapi (RFC 9728 and
 * RFC 8414, not our own code): the `resource_metadata` of the consumer's 401 challenge, the resource
 * metadata there, the issuer it names, the issuer's metadata, a token for a scope the resource lists,
 * and the call that then succeeds; all against the built services as processes.
 */
describe('resource discovery with oauth4webapi: from a 401 challenge to a token the consumer takes', () => {
  let pair: Pair
  let secret: string

  beforeAll(async () => {
    pair = await startPair({}, { AUDIENCE: 'consumer-service' })
    const added = await runAuthCli('clients',
      ['add', 'discovering-bot', '--scope', 'reports:read', '--audience', 'consumer-service'], pair.authEnv)
    expect(added.code, added.stderr).toBe(0)
    secret = clientSecretIn(added.stdout) ?? ''
  })

  afterAll(async () => {
    await pair?.stop()
  })

  it('follows the challenge to the resource metadata, then the issuer, and calls with the token it gets', async () => {
    const reports = new URL(`${pair.consumer.url}/api/v1/reports`)
    // A token the consumer does not take (an expired one would do the same).
    const refused = oauth.protectedResourceRequest('not-a-token', 'GET', reports, undefined, undefined, INSECURE)
    const [challenge, ...others] = await challengesOf(refused)
    expect(others).toEqual([])
    const metadataUrl = `${pair.consumer.url}/.well-known/oauth-protected-resource`
    expect(challenge).toEqual({
      scheme: 'bearer',
      parameters: {
        realm: 'consumer-service',
        error: 'invalid_token',
        error_description: 'The access token is invalid',
        resource_metadata: metadataUrl
      }
    })

    // The resource identifier is the consumer's origin: oauth4webapi's well-known URL for it is the
    // one the challenge named, and the document it fetches there must name that resource (§3.3).
    const resource = new URL(pair.consumer.url)
    const fetched: string[] = []
    const response = await oauth.resourceDiscoveryRequest(resource, {
      ...INSECURE,
      [oauth.customFetch]: async (url, init) => { fetched.push(url); return fetch(url, init) }
    })
    expect(fetched).toEqual([challenge?.parameters.resource_metadata])
    const metadata = await oauth.processResourceDiscoveryResponse(resource, response)
    expect(metadata).toEqual({
      resource: pair.consumer.url,
      authorization_servers: [pair.issuer],
      scopes_supported: ['reports:read', 'reports:write'],
      bearer_methods_supported: ['header'],
      resource_documentation: `${pair.consumer.url}/docs`,
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'RS256', 'PS256'],
      dpop_bound_access_tokens_required: false
    })

    // The issuer it names, through RFC 8414 metadata; then a token for the scope to read.
    const issuer = new URL(metadata.authorization_servers?.[0] as string)
    const as = await oauth.processDiscoveryResponse(issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...INSECURE }))
    const client = { client_id: 'discovering-bot' }
    const tokens = await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret),
        new URLSearchParams({ scope: metadata.scopes_supported?.[0] as string }), INSECURE))
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'reports:read' })

    const accepted = await oauth.protectedResourceRequest(tokens.access_token, 'GET', reports, undefined, undefined,
      INSECURE)
    expect(accepted.status).toBe(200)
  })

  it('finds resource_metadata in both challenges of a request without a token, and in a 403\'s', async () => {
    const reports = `${pair.consumer.url}/api/v1/reports`
    const metadata = `resource_metadata="${pair.consumer.url}/.well-known/oauth-protected-resource"`
    const bare = await fetch(reports)
    expect(bare.status).toBe(401)
    // Two header lines, which fetch joins with ", ".
    expect(bare.headers.get('www-authenticate'))
      .toBe(`Bearer realm="consumer-service", ${metadata}, DPoP algs="ES256 EdDSA RS256 PS256", ${metadata}`)

    const as = await oauth.processDiscoveryResponse(new URL(pair.issuer),
      await oauth.discoveryRequest(new URL(pair.issuer), { algorithm: 'oauth2', ...INSECURE }))
    const client = { client_id: 'discovering-bot' }
    const { access_token: token } = await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret), new URLSearchParams(),
        INSECURE))
    const [challenge] = await challengesOf(oauth.protectedResourceRequest(token, 'POST', new URL(reports),
      new Headers({ 'content-type': 'application/json' }), JSON.stringify({ title: 'x' }), INSECURE))
    expect(challenge?.parameters).toMatchObject({
      error: 'insufficient_scope',
      scope: 'reports:write',
      resource_metadata: `${pair.consumer.url}/.well-known/oauth-protected-resource`
    })
  })
})
