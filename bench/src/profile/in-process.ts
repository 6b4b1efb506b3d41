import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import { tempDir } from '@repo/service-harness/free-port'
import { dpopRequests, proofClients } from '../dpop-proofs.js'
import { DPOP_CLIENTS } from '../scenarios/dpop.js'
import { mintBoundTokens, mintTokens } from '../token-pool.js'

export const PROTECTED_PATH = '/api/v1/protected'
/** The URL the proofs name: what `inject` makes of a request to PROTECTED_PATH with `host: localhost`. */
const PROTECTED_URL = `http://localhost${PROTECTED_PATH}`

export type Scheme = 'bearer' | 'dpop'
export type Headers = Record<string, string>

/** A server built in this process, answering injected requests: one must answer 200 every time. */
export interface Target {
  name: string
  call: (headers: Headers) => Promise<void>
  close: () => Promise<void>
}

export const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage()
  return user + system
}

/**
 * `count` requests, each with a token no server here has seen (and for DPoP, a new proof): the
 * consumer's fresh-token path every time, as the bench's 5000-token pool gives it over HTTP.
 */
export function freshRequests (issuer: FakeIssuer, alg: SigningAlgorithm, scheme: Scheme, count: number): Headers[] {
  if (scheme === 'bearer') return mintTokens(issuer, alg, count).map((token) => ({ authorization: `Bearer ${token}` }))
  const bound = mintBoundTokens(issuer, alg, count, proofClients(DPOP_CLIENTS))
  return dpopRequests(bound, PROTECTED_URL, count).map(({ authorization, dpop }) => ({ authorization, dpop }))
}

interface InjectApp {
  inject: (options: { method: 'GET', url: string, headers: Headers }) => Promise<{ statusCode: number, body: string }>
  ready: () => PromiseLike<unknown>
  close: () => PromiseLike<unknown>
}

/** Sends one request to `app` and insists on a 200. */
export function caller (name: string, app: InjectApp) {
  return async (headers: Headers) => {
    const request = { method: 'GET', url: PROTECTED_PATH, headers: { host: 'localhost', ...headers } } as const
    const response = await app.inject(request)
    if (response.statusCode !== 200) throw new Error(`${name} answered ${response.statusCode}: ${response.body}`)
  }
}

/**
 * The consumer built from `distDir` (a build's `dist`: this one by default, or a copy of an older
 * build for an A/B), with its default settings and its own logger at `warn`, as the bench starts it.
 */
export async function consumerTarget (name: string, issuer: FakeIssuer, distDir?: string): Promise<Target> {
  const from = (module: 'app' | 'config') => distDir === undefined
    ? `@repo/consumer-service/${module}`
    : pathToFileURL(resolve(distDir, `${module}.js`)).href
  const { buildApp } = await import(from('app')) as typeof import('@repo/consumer-service/app')
  const { loadConfig } = await import(from('config')) as typeof import('@repo/consumer-service/config')
  const dir = await tempDir('bench-profile-')
  const app = await buildApp(loadConfig({ ISSUER: issuer.origin, DATA_DIR: dir.path, LOG_LEVEL: 'warn' }))
  await app.ready()
  for (let attempt = 0; ; attempt++) {
    if ((await app.inject({ url: '/health/ready' })).statusCode === 200) break
    if (attempt === 200) throw new Error(`${name}: the in-process consumer never became ready`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    name,
    call: caller(name, app),
    close: async () => {
      await app.close()
      await dir.remove()
    }
  }
}
