import { buildReferenceApp } from './fastify-node-crypto-app.js'
import { AUDIENCE, ISSUER, JWKS_URL, LOG_LEVEL, PORT } from './peer-env.js'

/**
 * The reference verifier (fastify-node-crypto-app.ts) as its own process, on loopback at PORT: the
 * JWKS is fetched once, at start-up.
 */
const { keys } = await (await fetch(JWKS_URL)).json() as { keys: Array<Record<string, unknown>> }
const app = await buildReferenceApp({ jwks: keys, issuer: ISSUER, audience: AUDIENCE, logLevel: LOG_LEVEL })
await app.listen({ port: PORT, host: '127.0.0.1' })
