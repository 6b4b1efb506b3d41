import { X509Certificate, createPrivateKey } from 'node:crypto'
import { once } from 'node:events'
import { createServer, get, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createCa, issueServerCertificate, type CertificateAndKey } from '../src/certificates.js'

const NOW = new Date('2030-01-01T00:00:00Z')

describe('createCa', () => {
  it('makes a self-signed CA that may sign only end-entity certificates', async () => {
    const ca = await createCa({ now: NOW, days: 10 })
    const cert = new X509Certificate(ca.cert)
    expect(cert.ca).toBe(true)
    expect(cert.subject).toBe('CN=jwks-demo local CA')
    expect(cert.issuer).toBe('CN=jwks-demo local CA')
    expect(cert.verify(cert.publicKey)).toBe(true)
    expect(cert.checkPrivateKey(createPrivateKey(ca.key))).toBe(true)
    expect(new Date(cert.validFrom).toISOString()).toBe('2029-12-31T23:55:00.000Z')
    expect(new Date(cert.validTo).toISOString()).toBe('2030-01-11T00:00:00.000Z')
    expect(cert.keyUsage).toBeUndefined()
    expect(ca.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
  })
})

describe('issueServerCertificate', () => {
  it('names the DNS names and IP addresses, for server authentication, signed by the CA', async () => {
    const ca = await createCa({ now: NOW })
    const server = await issueServerCertificate(ca, ['auth-service', 'localhost', '127.0.0.1', '::1'], { now: NOW, days: 30 })
    const cert = new X509Certificate(server.cert)
    const caCert = new X509Certificate(ca.cert)
    expect(cert.ca).toBe(false)
    expect(cert.subject).toBe('CN=auth-service')
    expect(cert.subjectAltName).toBe('DNS:auth-service, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect(cert.checkIssued(caCert)).toBe(true)
    expect(cert.verify(caCert.publicKey)).toBe(true)
    expect(cert.checkPrivateKey(createPrivateKey(server.key))).toBe(true)
    expect(new Date(cert.validTo).toISOString()).toBe('2030-01-31T00:00:00.000Z')
  })

  it.each([
    [[], 'a server certificate needs at least one name'],
    [['auth service'], '"auth service" is neither a DNS name nor an IP address'],
    [['https://auth'], '"https://auth" is neither a DNS name nor an IP address'],
    [['-auth'], '"-auth" is neither a DNS name nor an IP address']
  ])('refuses the names %j', async (names, message) => {
    const ca = await createCa({ now: NOW })
    await expect(issueServerCertificate(ca, names)).rejects.toThrow(new Error(message))
  })
})

/** An HTTPS server with `server`'s certificate on loopback, answering "ok". */
async function serve (server: CertificateAndKey): Promise<number> {
  const https: Server = createServer({ cert: server.cert, key: server.key }, (_request, response) => response.end('ok'))
  https.listen(0, '127.0.0.1')
  await once(https, 'listening')
  onTestFinished(() => { https.close() })
  return (https.address() as AddressInfo).port
}

/** GET over TLS; resolves to the body, or the client's error code. */
function fetchOver (port: number, options: { ca?: string, servername?: string }): Promise<string> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path: '/', ...options }, (response) => {
      let body = ''
      response.on('data', (chunk) => { body += String(chunk) })
      response.on('end', () => resolve(body))
    }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

describe('a TLS handshake with the certificates', () => {
  it('succeeds for a client that trusts the CA, by IP address and by DNS name, and fails otherwise', async () => {
    const ca = await createCa()
    const port = await serve(await issueServerCertificate(ca, ['localhost', '127.0.0.1']))
    expect(await fetchOver(port, { ca: ca.cert })).toBe('ok')
    expect(await fetchOver(port, { ca: ca.cert, servername: 'localhost' })).toBe('ok')
    expect(await fetchOver(port, {})).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    expect(await fetchOver(port, { ca: (await createCa()).cert })).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    expect(await fetchOver(port, { ca: ca.cert, servername: 'elsewhere.test' })).toBe('ERR_TLS_CERT_ALTNAME_INVALID')
  })
})
