import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { registerBrowserClient } from '@repo/service-harness/browser-clients'
import { startCallbackServer } from '@repo/service-harness/callback-server'
import { FormBrowser } from '@repo/service-harness/form-browser'
import type { PostgresServer } from '@repo/service-harness/postgres-server'
import { runAuthCli } from '@repo/service-harness/service-process'
import { logInThroughBrowser } from '@repo/service-harness/session-login'
import { proofClients, type ProofClient } from '../dpop-proofs.js'
import { progress, quick } from '../run.js'
import type { Engine, RetentionResult, RetentionSample, TableVerdict } from '../scale-report.js'
import { pacedRun } from './paced-load.js'
import { startScaleTarget } from './scale-target.js'

const SECONDS = quick ? 14 : 84
const WINDOW_SECONDS = quick ? 3 : 8
const CODE_LIFETIME_S = 60
const KEEP_USED_CODE_S = 24 * 3600
/** Short lifetimes, so every retention but the codes' passes within the run. */
const SETTINGS = {
  TOKEN_TTL: '1s',
  CLOCK_TOLERANCE: '0s',
  REFRESH_TOKEN_TTL: '2s',
  REFRESH_TOKEN_IDLE_TTL: '2s',
  SESSION_TTL: '2s',
  SESSION_IDLE_TTL: '2s',
  DPOP_IAT_WINDOW: '5s',
  PURGE_INTERVAL: '1s'
}
const ASSERTION_SECONDS = 5
/**
 * Seconds after a row is written until the purge may take it (maintenance/retention-rules.ts with
 * SETTINGS: reach = TOKEN_TTL + CLOCK_TOLERANCE = 1 s). A session also waits for its refresh tokens.
 */
const RETENTION: Record<string, number> = {
  refresh_tokens: 2 + 1,
  browser_sessions: 2 + CODE_LIFETIME_S + 1,
  authorization_codes: CODE_LIFETIME_S + KEEP_USED_CODE_S,
  authorization_requests: 600,
  client_assertions: ASSERTION_SECONDS,
  auth_dpop_proofs: 5 + 1
}
const TABLES = Object.keys(RETENTION)
const JWT_CLIENT = 'bench-jwt-client'
const REDIRECT_PATH = '/callback'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** An ES256 JWT signed by `key`. */
function es256 (header: object, payload: object, key: ProofClient['privateKey']): string {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

/** The mean of the samples taken in [from, to) seconds. */
function meanOver (samples: RetentionSample[], table: string, from: number, to: number): number {
  const values = samples.filter((s) => s.atSeconds >= from && s.atSeconds < to).map((s) => s.counts[table] ?? 0)
  return values.length === 0 ? Number.NaN : Math.round(values.reduce((a, b) => a + b, 0) / values.length)
}

/** Flat: the last window's mean at most 15 % (and 5 rows) above the window before it, once retention has passed. */
function verdictOf (table: string, samples: RetentionSample[]): TableVerdict {
  const retentionSeconds = RETENTION[table] as number
  const last = meanOver(samples, table, SECONDS - WINDOW_SECONDS, SECONDS + 1)
  const previous = meanOver(samples, table, SECONDS - 2 * WINDOW_SECONDS, SECONDS - WINDOW_SECONDS)
  const base = { table, retentionSeconds, lastWindowMean: last, previousWindowMean: previous }
  // The purge interval (1 s) and the sampling add a little to the retention before a plateau.
  if (retentionSeconds + 2 > SECONDS - 2 * WINDOW_SECONDS) {
    return { ...base, verdict: 'not judged', note: `retention longer than the ${SECONDS} s run allows` }
  }
  return { ...base, verdict: last <= previous * 1.15 + 5 ? 'flat' : 'GROWS' }
}

/** On SQLite (one process) the proofs' `jti`s are kept in memory: the table stays empty. */
const withNote = (engine: Engine) => (verdict: TableVerdict): TableVerdict =>
  engine === 'sqlite' && verdict.table === 'auth_dpop_proofs' ? { ...verdict, note: 'in memory on SQLite' } : verdict

type Tally = RetentionResult['requests'][string]
const tally = (): Tally => ({ ok: 0, other: {}, errors: 0 })
/** Counts an answer; the first refusal's OAuth `error` code is kept, to say why. */
async function count (into: Tally, response: Response): Promise<void> {
  if (response.ok) {
    into.ok++
    return
  }
  into.other[response.status] = (into.other[response.status] ?? 0) + 1
  const body = await response.clone().json().catch(() => ({})) as { error?: unknown }
  into.firstRefusal ??= `${response.status} ${String(body.error)}`
}

/**
 * A steady load that writes to every table of short-lived rows: browser logins (a pending request, a
 * code, a session, a refresh family, each rotated while it lives) and client_credentials grants by
 * private_key_jwt with a DPoP proof (an assertion `jti`, a proof `jti`). The counts are sampled every
 * second; each table whose retention passes within the run must level off.
 */
export async function retentionRun (engine: Engine, postgres: PostgresServer | undefined): Promise<RetentionResult> {
  progress(`scale ${engine}: retention, ${SECONDS} s of steady load, PURGE_INTERVAL=${SETTINGS.PURGE_INTERVAL}`)
  const callbacks = await startCallbackServer()
  const target = await startScaleTarget(engine, postgres, '', { ...SETTINGS, SEED_DEMO_USERS: 'true' })
  const requests = { login: tally(), refresh: tally(), client_credentials: tally() }
  const samples: RetentionSample[] = []
  try {
    const issuer = target.service.url
    const redirectUri = callbacks.uri(REDIRECT_PATH)
    const [client] = proofClients(1) as [ProofClient]
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwksFile = join(target.env.DATA_DIR as string, 'bench-jwks.json')
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' }
    await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }))
    const [, added] = await Promise.all([
      registerBrowserClient(target.env, { clientId: 'web-app', redirectUris: [redirectUri] }),
      runAuthCli('clients', ['add', JWT_CLIENT, '--auth', 'private_key_jwt', '--jwks-file', jwksFile,
        '--scope', 'reports:read'], target.env)
    ])
    if (added.code !== 0) throw new Error(`clients add ${JWT_CLIENT}: ${added.stderr.trim()}`)
    const tokenUrl = `${issuer}${TOKEN_PATH}`

    const started = Date.now()
    const elapsed = () => (Date.now() - started) / 1000
    const sampler = (async () => {
      for (let second = 0; second <= SECONDS; second++) {
        const wait = started + second * 1000 - Date.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        samples.push({ atSeconds: second, counts: await target.count(TABLES) })
      }
    })()
    // Logins one after the other (each a scrypt), each family rotated twice while it lives (2 s).
    const logins = (async () => {
      while (elapsed() < SECONDS - 1) {
        try {
          const tokens = await logInThroughBrowser({
            issuer,
            clientId: 'web-app',
            redirectUri,
            user: { userName: 'Jane', password: 'pass123' },
            browser: new FormBrowser()
          })
          requests.login.ok++
          let refreshToken = tokens.refreshToken
          for (let rotation = 0; rotation < 2; rotation++) {
            await new Promise((resolve) => setTimeout(resolve, 300))
            const response = await fetch(tokenUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({
                grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'web-app'
              })
            })
            await count(requests.refresh, response)
            refreshToken = (await response.json() as { refresh_token: string }).refresh_token
          }
        } catch {
          requests.login.errors++
        }
      }
    })()
    const grants = pacedRun({ rate: 20, seconds: SECONDS - 1, concurrency: 8 }, async () => {
      const now = Math.floor(Date.now() / 1000)
      const assertion = es256({ alg: 'ES256', kid: 'k1', typ: 'JWT' },
        { iss: JWT_CLIENT, sub: JWT_CLIENT, aud: issuer, jti: randomUUID(), iat: now, exp: now + ASSERTION_SECONDS },
        privateKey)
      const proof = es256(JSON.parse(Buffer.from(client.encodedHeader, 'base64url').toString()) as object,
        { jti: randomUUID(), htm: 'POST', htu: tokenUrl, iat: now }, client.privateKey)
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion
        })
      })
      await count(requests.client_credentials, response)
      await response.arrayBuffer()
      return response.status
    }).then((run) => { requests.client_credentials.errors += run.errors })
    await Promise.all([sampler, logins, grants])
  } finally {
    await target.stop()
    await callbacks.close()
  }
  const verdicts = TABLES.map((table) => verdictOf(table, samples)).map(withNote(engine))
  progress(`scale ${engine}: retention ${verdicts.map((v) => `${v.table} ${v.verdict}`).join(', ')}`)
  return { engine, settings: SETTINGS, seconds: SECONDS, windowSeconds: WINDOW_SECONDS, requests, samples, verdicts }
}
