import type { FastifyRequest } from 'fastify'
import { UnsecuredJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { clientIdOf } from '../../../src/routes/oauth/client-id-of.js'

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
const assertion = (iss: string, sub = iss) => new UnsecuredJWT({}).setSubject(sub).setIssuer(iss).encode()

describe('clientIdOf', () => {
  it.each([
    ['the Basic user name', { authorization: basic('svc', 's') }, { client_id: 'other' }, 'svc'],
    ['the Basic user name, form-decoded', { authorization: basic('my+client%2F1', 's') }, {}, 'my client/1'],
    ['client_id with client_secret', {}, { client_id: 'svc', client_secret: 's' }, 'svc'],
    ['client_id with a client assertion', {}, { client_id: 'svc', client_assertion: assertion('other') }, 'svc'],
    ['the iss of a client assertion without client_id, not its sub', {}, { client_assertion: assertion('svc', 'other') }, 'svc'],
    ['nothing for a client assertion without iss', {}, { client_assertion: new UnsecuredJWT({}).setSubject('svc').encode() }, undefined],
    ['nothing for a public client, which presents no secret', {}, { client_id: 'demo-client', grant_type: 'refresh_token' }, undefined],
    ['nothing for malformed Basic credentials', { authorization: 'Basic !!!' }, {}, undefined],
    ['nothing for a malformed assertion', {}, { client_assertion: 'not-a-jwt' }, undefined],
    ['nothing without a body', {}, undefined, undefined]
  ])('reads %s', (_case, headers, body, expected) => {
    expect(clientIdOf({ headers, body } as unknown as FastifyRequest)).toBe(expected)
  })
})
