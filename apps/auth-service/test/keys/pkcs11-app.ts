import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { expect } from 'vitest'
import type { DatabaseLocation } from '@repo/service-kit/sql'
import { AUDIENCE, ISSUER, buildTestApp, captureLogs, login, tempDataDir } from '../helper.js'
import { LABEL, PIN, SOFTHSM_MODULE } from './pkcs11/softhsm-token.js'

export type App = Awaited<ReturnType<typeof buildTestApp>>

/** A PIN file as an operator writes one (a trailing line break), in a directory removed after the test. */
export async function pinFile (pin = PIN): Promise<string> {
  const path = join(await tempDataDir(), 'pkcs11-pin')
  writeFileSync(path, `${pin}\n`, { mode: 0o600 })
  return path
}

/** The variables of a service whose keys the test's SoftHSM token holds: no KEY_ENCRYPTION_KEYS. */
export async function pkcs11Env (location: DatabaseLocation, extra: Record<string, string> = {}) {
  return {
    ...location.databaseUrl ? { DATABASE_URL: location.databaseUrl } : { DATA_DIR: location.dataDir },
    SIGNING_KEY_STORE: 'pkcs11',
    PKCS11_MODULE: SOFTHSM_MODULE,
    PKCS11_TOKEN_LABEL: LABEL,
    PKCS11_PIN_FILE: await pinFile(),
    ...extra
  }
}

/** The refusal a start with `env` ends in (the app is not built), and the log lines it wrote. */
export async function refusedStart (env: Record<string, string>) {
  const logs = captureLogs()
  const error = await buildTestApp(env, { logger: logs.logger })
    .then(() => { throw new Error('expected the start to be refused') }, (error: unknown) => error as Error)
  return { error, logs: logs.lines }
}

/** Checks that no PIN (the right one, or `others`) is in any of `texts`. */
export function expectNoPin (texts: readonly string[], others: readonly string[] = []): void {
  for (const pin of [PIN, ...others]) for (const text of texts) expect(text).not.toContain(pin)
}

/** A login's access token, verified as a consumer does: against the JWKS the app publishes. */
export async function verifiedLogin (app: App) {
  const token = (await login(app, 'Jane', 'pass123')).json().access_token as string
  const jwks = (await app.inject('/.well-known/jwks.json')).json() as { keys: Array<{ kid: string }> }
  return jwtVerify(token, createLocalJWKSet(jwks as never), { issuer: ISSUER, audience: AUDIENCE })
}
