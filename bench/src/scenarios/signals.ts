import { randomBytes } from 'node:crypto'
import { startBalancer } from '@repo/service-harness/balancer'
import { registerBrowserClient } from '@repo/service-harness/browser-clients'
import { startCallbackServer } from '@repo/service-harness/callback-server'
import { FormBrowser } from '@repo/service-harness/form-browser'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { consumerAnswer, timeLogout } from '@repo/service-harness/logout-timing'
import { startPostgresServer } from '@repo/service-harness/postgres-server'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { logInThroughBrowser } from '@repo/service-harness/session-login'
import { startReceiverConsumers } from '@repo/service-harness/signal-receivers'
import { QUIET, progress, quick } from '../run.js'
import type { SignalsReport } from '../signals-report.js'

const JANE = { userName: 'Jane', password: 'pass123' }
const JOHN = { userName: 'John', password: 'testpass' }
const CONSUMERS = ['consumer-a', 'consumer-b'] as const
const LOGOUTS = quick ? 3 : 20

/**
 * Scenario 8 (issue 24): how long a logout takes to reach the consumers. Two auth replicas on one
 * PostgreSQL database behind a round-robin balancer (the issuer), two consumers receiving Shared
 * Signals through it; Jane logs in through the browser flow, logs out at one replica (alternately),
 * and each consumer is asked with her access token every 2 ms until it refuses it. John's token must
 * keep working at both.
 */
export async function signalsScenario (): Promise<SignalsReport> {
  progress(`8. Shared Signals: logout to refusal at 2 consumers, 2 auth replicas on PostgreSQL (${LOGOUTS} logouts)`)
  const postgres = await startPostgresServer()
  const dir = await tempDir('bench-signals-')
  const callbacks = await startCallbackServer()
  const running: ServiceProcess[] = []
  const ports = [await freePort(), await freePort()]
  const balancer = await startBalancer(ports.map((port) => `http://127.0.0.1:${port}`))
  try {
    const authEnv = {
      ...QUIET,
      ISSUER: balancer.url,
      DATABASE_URL: await postgres.createDatabase(),
      KEY_ENCRYPTION_KEYS: randomBytes(32).toString('base64url'),
      DATA_DIR: '/nonexistent'
    }
    const replicas = ports.map((port) => startService('auth-service', port, authEnv))
    running.push(...replicas)
    await Promise.all(replicas.map((replica) => replica.waitUntilReady()))
    const redirectUri = callbacks.uri('/callback')
    await registerBrowserClient(authEnv, { clientId: 'web-app', redirectUris: [redirectUri] })
    const receivers = await startReceiverConsumers(CONSUMERS, {
      issuer: balancer.url, authEnv, dir: dir.path, env: QUIET, started: (process) => running.push(process)
    })
    const consumers = receivers.map((receiver) => receiver.process.url)
    const logIn = async (user: typeof JANE) => {
      const browser = new FormBrowser()
      const issuer = balancer.url
      const tokens = await logInThroughBrowser({ issuer, clientId: 'web-app', redirectUri, user, browser })
      return { browser, tokens }
    }

    const john = await logIn(JOHN)
    const report: SignalsReport = { logouts: LOGOUTS, consumers: [...CONSUMERS], times: [], othersRefused: 0 }
    for (let round = 0; round < LOGOUTS; round++) {
      const replica = replicas[round % replicas.length] as ServiceProcess
      const times = await timeLogout(await logIn(JANE), balancer.url, replica.url, consumers)
      report.times.push(times)
      for (const consumer of consumers) {
        if ((await consumerAnswer(consumer, john.tokens.accessToken)).status !== 200) report.othersRefused++
      }
      progress(`logout ${round + 1}/${LOGOUTS} at replica ${round % 2 + 1}: ` +
        times.map((ms, index) => `${CONSUMERS[index]} ${ms.toFixed(1)} ms`).join(', '))
    }
    return report
  } finally {
    await Promise.all(running.map((service) => service.stop()))
    await callbacks.close()
    await balancer.close()
    await postgres.stop()
    await dir.remove()
  }
}
