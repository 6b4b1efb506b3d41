import { afterEach, describe, expect, it } from 'vitest'
import { login } from '@repo/service-harness/http'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { refresh } from '../src/oauth-requests.js'

/** Users logging in and refreshing, each over and over, at once. */
const USERS = 16
/** The process is killed as this many refreshes have been answered, the others still under way. */
const KILL_AT = 40
const LIFTED_LIMITS = { LOGIN_RATE_LIMIT: '100000/1m', OAUTH_RATE_LIMIT: '100000/1m' }

/** How many lines of `output` are the audit event `event` (a line cut short by the kill counts too). */
const countEvents = (output: string, event: string) =>
  output.split('\n').filter((line) => line.includes(`"event":"${event}"`)).length

describe('audit events of an auth-service that dies', () => {
  let auth: ServiceProcess | undefined
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined
  afterEach(async () => {
    await auth?.stop()
    await dir?.remove()
  })

  it('are in its log for every request it answered, killed (kill -9) mid-burst', { timeout: 90_000 }, async () => {
    dir = await tempDir('audit-events-')
    const port = await freePort()
    const env = { ISSUER: `http://127.0.0.1:${port}`, DATA_DIR: dir.path, ...LIFTED_LIMITS }
    auth = startService('auth-service', port, env)
    await auth.waitUntilReady()
    const service = auth

    // 16 users at once, each logging in (a scrypt on libuv's thread pool) and refreshing (a signature
    // there too) over and over; the process dies as the 40th refresh is answered. An asynchronous log
    // stream waits its turn on that same busy pool: whatever it holds then is lost.
    let killed: Promise<void> | undefined
    const answered = { logins: 0, refreshes: 0 }
    await Promise.all(Array.from({ length: USERS }, async () => {
      try {
        while (!killed) {
          const loggedIn = await login(service.url, 'Jane', 'pass123')
          if (loggedIn.status === 200) answered.logins++
          const { status } = await refresh(service.url, loggedIn.body.refresh_token as string)
          if (status === 200 && ++answered.refreshes === KILL_AT) killed = service.kill()
        }
      } catch {
        // No answer: the process was killed.
      }
    }))
    await killed

    const output = service.output()
    const logged = {
      logins: countEvents(output, 'login_succeeded'),
      refreshes: countEvents(output, 'refresh_token_rotated')
    }
    console.log(`audit events: ${JSON.stringify(logged)} logged for ${JSON.stringify(answered)} answered`)
    expect(answered.refreshes).toBeGreaterThanOrEqual(KILL_AT)
    // An event is logged before its answer is sent: at least as many events as answers, for each kind.
    expect(logged.logins).toBeGreaterThanOrEqual(answered.logins)
    expect(logged.refreshes).toBeGreaterThanOrEqual(answered.refreshes)
  })
})
