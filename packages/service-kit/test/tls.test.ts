import { createPrivateKey } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCa, issueServerCertificate } from '@repo/dev-certs/certificates'
import { ConfigError, EnvReader } from '../src/env.js'
import { readTlsFiles } from '../src/tls.js'

/** What a service's loadConfig does with the two variables. */
function load (vars: { TLS_CERT_FILE?: string, TLS_KEY_FILE?: string }) {
  const env = new EnvReader({})
  const tls = readTlsFiles(env, vars)
  env.finish()
  return tls
}

describe('readTlsFiles', () => {
  let dir: string
  const file = (name: string) => join(dir, name)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'service-kit-tls-'))
    const ca = await createCa()
    const server = await issueServerCertificate(ca, ['localhost'])
    const other = await issueServerCertificate(ca, ['localhost'])
    const encrypted = createPrivateKey(server.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
    await writeFile(file('server.crt'), server.cert)
    await writeFile(file('server.key'), server.key)
    await writeFile(file('other.key'), other.key)
    await writeFile(file('encrypted.key'), encrypted)
    await writeFile(file('notes.txt'), 'not a certificate\n')
    await mkdir(file('a-directory'))
  })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('is off (plain HTTP) when neither variable is set, or both are empty', () => {
    expect(load({})).toBeUndefined()
    expect(load({ TLS_CERT_FILE: '', TLS_KEY_FILE: '' })).toBeUndefined()
  })

  it('reads the certificate and the key once, as they are on disk', async () => {
    const tls = load({ TLS_CERT_FILE: file('server.crt'), TLS_KEY_FILE: file('server.key') })
    expect(String(tls?.cert)).toMatch(/^-----BEGIN CERTIFICATE-----\n/)
    expect(String(tls?.key)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
  })

  it.each([
    [{ TLS_CERT_FILE: 'server.crt' }, 'TLS_KEY_FILE must be set with TLS_CERT_FILE (both or neither)'],
    [{ TLS_KEY_FILE: 'server.key' }, 'TLS_CERT_FILE must be set with TLS_KEY_FILE (both or neither)'],
    [{ TLS_CERT_FILE: 'missing.crt', TLS_KEY_FILE: 'server.key' }, 'TLS_CERT_FILE (<dir>/missing.crt) cannot be read: ENOENT: no such file or directory'],
    [{ TLS_CERT_FILE: 'a-directory', TLS_KEY_FILE: 'server.key' }, 'TLS_CERT_FILE (<dir>/a-directory) cannot be read: EISDIR: illegal operation on a directory'],
    [{ TLS_CERT_FILE: 'notes.txt', TLS_KEY_FILE: 'server.key' }, 'TLS_CERT_FILE (<dir>/notes.txt) holds no PEM certificate'],
    [{ TLS_CERT_FILE: 'server.key', TLS_KEY_FILE: 'server.key' }, 'TLS_CERT_FILE (<dir>/server.key) holds no PEM certificate'],
    [{ TLS_CERT_FILE: 'server.crt', TLS_KEY_FILE: 'server.crt' }, 'TLS_KEY_FILE (<dir>/server.crt) holds no PEM private key'],
    [{ TLS_CERT_FILE: 'server.crt', TLS_KEY_FILE: 'encrypted.key' }, 'TLS_KEY_FILE (<dir>/encrypted.key) holds an encrypted private key: give it unencrypted, readable by the service\'s user only'],
    [{ TLS_CERT_FILE: 'server.crt', TLS_KEY_FILE: 'other.key' }, 'TLS_KEY_FILE (<dir>/other.key) is not the private key of the certificate in TLS_CERT_FILE'],
    [{ TLS_CERT_FILE: 'notes.txt', TLS_KEY_FILE: 'missing.key' }, 'TLS_CERT_FILE (<dir>/notes.txt) holds no PEM certificate; TLS_KEY_FILE (<dir>/missing.key) cannot be read: ENOENT: no such file or directory']
  ])('refuses %j: %s', (names, message) => {
    const vars = Object.fromEntries(Object.entries(names).map(([name, path]) => [name, file(path)]))
    expect(() => load(vars)).toThrow(new ConfigError(`invalid configuration: ${message.replaceAll('<dir>', dir)}`))
  })
})
