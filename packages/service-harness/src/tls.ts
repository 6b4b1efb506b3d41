import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, Dispatcher1Wrapper } from 'undici'
import { LAYOUT, ensureCertificates } from '@repo/dev-certs/ensure-certificates'

/** A CA and a server certificate made for one test run, in a temporary directory. */
export interface TestTls {
  /** The CA certificate, PEM. */
  ca: string
  /** Its file: what a client process gets as `NODE_EXTRA_CA_CERTS`. */
  caFile: string
  /** `TLS_CERT_FILE` and `TLS_KEY_FILE` for a service that serves HTTPS with the server certificate. */
  serverEnv: { TLS_CERT_FILE: string, TLS_KEY_FILE: string }
  /** Spread into fetch's init: the request trusts this CA, and only it. */
  requestInit: RequestInit
  /** Closes the client connections and deletes the files. */
  remove: () => Promise<void>
}

/**
 * The same CA and server certificate the compose stack's `certs` service makes (one
 * `ensureCertificates`), for `names` (by default what a service on loopback is called).
 */
export async function createTestTls (names: readonly string[] = ['localhost', '127.0.0.1']): Promise<TestTls> {
  const dir = await mkdtemp(join(tmpdir(), 'test-tls-'))
  await ensureCertificates({ dir, names })
  const ca = await readFile(join(dir, LAYOUT.caCert), 'utf8')
  const trusting = trustingDispatcher(ca)
  return {
    ca,
    caFile: join(dir, LAYOUT.trustCa),
    serverEnv: { TLS_CERT_FILE: join(dir, LAYOUT.serverCert), TLS_KEY_FILE: join(dir, LAYOUT.serverKey) },
    requestInit: { dispatcher: trusting } as RequestInit,
    async remove () {
      await trusting.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** A dispatcher for the global fetch that trusts `ca` (PEM) instead of the usual roots. */
export function trustingDispatcher (ca: string): Dispatcher1Wrapper {
  // undici 8's Agent speaks the new dispatcher interface; Node 24's fetch (undici 7) needs the wrapper.
  return new Dispatcher1Wrapper(new Agent({ connect: { ca } }))
}
