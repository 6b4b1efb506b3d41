import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerBrowserClient } from '@repo/service-harness/browser-clients'
import { call, login, tokenFor } from '@repo/service-harness/http'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { registerSignalReceiver, type SignalReceiver } from '@repo/service-harness/signal-receivers'
import { startWebApp, webOrigin } from '@repo/service-harness/web-app'
import { checkedSteps, readmeTranscript, runWalkthrough } from '../src/walkthrough-script.js'

/**
 * The README path against the two built services, as real processes on loopback: auth-service
 * issues, consumer-service discovers its JWKS over HTTP and verifies.
 */
describe('auth-service and consumer-service as processes', () => {
  let authDir: Awaited<ReturnType<typeof tempDir>>
  let consumerDir: Awaited<ReturnType<typeof tempDir>>
  let authPort: number
  let issuer: string
  let auth: ServiceProcess
  let consumer: ServiceProcess
  /** The browser app, as compose's `web` service: the walkthrough checks its wiring too. */
  let webUrl: string
  const started: ServiceProcess[] = []
  let receiver: SignalReceiver

  function startAuth (port = authPort, env: Record<string, string> = {}) {
    const service = startService('auth-service', port, { ISSUER: issuer, DATA_DIR: authDir.path, ...env })
    started.push(service)
    return service
  }

  beforeAll(async () => {
    authDir = await tempDir('cross-auth-')
    consumerDir = await tempDir('cross-consumer-')
    authPort = await freePort()
    issuer = `http://127.0.0.1:${authPort}`
    auth = startAuth()
    await auth.waitUntilReady()
    const webPort = await freePort()
    webUrl = webOrigin(webPort)
    // What compose's one-shot register-consumer-receiver does: the consumer hears of logouts (Shared Signals).
    receiver = await registerSignalReceiver('consumer-service', { ISSUER: issuer, DATA_DIR: authDir.path },
      consumerDir.path)
    consumer = startService('consumer-service', await freePort(), {
      ...receiver.env,
      ISSUER: issuer,
      DATA_DIR: consumerDir.path,
      CORS_ORIGINS: webUrl,
      // Short cache times, so the outage below really exercises the stale-if-unreachable path.
      JWKS_CACHE_TTL: '2s',
      JWKS_COOLDOWN: '1s',
      CLOCK_TOLERANCE: '0s'
    })
    started.push(consumer)
    await consumer.waitUntilReady()
    // What compose's one-shot register-web-app does.
    await registerBrowserClient({ ISSUER: issuer, DATA_DIR: authDir.path }, {
      clientId: 'web-app', name: 'Reports web app', redirectUris: [`${webUrl}/callback`], postLogoutRedirectUris: [`${webUrl}/`]
    })
    started.push(await startWebApp(webPort, { issuer, consumerUrl: consumer.url }))
  })

  afterAll(async () => {
    await Promise.all(started.map((service) => service.stop()))
    await authDir?.remove()
    await consumerDir?.remove()
  })

  const protectedUrl = () => `${consumer.url}/api/v1/protected`
  const reportsUrl = () => `${consumer.url}/api/v1/reports`

  it('logs Jane in and lets her call the protected route with the token', async () => {
    const { status, body } = await login(auth.url, 'Jane', 'pass123')
    expect(status).toBe(200)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'reports:read reports:write' })

    const response = await call(protectedUrl(), body.access_token as string)
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ claims: { iss: issuer, aud: 'consumer-service', role: 'write' } })
  })

  it('authorizes by scope: Jane writes a report, John reads it but may not write', async () => {
    const jane = await tokenFor(auth.url, 'Jane', 'pass123')
    const john = await tokenFor(auth.url, 'John', 'testpass')
    const post = (token: string) => call(reportsUrl(), token, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'cross-service' })
    })

    expect((await post(jane)).status).toBe(201)
    const denied = await post(john)
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    const listed = await call(reportsUrl(), john)
    expect(listed.status).toBe(200)
    expect(listed.body?.reports).toEqual([expect.objectContaining({ title: 'cross-service' })])
  })

  it('refuses a wrong password, a missing token and a tampered token', async () => {
    expect((await login(auth.url, 'Jane', 'wrong')).status).toBe(401)
    expect((await call(protectedUrl(), undefined)).status).toBe(401)

    const token = await tokenFor(auth.url, 'John', 'testpass')
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'write', scope: 'reports:read reports:write' })).toString('base64url')
    const tampered = await call(protectedUrl(), `${header}.${elevated}.${signature}`)
    expect(tampered.status).toBe(401)
    expect(tampered.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('refuses a token after its exp', async () => {
    // A second auth process on the same DATA_DIR (same keys, same issuer) that issues 1-second tokens.
    const shortLived = startAuth(await freePort(), { TOKEN_TTL: '1s', SEED_DEMO_USERS: 'false' })
    await shortLived.waitUntilReady()
    const token = await tokenFor(shortLived.url, 'Jane', 'pass123')
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { exp: number }
    expect((await call(protectedUrl(), token)).status).toBe(200)
    // Two processes, two real clocks: poll until the consumer refuses it, and check that was after exp.
    await expect.poll(async () => (await call(protectedUrl(), token)).status, { timeout: 4000, interval: 100 }).toBe(401)
    expect(Date.now() / 1000).toBeGreaterThanOrEqual(exp)
    await shortLived.stop()
  })

  it('keeps accepting known keys while the auth service is down, and earlier tokens after it restarts', async () => {
    const token = await tokenFor(auth.url, 'Jane', 'pass123')
    await auth.stop()
    expect(auth.exited()).toBe(true)
    // Past the consumer's 2 s cache it must try the JWKS, fail, and fall back to the keys it knows;
    // every call meanwhile is answered from those keys.
    const statuses: number[] = []
    await expect.poll(async () => {
      statuses.push((await call(protectedUrl(), token)).status)
      return consumer.output()
    }, { timeout: 5000, interval: 200 }).toContain('JWKS fetch failed; keeping the keys already known')
    expect(new Set(statuses)).toEqual(new Set([200]))

    auth = startAuth()
    await auth.waitUntilReady()
    expect((await call(protectedUrl(), token)).status).toBe(200)
    const fresh = await tokenFor(auth.url, 'Jane', 'pass123')
    expect((await call(protectedUrl(), fresh)).status).toBe(200)
  })

  it('keeps tokens and passwords out of both services\' logs', async () => {
    const token = await tokenFor(auth.url, 'Jane', 'pass123')
    await call(protectedUrl(), `${token}x`)
    const logs = auth.output() + consumer.output()
    expect(logs).not.toContain('pass123')
    expect(logs).not.toContain(await readFile(receiver.env.SSF_CLIENT_SECRET_FILE as string, 'utf8'))
    expect(logs).not.toContain(token.split('.')[2])
  })
  // Seven runs against one pair: the old script's wrong password for Jane met her failure limit
  // (LOGIN_FAILURE_LIMIT, 5 in 15 minutes) on the sixth, and then her right password was refused too.
  it('runs scripts/walkthrough.sh seven times in a row, each run the README\'s transcript', async () => {
    const readmeSteps = checkedSteps(await readmeTranscript())
      // Only in compose, where the auth service speaks HTTPS; and a new name each run.
      .filter((step) => !step.startsWith('ok    the compose stack\'s CA'))
    expect(readmeSteps).toContain('ok    a wrong password is refused: HTTP 401')
    const target = () => ({ authUrl: auth.url, consumerUrl: consumer.url, webUrl, authDataDir: authDir.path })
    for (let run = 1; run <= 7; run++) {
      const { code, output } = await runWalkthrough(target())
      const passed = { run, code: 0, output: expect.stringContaining('walkthrough passed') }
      expect({ run, code, output }).toMatchObject(passed)
      expect(checkedSteps(output)).toEqual(readmeSteps)
    }
    // About 25 s a run on two loaded cores, the DPoP step's proof commands included.
  }, 300_000)

  it('waits out the per-IP login limit once, when a run reaches it', async () => {
    // Two logins per 6 s: the run's third login (the wrong password) is refused, then let through.
    const limited = startAuth(await freePort(), { LOGIN_RATE_LIMIT: '2/6s', SEED_DEMO_USERS: 'false' })
    await limited.waitUntilReady()
    const { code, output } = await runWalkthrough({
      authUrl: limited.url, consumerUrl: consumer.url, webUrl: '', authDataDir: authDir.path
    })
    expect({ code, output }).toMatchObject({ code: 0, output: expect.stringContaining('walkthrough passed') })
    const waited = '(LOGIN_RATE_LIMIT: logins per IP) refused a wrong password is refused'
    expect(output.split('\n')).toContainEqual(expect.stringMatching(/^wait {2}\ds: /))
    expect(output).toContain(waited)
    await limited.stop()
  }, 90_000)
})
