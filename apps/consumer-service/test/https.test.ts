import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { call } from '@repo/service-harness/http'
import { createTestTls } from '@repo/service-harness/tls'
import { loadConfig } from '../src/config.js'
import { buildTestApp, fakeIssuer } from './helper.js'

describe('consumer-service over HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  it('verifies a token sent over TLS to a client that trusts the CA, and speaks nothing else', async () => {
    const tls = await createTestTls()
    onTestFinished(() => tls.remove())
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, tls.serverEnv)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const url = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`

    const response = await call(`${url}/api/v1/protected`, issuer.token(), tls.requestInit)
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ claims: { iss: issuer.origin } })
    await expect(fetch(`${url}/health/live`)).rejects.toMatchObject({ cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } })
  })

  it('refuses a key without its certificate, naming the variable', () => {
    expect(() => loadConfig({ TLS_KEY_FILE: '/nowhere/server.key' })).toThrow(new ConfigError(
      'invalid configuration: TLS_CERT_FILE must be set with TLS_KEY_FILE (both or neither)'
    ))
  })
})
