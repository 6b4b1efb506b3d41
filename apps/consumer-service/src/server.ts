import { ConfigError } from '@repo/service-kit/env'
import { startServer } from '@repo/service-kit/start-server'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

try {
  const config = loadConfig(process.env, process.stdout.isTTY)
  const app = await buildApp(config)
  await startServer(app, { port: config.port, host: config.host })
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`consumer-service: ${error.message}`)
  } else {
    console.error('consumer-service: failed to start', error)
  }
  process.exit(1)
}
