import { describe, expect, it } from 'vitest'
import { basicCredentials, clientSecretIn } from '../src/client-registration.js'

describe('client registration', () => {
  it('reads the secret from the line of clients add that shows it', () => {
    const stdout = 'added client bench-client\nclient_secret (shown once, store it now): s3cr3t-_x\nscope: reports:read\n'
    expect(clientSecretIn(stdout)).toBe('s3cr3t-_x')
    expect(clientSecretIn('added client bench-client\n')).toBeUndefined()
  })

  it('form-encodes the id and the secret before base64 (RFC 6749 2.3.1)', () => {
    const decoded = (header: string) => Buffer.from(header.replace(/^Basic /, ''), 'base64').toString()
    expect(decoded(basicCredentials('bench-client', 'abc'))).toBe('bench-client:abc')
    expect(decoded(basicCredentials('a b:c', 'x%y'))).toBe('a+b%3Ac:x%25y')
  })
})
