import { loadDotEnv } from '@repo/service-kit/dot-env'
import { runService } from '@repo/service-kit/start-server'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

// `.env` beside package.json, if any, under the variables already set (docs/configuration.md).
loadDotEnv()
await runService('consumer-service', () => loadConfig(process.env, process.stdout.isTTY), buildApp)
