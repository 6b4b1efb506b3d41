import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { fastifyOptions, type FastifySettings } from '../src/fastify-options.js'

const SETTINGS: FastifySettings = {
  requestTimeoutMs: 10_000,
  trustProxy: ['10.0.0.1'],
  logLevel: 'info',
  prettyLogs: false,
  databaseStartWaitMs: 30_000,
  databaseConnectTimeoutMs: 5000
}

describe('fastifyOptions', () => {
  it('gives the body limit, a plugin timeout past the database wait, the trusted proxies and the given logger', () => {
    const options = fastifyOptions(SETTINGS, { bodyLimit: 8192, logger: false })
    expect(options).toMatchObject({
      bodyLimit: 8192,
      pluginTimeout: 30_000 + 5000 + 10_000,
      trustProxy: ['10.0.0.1'],
      logger: false,
      ajv: { customOptions: { coerceTypes: false, removeAdditional: false } }
    })
    expect(fastifyOptions(SETTINGS, { bodyLimit: 8192 }).logger).toMatchObject({ level: 'info' })
  })

  it('makes an app that refuses a larger body with 413 and does not coerce types', async () => {
    const app = Fastify(fastifyOptions(SETTINGS, { bodyLimit: 16, logger: false }))
    const body = { type: 'object', properties: { n: { type: 'number' } } }
    app.post('/', { schema: { body } }, async () => ({ ok: true }))
    const large = await app.inject({ method: 'POST', url: '/', payload: { n: 1, pad: 'x'.repeat(32) } })
    expect(large.statusCode).toBe(413)
    expect((await app.inject({ method: 'POST', url: '/', payload: { n: '1' } })).statusCode).toBe(400)
    expect((await app.inject({ method: 'POST', url: '/', payload: { n: 1 } })).statusCode).toBe(200)
    await app.close()
  })
})
