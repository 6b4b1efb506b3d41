import { X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { LAYOUT, ensureCertificates } from '../src/ensure-certificates.js'

const NAMES = ['auth-service', 'localhost', '127.0.0.1']
const NOW = new Date('2030-01-01T00:00:00Z')
const DAY_MS = 86_400_000

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dev-certs-test-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8)
const fingerprint = async (dir: string, path: string) => new X509Certificate(await readFile(join(dir, path))).fingerprint256

describe('ensureCertificates', () => {
  it('makes the CA and the server certificate in their directories, keys readable by their owner only', async () => {
    const dir = await tempDir()
    const { actions, server } = await ensureCertificates({ dir, names: NAMES, now: NOW })
    expect(actions.map((action) => action.split(':')[0])).toEqual(['created a CA', 'issued a server certificate for auth-service, localhost, 127.0.0.1 (there was none)'])
    expect(server.subjectAltName).toBe('DNS:auth-service, DNS:localhost, IP Address:127.0.0.1')
    expect(await mode(join(dir, 'ca'))).toBe('700')
    expect(await mode(join(dir, LAYOUT.caKey))).toBe('600')
    expect(await mode(join(dir, LAYOUT.serverKey))).toBe('600')
    expect(await mode(join(dir, LAYOUT.serverCert))).toBe('644')
    const caPem = await readFile(join(dir, LAYOUT.caCert), 'utf8')
    expect(await readFile(join(dir, LAYOUT.serverCa), 'utf8')).toBe(caPem)
    expect(await readFile(join(dir, LAYOUT.trustCa), 'utf8')).toBe(caPem)
  })

  it('keeps both on a second run with the same names', async () => {
    const dir = await tempDir()
    await ensureCertificates({ dir, names: NAMES, now: NOW })
    const before = [await fingerprint(dir, LAYOUT.caCert), await fingerprint(dir, LAYOUT.serverCert)]
    const { actions } = await ensureCertificates({ dir, names: [...NAMES, 'localhost'], now: new Date(NOW.getTime() + DAY_MS) })
    expect(actions.map((action) => action.split(':')[0])).toEqual(['kept the CA', 'kept the server certificate for auth-service, localhost, 127.0.0.1'])
    expect([await fingerprint(dir, LAYOUT.caCert), await fingerprint(dir, LAYOUT.serverCert)]).toEqual(before)
  })

  it('reissues the server certificate, with the same CA, when the names change', async () => {
    const dir = await tempDir()
    await ensureCertificates({ dir, names: NAMES, now: NOW })
    const ca = await fingerprint(dir, LAYOUT.caCert)
    const { actions, server } = await ensureCertificates({ dir, names: [...NAMES, 'auth-service-1', 'auth'], now: NOW })
    expect(actions[1]).toMatch(/^issued a server certificate for auth-service, localhost, 127.0.0.1, auth-service-1, auth \(the one there named DNS:auth-service, DNS:localhost, IP Address:127.0.0.1\)/)
    expect(server.subjectAltName).toBe('DNS:auth-service, DNS:localhost, IP Address:127.0.0.1, DNS:auth-service-1, DNS:auth')
    expect(await fingerprint(dir, LAYOUT.caCert)).toBe(ca)
  })

  it('reissues the server certificate 30 days before it expires', async () => {
    const dir = await tempDir()
    await ensureCertificates({ dir, names: NAMES, now: NOW })
    const { actions } = await ensureCertificates({ dir, names: NAMES, now: new Date(NOW.getTime() + 336 * DAY_MS) })
    expect(actions.map((action) => action.split(':')[0])).toEqual(['kept the CA', 'issued a server certificate for auth-service, localhost, 127.0.0.1 (the one there expires within 30 days)'])
  })

  it('replaces a CA whose files are damaged, and the server certificate it had signed', async () => {
    const dir = await tempDir()
    await ensureCertificates({ dir, names: NAMES, now: NOW })
    await writeFile(join(dir, LAYOUT.caKey), 'not a key')
    const { actions, ca, server } = await ensureCertificates({ dir, names: NAMES, now: NOW })
    expect(actions.map((action) => action.split(':')[0])).toEqual([
      'replaced the CA (its files could not be read as PEM)',
      'issued a server certificate for auth-service, localhost, 127.0.0.1 (the one there was signed by another CA)'
    ])
    expect(server.verify(ca.publicKey)).toBe(true)
    expect(await readFile(join(dir, LAYOUT.trustCa), 'utf8')).toBe(await readFile(join(dir, LAYOUT.caCert), 'utf8'))
  })

  it('refuses to run without a name, or with one that is neither DNS name nor IP address', async () => {
    const dir = await tempDir()
    await expect(ensureCertificates({ dir, names: [] })).rejects.toThrow(new Error('name at least one DNS name or IP address for the server certificate'))
    await expect(ensureCertificates({ dir, names: ['a b'] })).rejects.toThrow(new Error('"a b" is neither a DNS name nor an IP address'))
  })
})
