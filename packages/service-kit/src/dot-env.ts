import { existsSync } from 'node:fs'

/**
 * Loads `.env` from the working directory (the app's folder under `pnpm start`, `pnpm dev` and the
 * CLIs' scripts) into the environment, if there is one; a variable already set keeps its value.
 * Instead of Node's `--env-file-if-exists`, which says ".env not found. Continuing without it." on
 * every start without one: having none is the normal case (containers, CI, the defaults).
 */
export function loadDotEnv (path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path)
}
