import { KeyObject, X509Certificate, createHash, createPrivateKey, randomBytes, webcrypto } from 'node:crypto'
import { isIP } from 'node:net'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { ipAddressBytes } from './ip-address.js'

type CryptoKey = webcrypto.CryptoKey

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  cert: string
  key: string
}

export interface ValidityOptions {
  /** When the certificate is made (tests pass a fixed time). */
  now?: Date
  /** How long it is valid, from `now`. */
  days?: number
}

pkijs.setEngine('node', new pkijs.CryptoEngine({
  name: 'node',
  crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto']
}))

/** ECDSA P-256: what every TLS client verifies, and generated in a millisecond. */
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const
/** Valid from a few minutes back, so a clock slightly behind the issuing one accepts it at once. */
const BACKDATE_MS = 5 * 60_000
const DAY_MS = 86_400_000

const OID = {
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1'
} as const

/** A DNS name (a leading `*.` allowed; `_` too, as in compose service names) or an IP address. */
const DNS_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i

/** Throws unless `name` can go in a certificate's subjectAltName. */
export function checkServerName (name: string): void {
  if (isIP(name) === 0 && (!DNS_NAME.test(name) || name.length > 253)) {
    throw new Error(`"${name.slice(0, 100)}" is neither a DNS name nor an IP address`)
  }
}

/** A self-signed certificate authority that may sign server certificates (and no other CA). */
export async function createCa (
  { commonName = 'jwks-demo local CA', now = new Date(), days = 3650 }: ValidityOptions & { commonName?: string } = {}
): Promise<CertificateAndKey> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])
  // keyCertSign, cRLSign
  const keyUsage = new asn1js.BitString({ valueHex: new Uint8Array([0x06]).buffer, unusedBits: 1 })
  const subject = distinguishedName(commonName)
  const cert = await buildCertificate({
    subject,
    issuer: subject,
    publicKey: keys.publicKey,
    authorityKeyId: await keyIdentifier(keys.publicKey),
    signingKey: keys.privateKey,
    now,
    days,
    extensions: [
      extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 }).toSchema()),
      extension(OID.keyUsage, true, keyUsage)
    ]
  })
  return { cert, key: pemOfKey(keys.privateKey) }
}

/**
 * A server certificate for `names` (DNS names and IP addresses, the first one also its common name),
 * signed by `ca`, for TLS server authentication only.
 */
export async function issueServerCertificate (
  ca: CertificateAndKey,
  names: readonly string[],
  { now = new Date(), days = 365 }: ValidityOptions = {}
): Promise<CertificateAndKey> {
  if (names.length === 0) throw new Error('a server certificate needs at least one name')
  names.forEach(checkServerName)
  // The issuer name exactly as the CA spells its subject: chain building compares the two.
  const caCert = pkijs.Certificate.fromBER(new X509Certificate(ca.cert).raw)
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])
  const keyUsage = new asn1js.BitString({ valueHex: new Uint8Array([0x80]).buffer, unusedBits: 7 }) // digitalSignature
  const altNames = new pkijs.GeneralNames({
    names: names.map((name) => isIP(name) === 0
      ? new pkijs.GeneralName({ type: 2, value: name })
      : new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipAddressBytes(name) }) }))
  })
  const cert = await buildCertificate({
    subject: distinguishedName(names[0] as string),
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    authorityKeyId: sha1(caCert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
    signingKey: createPrivateKey(ca.key).toCryptoKey(KEY_ALGORITHM, false, ['sign']),
    now,
    days,
    extensions: [
      extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
      extension(OID.keyUsage, true, keyUsage),
      extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] }).toSchema()),
      extension(OID.subjectAltName, false, altNames.toSchema())
    ]
  })
  return { cert, key: pemOfKey(keys.privateKey) }
}

interface CertificateFields {
  subject: pkijs.RelativeDistinguishedNames
  issuer: pkijs.RelativeDistinguishedNames
  publicKey: CryptoKey
  /** The issuer's subject key identifier. */
  authorityKeyId: ArrayBuffer
  signingKey: CryptoKey
  now: Date
  days: number
  extensions: pkijs.Extension[]
}

async function buildCertificate (fields: CertificateFields): Promise<string> {
  const cert = new pkijs.Certificate()
  cert.version = 2 // X.509 v3
  const serial = randomBytes(16)
  // A positive INTEGER in minimal DER: a leading 0x00 (or a high bit) would need another byte.
  serial[0] = ((serial[0] as number) & 0x3f) | 0x40
  cert.serialNumber = new asn1js.Integer({ valueHex: serial })
  cert.subject = fields.subject
  cert.issuer = fields.issuer
  cert.notBefore.value = new Date(fields.now.getTime() - BACKDATE_MS)
  cert.notAfter.value = new Date(fields.now.getTime() + fields.days * DAY_MS)
  await cert.subjectPublicKeyInfo.importKey(fields.publicKey)
  cert.extensions = [
    ...fields.extensions,
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({
      valueHex: await keyIdentifier(fields.publicKey)
    })),
    extension(OID.authorityKeyIdentifier, false, new pkijs.AuthorityKeyIdentifier({
      keyIdentifier: new asn1js.OctetString({ valueHex: fields.authorityKeyId })
    }).toSchema())
  ]
  await cert.sign(fields.signingKey, 'SHA-256')
  const der = Buffer.from(cert.toSchema().toBER(false))
  const base64Lines = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')
  return `-----BEGIN CERTIFICATE-----\n${base64Lines}-----END CERTIFICATE-----\n`
}

function extension (extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) })
}

function distinguishedName (commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({
      type: OID.commonName,
      value: new asn1js.Utf8String({ value: commonName })
    })]
  })
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
async function keyIdentifier (publicKey: CryptoKey): Promise<ArrayBuffer> {
  const info = new pkijs.PublicKeyInfo()
  await info.importKey(publicKey)
  return sha1(info.subjectPublicKey.valueBlock.valueHexView)
}

function sha1 (bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(createHash('sha1').update(bytes).digest()).buffer
}

function pemOfKey (key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string
}
