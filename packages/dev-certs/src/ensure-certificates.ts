import { X509Certificate, createPrivateKey } from 'node:crypto'
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { checkServerName, createCa, issueServerCertificate, type CertificateAndKey } from './certificates.js'

/**
 * Where `ensureCertificates` keeps what it makes, one directory per audience, so each can be a
 * volume mounted only where it is needed:
 * - `ca/`: `ca.crt` and `ca.key`, the authority; only the certificate maker sees it;
 * - `server/`: `server.crt`, `server.key` and `ca.crt`, for the TLS server (`TLS_CERT_FILE`,
 *   `TLS_KEY_FILE`; the CA for its own health check);
 * - `trust/`: `ca.crt` alone, for the clients (`NODE_EXTRA_CA_CERTS`).
 */
export const LAYOUT = {
  caCert: 'ca/ca.crt',
  caKey: 'ca/ca.key',
  serverCert: 'server/server.crt',
  serverKey: 'server/server.key',
  serverCa: 'server/ca.crt',
  trustCa: 'trust/ca.crt'
} as const

/** A certificate with less time left than this is replaced. */
const RENEW_BEFORE_MS = 30 * 86_400_000

export interface EnsureOptions {
  /** The directory that holds `ca/`, `server/` and `trust/`. */
  dir: string
  /** The server certificate's DNS names and IP addresses; it is reissued when they change. */
  names: readonly string[]
  now?: Date
}

export interface EnsureResult {
  ca: X509Certificate
  server: X509Certificate
  /** One line per decision: what was kept, made or replaced, and why. */
  actions: string[]
}

/**
 * Makes the CA and the server certificate, or keeps them: an existing CA is kept as long as it is
 * valid (so clients that trust it go on trusting), and the server certificate as long as it is
 * signed by that CA, names exactly `names` and is not close to expiry. Files are replaced whole
 * (written beside, then renamed); private keys are readable by their owner only.
 */
export async function ensureCertificates ({ dir, names, now = new Date() }: EnsureOptions): Promise<EnsureResult> {
  const wanted = [...new Set(names)]
  if (wanted.length === 0) throw new Error('name at least one DNS name or IP address for the server certificate')
  wanted.forEach(checkServerName)
  for (const sub of ['ca', 'server', 'trust']) await mkdir(join(dir, sub), { recursive: true })
  await chmod(join(dir, 'ca'), 0o700)
  const actions: string[] = []

  let ca = await readPair(dir, LAYOUT.caCert, LAYOUT.caKey)
  const caProblem = ca && problemWithCa(ca, now)
  if (!ca || caProblem) {
    ca = await createCa({ now })
    await writePair(dir, LAYOUT.caCert, LAYOUT.caKey, ca)
    const done = caProblem ? `replaced the CA (${caProblem})` : 'created a CA'
    actions.push(`${done}: ${describe(new X509Certificate(ca.cert))}`)
  } else {
    actions.push(`kept the CA: ${describe(new X509Certificate(ca.cert))}`)
  }
  const caCert = new X509Certificate(ca.cert)

  let server = await readPair(dir, LAYOUT.serverCert, LAYOUT.serverKey)
  const serverProblem = server ? problemWithServer(server, caCert, wanted, now) : 'there was none'
  if (serverProblem) {
    server = await issueServerCertificate(ca, wanted, { now })
    await writePair(dir, LAYOUT.serverCert, LAYOUT.serverKey, server)
    const issued = describe(new X509Certificate(server.cert))
    actions.push(`issued a server certificate for ${wanted.join(', ')} (${serverProblem}): ${issued}`)
  } else {
    const kept = describe(new X509Certificate((server as CertificateAndKey).cert))
    actions.push(`kept the server certificate for ${wanted.join(', ')}: ${kept}`)
  }
  await writeIfChanged(join(dir, LAYOUT.serverCa), ca.cert, 0o644)
  await writeIfChanged(join(dir, LAYOUT.trustCa), ca.cert, 0o644)
  return { ca: caCert, server: new X509Certificate((server as CertificateAndKey).cert), actions }
}

/** Why the CA cannot stay, or undefined when it can. */
function problemWithCa ({ cert, key }: CertificateAndKey, now: Date): string | undefined {
  try {
    const x509 = new X509Certificate(cert)
    if (!x509.ca) return 'its certificate is not a CA'
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'its key does not match its certificate'
    if (Date.parse(x509.validTo) - now.getTime() < RENEW_BEFORE_MS) return 'it expires within 30 days'
    return undefined
  } catch {
    return 'its files could not be read as PEM'
  }
}

/** Why the server certificate must be reissued, or undefined when it can stay. */
function problemWithServer (
  { cert, key }: CertificateAndKey,
  ca: X509Certificate,
  names: readonly string[],
  now: Date
): string | undefined {
  try {
    const x509 = new X509Certificate(cert)
    if (!x509.checkIssued(ca) || !x509.verify(ca.publicKey)) return 'the one there was signed by another CA'
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'its key did not match'
    const listed = (x509.subjectAltName ?? '').split(', ').filter((entry) => entry.length > 0)
    const matchFor = (name: string) => (isIP(name) ? x509.checkIP(name) : x509.checkHost(name, { wildcards: false }))
    const covered = names.every((name) => matchFor(name) !== undefined)
    if (!covered || listed.length !== names.length) return `the one there named ${x509.subjectAltName ?? 'nothing'}`
    if (Date.parse(x509.validTo) - now.getTime() < RENEW_BEFORE_MS) return 'the one there expires within 30 days'
    return undefined
  } catch {
    return 'the one there could not be read as PEM'
  }
}

function describe (cert: X509Certificate): string {
  const validUntil = new Date(cert.validTo).toISOString()
  return `${cert.subject.replace(/\n/g, ', ')}, SHA-256 ${cert.fingerprint256.slice(0, 23)}…, valid until ${validUntil}`
}

async function readPair (dir: string, certPath: string, keyPath: string): Promise<CertificateAndKey | undefined> {
  const readOrUndefined = (path: string) => readFile(join(dir, path), 'utf8').catch(() => undefined)
  const [cert, key] = await Promise.all([certPath, keyPath].map(readOrUndefined))
  return cert !== undefined && key !== undefined ? { cert, key } : undefined
}

async function writePair (
  dir: string,
  certPath: string,
  keyPath: string,
  { cert, key }: CertificateAndKey
): Promise<void> {
  await replaceFile(join(dir, keyPath), key, 0o600)
  await replaceFile(join(dir, certPath), cert, 0o644)
}

async function writeIfChanged (path: string, content: string, mode: number): Promise<void> {
  if (await readFile(path, 'utf8').catch(() => undefined) === content) return
  await replaceFile(path, content, mode)
}

async function replaceFile (path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, content, { mode })
  await chmod(temporary, mode) // writeFile's mode is masked by the umask
  await rename(temporary, path)
}
