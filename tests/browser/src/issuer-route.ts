import { createHash, X509Certificate } from 'node:crypto'
import { Agent, buildConnector, Dispatcher1Wrapper } from 'undici'

/** How a test on the host reaches an issuer URL that is published on another port of loopback. */
export interface IssuerRoute {
  /** Chromium flags: the issuer's host and port go to `127.0.0.1:hostPort`, and its server key is trusted. */
  chromiumArgs: string[]
  /** A fetch for Node clients (openid-client's customFetch): the same route, trusting the same CA. */
  fetch: typeof fetch
  close: () => Promise<void>
}

/** The base64 SHA-256 of a certificate's public key (SPKI): what Chromium's SPKI allow-list takes. */
export const spkiHash = (pem: string): string => createHash('sha256')
  .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
  .digest('base64')

/** Each certificate of a PEM bundle. */
const certificates = (pem: string): string[] =>
  pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []

/** What a test trusts of an https issuer: its stack's CA (for Node) and the server's own certificate (Chromium). */
export interface IssuerTrust {
  ca: string
  serverCertificate: string
}

/**
 * The compose stack's issuer is `https://auth.localhost:3001` for everyone: the consumer reaches it
 * on the compose network, a browser on the host on loopback. A test publishes the auth service on a
 * free port instead of 3001, so the URL must be routed there, as `/etc/hosts` and a port forward
 * would: Chromium by `--host-resolver-rules` (its own `*.localhost` rule already means loopback),
 * Node by a connector that dials 127.0.0.1 while keeping the name for SNI, the certificate and the
 * `Host` header. Node trusts the stack's CA (`ca`); Chromium trusts the server's own certificate by
 * its public key (`--ignore-certificate-errors-spki-list`: Chromium matches it against the chain the
 * server presents, which may hold the leaf alone), and nothing else. A plain-http issuer
 * (`http://auth.localhost:3001`) takes no `trust`: the route alone.
 */
export function issuerRoute (issuer: string, hostPort: number, trust?: IssuerTrust): IssuerRoute {
  const url = new URL(issuer)
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const connect = buildConnector(trust === undefined ? {} : { ca: trust.ca })
  const agent = new Agent({
    connect: (options, callback) => {
      const routed = options.hostname === url.hostname && String(options.port) === port
        ? { ...options, hostname: '127.0.0.1', port: String(hostPort), servername: url.hostname }
        : options
      connect(routed, callback)
    }
  })
  // undici 8's Agent speaks the new dispatcher interface; Node 24's fetch (undici 7) needs the wrapper.
  const dispatcher = new Dispatcher1Wrapper(agent)
  return {
    chromiumArgs: [
      `--host-resolver-rules=MAP ${url.hostname}:${port} 127.0.0.1:${hostPort}`,
      ...trust === undefined
        ? []
        : [`--ignore-certificate-errors-spki-list=${certificates(trust.serverCertificate).map(spkiHash).join(',')}`]
    ],
    fetch: (input, init) => fetch(input, { ...init, dispatcher } as RequestInit),
    close: () => dispatcher.close()
  }
}
