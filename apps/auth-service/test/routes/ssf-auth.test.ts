import { generateKeyPair, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { SSF_STATUS_PATH, SSF_STREAMS_PATH, SSF_VERIFY_PATH, SSF_POLL_PATH_PREFIX } from '@repo/contracts/ssf'
import { NOW } from '../dpop/proofs.js'
import { ISSUER, suiteApp } from '../helper.js'
import { addReceiver, clientToken, ssf } from './ssf-receiver.js'

/*
 * Who may call the SSF endpoints (signals/ssf-bearer.ts): a token of this service, in the header,
 * for this issuer, issued by client_credentials to a client registered as a receiver, with ssf.read
 * for a GET and ssf.manage for everything else. Each refusal with its exact RFC 6750 answer.
 */

const REALM = `Bearer realm="${ISSUER}"`
const challenge = (error: string, description: string, extra = '') =>
  `${REALM}, error="${error}", error_description="${description}"${extra}`
const INVALID = 'The access token is invalid'
const NO_SCOPE = 'The access token lacks the required scope'
const NOT_DPOP = 'The Shared Signals endpoints take a bearer token (Authorization: Bearer), not DPoP'
const TTL_SECONDS = 900

const body = (status: number, code: string, message: string) =>
  ({ statusCode: status, code, error: status === 400 ? 'Bad Request' : status === 401 ? 'Unauthorized' : 'Forbidden', message })

describe('SSF endpoints: receiver authentication', () => {
  const clock = { ms: NOW }
  const app = suiteApp({}, { now: () => clock.ms })
  const tokens: Record<string, string> = {}

  beforeAll(async () => {
    const receiver = await addReceiver(app(), 'consumer-a')
    tokens.both = await clientToken(app(), receiver)
    tokens.read = await clientToken(app(), receiver, 'ssf.read')
    tokens.manage = await clientToken(app(), receiver, 'ssf.manage')
    // Registered like a receiver in every way but the flag.
    tokens.notReceiver = await clientToken(app(), await addReceiver(app(), 'reports-bot', { ssfReceiver: false }))
    // A receiver whose tokens are for a resource server.
    tokens.otherAudience = await clientToken(app(), await addReceiver(app(), 'consumer-b', { audience: 'consumer-service' }))
    // A user's token through the receiver client: sub is the user.
    tokens.user = (await app().signAccessToken({ sub: 'user-1', clientId: 'consumer-a', audience: ISSUER, scope: 'ssf.read ssf.manage' })).accessToken
    tokens.bound = (await app().signAccessToken({ sub: 'consumer-a', clientId: 'consumer-a', audience: ISSUER, scope: 'ssf.read ssf.manage', jkt: 'x'.repeat(43) })).accessToken
    await addReceiver(app(), 'gone')
    tokens.gone = (await app().signAccessToken({ sub: 'gone', clientId: 'gone', audience: ISSUER, scope: 'ssf.read ssf.manage' })).accessToken
    await app().clients.remove('gone')
    const { privateKey } = await generateKeyPair('RS256')
    const claims = { iss: ISSUER, sub: 'consumer-a', client_id: 'consumer-a', aud: ISSUER, scope: 'ssf.read ssf.manage', jti: 'j' }
    tokens.forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: app().keyRing.jwks().keys[0]?.kid as string })
      .setIssuedAt(NOW / 1000).setExpirationTime(NOW / 1000 + 600).sign(privateKey)
  })

  const bearer = (name: string) => ({ authorization: `Bearer ${tokens[name]}` })

  it('serves a receiver\'s token with both scopes on every endpoint', async () => {
    const created = await ssf(app(), 'POST', SSF_STREAMS_PATH, bearer('both'), {})
    expect(created.statusCode).toBe(201)
    const streamId = created.json().stream_id as string
    expect((await ssf(app(), 'GET', SSF_STREAMS_PATH, bearer('read'))).statusCode).toBe(200)
    expect((await ssf(app(), 'GET', `${SSF_STATUS_PATH}?stream_id=${streamId}`, bearer('read'))).statusCode).toBe(200)
    expect((await ssf(app(), 'POST', SSF_VERIFY_PATH, bearer('manage'), { stream_id: streamId })).statusCode).toBe(204)
    const polled = await ssf(app(), 'POST', `${SSF_POLL_PATH_PREFIX}${streamId}`, bearer('manage'), { returnImmediately: true, maxEvents: 0 })
    expect(polled.statusCode).toBe(200)
  })

  it.each<[string, () => Record<string, string>, string, number, string, string]>([
    ['no Authorization header', () => ({}), 'GET', 401, 'missing_token', REALM],
    ['another scheme', () => ({ authorization: 'Basic Y29uc3VtZXItYTp4' }), 'GET', 401, 'missing_token', REALM],
    ['malformed bearer credentials', () => ({ authorization: 'Bearer two words' }), 'GET', 400, 'invalid_request',
      challenge('invalid_request', 'The Authorization header must be: Bearer <token>')],
    ['the DPoP scheme', () => ({ authorization: `DPoP ${tokens.both}` }), 'POST', 400, 'invalid_request', challenge('invalid_request', NOT_DPOP)],
    ['a token not signed by this service', () => bearer('forged'), 'GET', 401, 'invalid_token', challenge('invalid_token', INVALID)],
    ['a token for a resource server (aud)', () => bearer('otherAudience'), 'GET', 401, 'invalid_token', challenge('invalid_token', INVALID)],
    ['a client not registered as a receiver', () => bearer('notReceiver'), 'POST', 401, 'invalid_token', challenge('invalid_token', INVALID)],
    ['a user\'s token (sub is not client_id)', () => bearer('user'), 'GET', 401, 'invalid_token', challenge('invalid_token', INVALID)],
    ['a DPoP-bound token sent as Bearer', () => bearer('bound'), 'POST', 401, 'invalid_token', challenge('invalid_token', INVALID)],
    ['a removed receiver\'s token', () => bearer('gone'), 'GET', 401, 'invalid_token', challenge('invalid_token', INVALID)],
    ['an ssf.read token on a POST', () => bearer('read'), 'POST', 403, 'insufficient_scope', challenge('insufficient_scope', NO_SCOPE, ', scope="ssf.manage"')],
    ['an ssf.manage token on a GET', () => bearer('manage'), 'GET', 403, 'insufficient_scope', challenge('insufficient_scope', NO_SCOPE, ', scope="ssf.read"')]
  ])('refuses %s', async (_case, headers, method, status, code, wwwAuthenticate) => {
    const response = await ssf(app(), method as 'GET', SSF_STREAMS_PATH, headers(), method === 'GET' ? undefined : {})
    const message = response.json().message as string
    expect({ status: response.statusCode, code: response.json().code, wwwAuthenticate: response.headers['www-authenticate'], cacheControl: response.headers['cache-control'] })
      .toEqual({ status, code, wwwAuthenticate, cacheControl: 'no-store' })
    expect(response.json()).toEqual(body(status, code, message))
    // Nothing was created by a refused POST.
    expect((await ssf(app(), 'GET', SSF_STREAMS_PATH, bearer('read'))).json()).toHaveLength(1)
  })

  it('refuses a token in the query string, before looking at it', async () => {
    const response = await ssf(app(), 'GET', `${SSF_STREAMS_PATH}?access_token=${tokens.both}`, {})
    expect(response.statusCode).toBe(400)
    expect(response.headers['www-authenticate']).toBe(challenge('invalid_request', 'The access token must be sent in the Authorization header, and only there'))
  })

  it('refuses an expired token, saying so', async () => {
    clock.ms = NOW + (TTL_SECONDS + 60 + 1) * 1000
    try {
      const response = await ssf(app(), 'GET', SSF_STREAMS_PATH, bearer('both'))
      expect(response.statusCode).toBe(401)
      expect(response.headers['www-authenticate']).toBe(challenge('invalid_token', 'The access token expired'))
    } finally {
      clock.ms = NOW
    }
  })

  it('authenticates before it reads the body: an unauthenticated poll of any size is a 401, not a 413', async () => {
    const response = await ssf(app(), 'POST', `${SSF_POLL_PATH_PREFIX}x`, {}, { ack: ['x'.repeat(2_000_000)] })
    expect(response.statusCode).toBe(401)
  })
})
