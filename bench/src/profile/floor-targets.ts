import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import { buildBareApp } from '../bare-app.js'
import { buildReferenceApp } from '../peers/fastify-node-crypto-app.js'
import { caller, type Target } from './in-process.js'

/** The bare route of bench/src/bare-server.ts, built in this process: its response schema, no authentication. */
export async function bareTarget (): Promise<Target> {
  const app = buildBareApp('warn')
  await app.ready()
  return { name: 'bare', call: caller('bare', app), close: () => app.close() }
}

/**
 * The reference verifier of bench/src/peers/fastify-node-crypto.ts, built in this process with the
 * issuer's keys: split, one `crypto.verify` with a prepared key, `iss`/`aud`/`exp`/`nbf`; with
 * `Authorization: DPoP`, the proof's signature with its own key and nothing else.
 */
export async function referenceTarget (issuer: FakeIssuer): Promise<Target> {
  const jwks = Object.values(issuer.keys).map(({ jwk }) => jwk)
  const app = await buildReferenceApp({ jwks, issuer: issuer.origin, audience: 'consumer-service', logLevel: 'warn' })
  await app.ready()
  return { name: 'reference', call: caller('reference', app), close: () => app.close() }
}
