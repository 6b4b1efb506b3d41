import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { vi } from 'vitest'
import { startFakeTransmitter, type FakeTransmitter } from '@repo/service-harness/fake-transmitter'
import { realSleep, type Sleep } from '../../src/signals/receiver.js'
import type { AppOverrides } from '../../src/app.js'
import { buildTestApp, fakeIssuer, tempDataDir, type FakeIssuer } from '../helper.js'

export { CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED } from '@repo/contracts/ssf'

/** Backoff waits of at most 5 ms: a test never waits for a real backoff. */
export const quickSleep: Sleep = (ms, signal) => realSleep(Math.min(ms, 5), signal)

/**
 * A fake issuer that also transmits signals, and a consumer receiving them; unless told not to, waits
 * until `/health/ready` (keys loaded and the stream caught up).
 */
export async function signalsApp (
  env: Record<string, string> = {},
  overrides: AppOverrides & { waitForKeys?: boolean } = {},
  prepare: (issuer: FakeIssuer, transmitter: FakeTransmitter) => void = () => {}
) {
  const issuer = await fakeIssuer()
  const transmitter = startFakeTransmitter(issuer)
  prepare(issuer, transmitter)
  const secretFile = join(await tempDataDir(), 'ssf-secret')
  await writeFile(secretFile, transmitter.clientSecret)
  const app = await buildTestApp(issuer, {
    SSF_CLIENT_ID: transmitter.clientId,
    SSF_CLIENT_SECRET_FILE: secretFile,
    SSF_RECEIVER_NAME: 'consumer-test',
    ...env
  }, { signalsSleep: quickSleep, ...overrides })
  return { issuer, transmitter, app }
}

/** A session-revoked SET's claims for `sid` of `sub`, at `time` (seconds). */
export function sessionRevoked (issuer: FakeIssuer, sub: string, sid: string, time: number) {
  return {
    sub_id: {
      format: 'complex',
      user: { format: 'iss_sub', iss: issuer.origin, sub },
      session: { format: 'opaque', id: sid }
    },
    events: {
      'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {
        event_timestamp: time, initiating_entity: 'user', reason_admin: { en: 'RP-initiated logout' }
      }
    }
  }
}

/** Resolves once the transmitter has received an acknowledgement of `jti`. */
export async function acked (transmitter: FakeTransmitter, jti: string): Promise<void> {
  await vi.waitUntil(() => transmitter.state.acks.includes(jti), { timeout: 5000, interval: 5 })
}

/** Resolves once the transmitter has received a setErr for `jti`. */
export async function errored (transmitter: FakeTransmitter, jti: string): Promise<void> {
  await vi.waitUntil(() => jti in transmitter.state.setErrs, { timeout: 5000, interval: 5 })
}

/** The value of `ssf_sets_total` for one outcome, as a scrape shows it. */
export async function setsCounted (app: { metrics: { registry: { getSingleMetricAsString: (name: string) => Promise<string> } } },
  outcome: string): Promise<number> {
  const text = await app.metrics.registry.getSingleMetricAsString('ssf_sets_total')
  const line = text.split('\n').find((one) => one.includes(`outcome="${outcome}"`))
  return Number(line?.split(' ').at(-1) ?? Number.NaN)
}
