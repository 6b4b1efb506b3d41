import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { login } from '@repo/service-harness/http'
import { createTestTls, type TestTls } from '@repo/service-harness/tls'
import { buildApp } from '../src/app.js'
import { testConfig } from './helper.js'

describe('auth-service over HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  let tls: TestTls
  let dataDir: string
  let app: Awaited<ReturnType<typeof buildApp>>
  let url: string

  beforeAll(async () => {
    tls = await createTestTls()
    dataDir = await mkdtemp(join(tmpdir(), 'auth-service-https-'))
    app = await buildApp(testConfig({ DATA_DIR: dataDir, ...tls.serverEnv }), { logger: false })
    await app.listen({ port: 0, host: '127.0.0.1' })
    url = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await app?.close()
    await tls?.remove()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('answers a client that trusts the CA: readiness, login and the JWKS', async () => {
    expect((await fetch(`${url}/health/ready`, tls.requestInit)).status).toBe(200)
    const { status, body } = await login(url, 'Jane', 'pass123', tls.requestInit)
    expect(status).toBe(200)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 })
    const jwks = await fetch(`${url}/.well-known/jwks.json`, tls.requestInit)
    expect(jwks.status).toBe(200)
    expect((await jwks.json() as { keys: unknown[] }).keys).toHaveLength(1)
  })

  it('is refused by a client that does not trust the CA', async () => {
    await expect(fetch(`${url}/health/ready`)).rejects.toMatchObject({ cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } })
  })

  it('does not answer plain HTTP on its port', async () => {
    await expect(fetch(url.replace('https:', 'http:') + '/health/ready')).rejects.toMatchObject({ cause: { code: 'UND_ERR_SOCKET' } })
  })
})

describe('TLS configuration', () => {
  it('refuses a certificate without its key, and a file that is not there, naming the variable', () => {
    expect(() => testConfig({ TLS_CERT_FILE: '/nowhere/server.crt' })).toThrow(new ConfigError(
      'invalid configuration: TLS_KEY_FILE must be set with TLS_CERT_FILE (both or neither)'
    ))
    expect(() => testConfig({ TLS_CERT_FILE: '/nowhere/server.crt', TLS_KEY_FILE: '/nowhere/server.key' })).toThrow(new ConfigError(
      'invalid configuration: TLS_CERT_FILE (/nowhere/server.crt) cannot be read: ENOENT: no such file or directory; ' +
      'TLS_KEY_FILE (/nowhere/server.key) cannot be read: ENOENT: no such file or directory'
    ))
  })
})
