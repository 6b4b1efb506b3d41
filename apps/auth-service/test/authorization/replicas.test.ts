import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_RESUME_PATH } from '@repo/contracts/authorization'
import { engineEnv } from '../databases.js'
import { buildTestApp } from '../helper.js'
import {
  addBrowserClient, authorizationQuery, authorize, exchangeFields, expectClientRedirect, pkce, sessionCookie,
  tokenRequest
} from './browser-flow.js'

describe('two replicas on one PostgreSQL database', () => {
  it('a request started on one continues on the other; a code made on one is exchanged, once, on the other', async () => {
    const env = await engineEnv('postgres')
    const [first, second] = [await buildTestApp(env), await buildTestApp(env)]
    await addBrowserClient(first, 'spa')
    const { challenge, verifier } = pkce()

    const start = await authorize(first, authorizationQuery('spa', challenge))
    const id = new URL(String(start.headers.location), 'http://x').searchParams.get('interaction') as string
    const cookie = `${second.browserCookies.interaction.name}=${id}`
    const session = await sessionCookie(first, 'Jane', Date.now())
    const resumed = await second.inject({
      url: `${AUTHORIZATION_RESUME_PATH}?interaction=${id}`, headers: { cookie: `${cookie}; ${session}` }
    })
    const code = expectClientRedirect(resumed, { code: expect.any(String), state: 'state-123' }).get('code') as string

    expect((await tokenRequest(first, exchangeFields('spa', code, verifier))).statusCode).toBe(200)
    const again = await tokenRequest(second, exchangeFields('spa', code, verifier))
    expect(again.json()).toEqual({ error: 'invalid_grant', error_description: 'The authorization code is invalid' })

    // The session made on the first is single sign-on on the second.
    expectClientRedirect(await authorize(second, authorizationQuery('spa', challenge, { prompt: 'none' }), session),
      { code: expect.any(String), state: 'state-123' })
  })
})
