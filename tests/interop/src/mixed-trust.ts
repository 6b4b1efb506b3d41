import type { ServiceProcess } from '@repo/service-harness/service-process'
import { OIDC_ALGS, startOidcIssuer, type OidcAlg, type OidcIssuer } from './oidc-issuer.js'
import { Resources } from './resources.js'
import { startAuthService, startConsumer } from './services.js'

export interface MixedTrust {
  auth: ServiceProcess
  authIssuer: string
  /** One oidc-provider per signing algorithm, each its own issuer. */
  oidc: Record<OidcAlg, OidcIssuer>
  consumer: ServiceProcess
  stop: () => Promise<void>
}

/**
 * Our auth-service as a process, an oidc-provider in this process for each algorithm, and one
 * consumer-service process trusting all of them through discovery, ready (every issuer has keys).
 */
export async function startMixedTrust (): Promise<MixedTrust> {
  const resources = new Resources()
  try {
    const auth = await startAuthService(resources)
    const oidc = {} as Record<OidcAlg, OidcIssuer>
    for (const alg of OIDC_ALGS) oidc[alg] = resources.add(await startOidcIssuer({ alg }), (issuer) => issuer.close())
    const consumer = await startConsumer(resources, [auth.issuer, ...OIDC_ALGS.map((alg) => oidc[alg].issuer)])
    await consumer.waitUntilReady()
    return { auth: auth.service, authIssuer: auth.issuer, oidc, consumer, stop: () => resources.release() }
  } catch (error) {
    await resources.release()
    throw error
  }
}
