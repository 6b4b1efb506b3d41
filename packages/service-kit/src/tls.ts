import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfigError, type EnvReader } from './env.js'
import { setting } from './settings.js'

/** A service's certificate (its chain, leaf first) and private key, PEM, as Node's TLS server takes them. */
export interface TlsFiles {
  cert: Buffer
  key: Buffer
}

const fail = (message: string): never => { throw new ConfigError(`invalid configuration: ${message}`) }

function readFile (name: string, path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    // Node's message starts with the code and its meaning ("ENOENT: no such file or directory, open …").
    return fail(`${name} (${path}) cannot be read: ${(error as Error).message.split(',')[0]}`)
  }
}

function checkCertificate (path: string, pem: Buffer): X509Certificate {
  // X509Certificate also parses DER, which Node's TLS server does not take.
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) fail(`TLS_CERT_FILE (${path}) holds no PEM certificate`)
  try {
    return new X509Certificate(pem)
  } catch {
    return fail(`TLS_CERT_FILE (${path}) holds no PEM certificate`)
  }
}

/** The key is parsed only to compare it with the certificate; nothing of it reaches a message. */
function checkKey (path: string, pem: Buffer, certificate: X509Certificate): void {
  // PKCS #8 and the older OpenSSL form: Node would only say "interrupted or cancelled".
  if (pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || pem.includes('Proc-Type: 4,ENCRYPTED')) {
    fail(`TLS_KEY_FILE (${path}) holds an encrypted private key: ` +
      'give it unencrypted, readable by the service\'s user only')
  }
  let key: ReturnType<typeof createPrivateKey>
  try {
    key = createPrivateKey(pem)
  } catch {
    return fail(`TLS_KEY_FILE (${path}) holds no PEM private key`)
  }
  if (!certificate.checkPrivateKey(key)) {
    fail(`TLS_KEY_FILE (${path}) is not the private key of the certificate in TLS_CERT_FILE`)
  }
}

/**
 * Reads `TLS_CERT_FILE` and `TLS_KEY_FILE` once, at start-up: both or neither (neither: plain HTTP).
 * A missing or unreadable file, a file that is not PEM, an encrypted key or a key that is not the
 * certificate's is a problem of the reader, named by the variable, never a stack trace later.
 */
export function readTlsFiles (
  env: EnvReader, vars: { TLS_CERT_FILE?: string | undefined, TLS_KEY_FILE?: string | undefined }
): TlsFiles | undefined {
  const certFile = vars.TLS_CERT_FILE || undefined
  const keyFile = vars.TLS_KEY_FILE || undefined
  if (certFile === undefined && keyFile === undefined) return undefined
  if (certFile === undefined || keyFile === undefined) {
    const [missing, set] = certFile === undefined
      ? ['TLS_CERT_FILE', 'TLS_KEY_FILE']
      : ['TLS_KEY_FILE', 'TLS_CERT_FILE']
    env.problem(missing, `${missing} must be set with ${set} (both or neither)`)
    return undefined
  }
  const cert = env.check('TLS_CERT_FILE', () => readFile('TLS_CERT_FILE', certFile))
  const certificate = cert && env.check('TLS_CERT_FILE', () => checkCertificate(certFile, cert))
  const key = env.check('TLS_KEY_FILE', () => readFile('TLS_KEY_FILE', keyFile))
  if (certificate && key) env.check('TLS_KEY_FILE', () => checkKey(keyFile, key, certificate))
  return cert && key && !env.failed('TLS_CERT_FILE') && !env.failed('TLS_KEY_FILE') ? { cert, key } : undefined
}

/** `TLS_CERT_FILE` and `TLS_KEY_FILE`, read at start-up: serve HTTPS with them; undefined means plain HTTP. */
export const TLS_SETTING = setting.map(
  setting.object({ TLS_CERT_FILE: setting.string('TLS_CERT_FILE'), TLS_KEY_FILE: setting.string('TLS_KEY_FILE') }),
  (files, { env }) => readTlsFiles(env, files)
)
