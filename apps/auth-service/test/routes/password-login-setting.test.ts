import { describe, expect, it } from 'vitest'
import { LOGIN_PATH } from '@repo/contracts/login'
import { buildTestApp, login } from '../helper.js'

describe('PASSWORD_LOGIN', () => {
  it('true (the default): POST /api/v1/auth logs people in with a password', async () => {
    const app = await buildTestApp()
    expect((await login(app, 'Jane', 'pass123')).statusCode).toBe(200)
  })

  it('false: POST /api/v1/auth is not there (404), whatever is sent; the API docs do not list it', async () => {
    const app = await buildTestApp({ PASSWORD_LOGIN: 'false' })
    const refused = await login(app, 'Jane', 'pass123')
    expect(refused.statusCode).toBe(404)
    expect(refused.json()).toMatchObject({ code: 'not_found' })
    expect(refused.body).not.toContain('access_token')
    expect((await app.inject({ method: 'POST', url: LOGIN_PATH, payload: 'garbage', headers: { 'content-type': 'text/plain' } })).statusCode).toBe(404)
    const docs = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, unknown> }>()
    expect(Object.keys(docs.paths)).not.toContain(LOGIN_PATH)
  })
})
