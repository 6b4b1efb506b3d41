import { runService } from '@repo/service-kit/start-server'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'

await runService('web', () => loadConfig(process.env, process.stdout.isTTY), buildApp)
