import { describe, expect, it } from 'vitest'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { suiteApp } from '../helper.js'

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

describe('form bodies at the token endpoint (RFC 6749 §3.1, §3.2)', () => {
  const app = suiteApp()
  let authorization: string | undefined
  const credentials = async () => {
    if (authorization === undefined) {
      const client = {
        clientId: 'form-bot',
        authMethod: 'client_secret_basic' as const,
        jwks: undefined,
        jwksUri: undefined,
        scope: 'reports:read',
        audience: 'reports-api',
        grantTypes: ['client_credentials']
      }
      authorization = basic('form-bot', (await app().clients.add(client, Date.now())).secret as string)
    }
    return authorization
  }
  const send = async (payload: string) => app().inject({
    method: 'POST',
    url: TOKEN_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: await credentials() },
    payload
  })

  it.each([
    '__proto__=x&grant_type=client_credentials',
    'constructor=x&grant_type=client_credentials',
    'grant_type=client_credentials&toString=x&hasOwnProperty=y&__proto__[scope]=admin',
    'grant_type=client_credentials&unknown=1'
  ])('ignores unknown parameters, whatever their names: %s', async (payload) => {
    const response = await send(payload)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ token_type: 'Bearer', scope: 'reports:read' })
  })

  it.each([
    ['grant_type=client_credentials&grant_type=client_credentials', 'grant_type'],
    ['__proto__=x&__proto__=y&grant_type=client_credentials', '__proto__'],
    ['constructor=x&grant_type=client_credentials&constructor=y', 'constructor']
  ])('refuses a parameter sent twice: %s', async (payload, name) => {
    const response = await send(payload)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: `${name} is sent more than once` })
    expect(response.headers['cache-control']).toBe('no-store')
  })
})
