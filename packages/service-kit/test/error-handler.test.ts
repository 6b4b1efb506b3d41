import createError from '@fastify/error'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { errorHandlerPlugin, toErrorBody } from '../src/error-handler.js'
import { DatabaseUnavailableError } from '../src/sql/unavailable.js'

describe('toErrorBody', () => {
  it('passes a domain error through with its code in lower case', () => {
    const NotAllowed = createError('insufficient_scope', 'The token lacks the required scope', 403)
    expect(toErrorBody(new NotAllowed())).toEqual({
      statusCode: 403, code: 'insufficient_scope', error: 'Forbidden', message: 'The token lacks the required scope'
    })
  })

  it.each([
    [400, 'FST_ERR_CTP_INVALID_JSON_BODY', 400, 'invalid_request', 'Malformed request'],
    [415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type', 'Content-Type must be application/json'],
    [413, 'FST_ERR_CTP_BODY_TOO_LARGE', 413, 'payload_too_large', 'Request body is too large'],
    [429, undefined, 429, 'too_many_requests', 'Too many requests, retry later'],
    [431, 'SOME_LIBRARY_ERROR', 400, 'invalid_request', 'Malformed request'],
    [500, 'ERR_SOMETHING', 500, 'internal_error', 'Internal Server Error'],
    [undefined, undefined, 500, 'internal_error', 'Internal Server Error']
  ])('maps a library error with status %s and code %s to %i %s', (statusCode, code, status, expectedCode, message) => {
    const error = Object.assign(new Error('library detail: /srv/app/secret.pem'), { statusCode, code })
    expect(toErrorBody(error as never)).toEqual({ statusCode: status, code: expectedCode, error: expect.any(String), message })
  })
})

describe('errorHandlerPlugin', () => {
  it('sets the headers a domain error carries and hides a 500\'s details', async () => {
    const app = Fastify({ logger: false })
    await app.register(errorHandlerPlugin)
    const Unavailable = createError('temporarily_unavailable', 'Keys are unavailable', 503)
    app.get('/unavailable', async () => { throw Object.assign(new Unavailable(), { headers: { 'retry-after': '30' } }) })
    app.get('/boom', async () => { throw new Error('database password is hunter2') })

    const unavailable = await app.inject('/unavailable')
    expect(unavailable.statusCode).toBe(503)
    expect(unavailable.headers['retry-after']).toBe('30')
    expect(unavailable.json()).toMatchObject({ code: 'temporarily_unavailable' })

    const boom = await app.inject('/boom')
    expect(boom.statusCode).toBe(500)
    expect(boom.body).not.toContain('hunter2')
    expect(boom.json()).toEqual({ statusCode: 500, code: 'internal_error', error: 'Internal Server Error', message: 'Internal Server Error' })
    await app.close()
  })

  it('answers a database outage 503 temporarily_unavailable with Retry-After, saying nothing of the database', async () => {
    const app = Fastify({ logger: false })
    await app.register(errorHandlerPlugin)
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' })
    app.get('/reports', async () => { throw new DatabaseUnavailableError('ECONNREFUSED', cause) })

    const response = await app.inject('/reports')
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('2')
    expect(response.json()).toEqual({
      statusCode: 503, code: 'temporarily_unavailable', error: 'Service Unavailable', message: 'Service temporarily unavailable, retry later'
    })
    await app.close()
  })
})
