import { buildBareApp } from './bare-app.js'

/** The bare route (bare-app.ts) as its own process, on loopback at PORT. */
const app = buildBareApp(process.env.LOG_LEVEL ?? 'warn')
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
