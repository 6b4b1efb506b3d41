import Fastify from 'fastify'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { errorHandlerPlugin } from '../src/error-handler.js'
import { loggerOptions } from '../src/logger.js'
import { redactQuery, serializeRequest } from '../src/request-serializer.js'

describe('redactQuery', () => {
  it.each([
    ['/api/v1/protected', '/api/v1/protected'],
    ['/api/v1/protected?access_token=eyJ.x.y', '/api/v1/protected?access_token=[Redacted]'],
    ['/oauth/token?client_secret=s&refresh_token=r', '/oauth/token?client_secret=[Redacted]&refresh_token=[Redacted]'],
    ['/a?eyJhbGciOiJIUzI1NiJ9.e30.sig', '/a?[Redacted]'],
    ['/a?flag&x=', '/a?[Redacted]&x=[Redacted]'],
    ['/a?%74oken=secret', '/a?[Redacted]'],
    [`/a?${'n'.repeat(65)}=secret`, '/a?[Redacted]'],
    ['/a?x=1=2&&y', '/a?x=[Redacted]&[Redacted]'],
    ['/a?', '/a'],
    ['/a?&&', '/a']
  ])('%s is logged as %s', (url, logged) => {
    expect(redactQuery(url)).toBe(logged)
  })

  it('serializes a request as Fastify does, with the query redacted', () => {
    const request = { method: 'GET', url: '/a?token=t', host: 'h:1', ip: '10.0.0.1', socket: { remotePort: 5 } }
    expect(serializeRequest(request)).toEqual({
      method: 'GET', url: '/a?token=[Redacted]', host: 'h:1', remoteAddress: '10.0.0.1', remotePort: 5
    })
  })
})

describe('the request log line with loggerOptions', () => {
  it.each([
    ['a route', '/known?access_token=s3cret-value&x=1', 200, '/known?access_token=[Redacted]&x=[Redacted]'],
    ['a 404', '/unknown?password=s3cret-value', 404, '/unknown?password=[Redacted]']
  ])('logs %s without the query values', async (_case, url, status, logged) => {
    const lines: string[] = []
    const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
    const app = Fastify({ logger: { ...loggerOptions({ level: 'info', pretty: false }) as object, stream } })
    await app.register(errorHandlerPlugin)
    app.get('/known', async () => 'ok')
    const response = await app.inject(url)
    await app.close()

    expect(response.statusCode).toBe(status)
    const incoming = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'incoming request')
    expect(incoming.req).toMatchObject({ method: 'GET', url: logged })
    expect(lines.join('')).not.toContain('s3cret-value')
  })
})
