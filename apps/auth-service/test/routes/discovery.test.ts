import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { ISSUER, buildTestApp, login, suiteApp } from '../helper.js'

describe('GET /.well-known/openid-configuration', () => {
  it('names the issuer exactly as tokens do, and where its keys are', async () => {
    const app = await buildTestApp({ SIGNING_ALG: 'ES256' })
    const response = await app.inject('/.well-known/openid-configuration')
    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document).toMatchObject({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      token_endpoint: `${ISSUER}/api/v1/auth`,
      id_token_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: ['none']
    })
    const token = (await login(app, 'Jane', 'pass123')).json().access_token as string
    expect(decodeJwt(token).iss).toBe(document.issuer)
  })
})

describe('health routes', () => {
  const app = suiteApp()

  it.each(['/health/live', '/health/ready'])('%s answers ok', async (url) => {
    const response = await app().inject(url)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })

  it('answers unknown routes with the error contract', async () => {
    const response = await app().inject('/nope?x=1')
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ statusCode: 404, code: 'not_found', error: 'Not Found', message: 'Route GET /nope not found' })
  })
})
