import { describe, expect, it, vi } from 'vitest'
import { call, login, tokenFor } from '@repo/service-harness/http'
import { scanPostgresForPrivateKeys } from '@repo/service-harness/private-key-scan'
import { runAuthCli, type ServiceProcess } from '@repo/service-harness/service-process'
import { kidOf, servedJwks } from '../src/jwks.js'
import { keepTokenFresh, runLoad } from '../src/load.js'
import { clientCredentials, refresh, revoke } from '../src/oauth-requests.js'
import { replicaSuite, type ReplicaSet } from '../src/replicas.js'
import { clientSecretIn } from '@repo/service-harness/client-secret'

/** As in rotation.test.ts: JWKS cached 1 s, keys prepublished 2 s, key state polled every 100 ms; no login or OAuth limit in the way. */
const FAST_KEYS = { JWKS_MAX_AGE: '1s', KEY_PREPUBLISH: '2s', KEY_STATE_POLL: '100ms', CLOCK_TOLERANCE: '0s', LOGIN_RATE_LIMIT: '100000/1m', OAUTH_RATE_LIMIT: '100000/1m' }
const FAST_CONSUMER = { JWKS_CACHE_TTL: '1s', JWKS_COOLDOWN: '1s', CLOCK_TOLERANCE: '0s' }

/** Every replica's JWKS once all of them serve the same bytes with the same ETag (a change reaches them within a poll). */
async function agreedJwks (set: ReplicaSet) {
  const served = await Promise.all(set.replicas.map((replica) => servedJwks(replica.url)))
  return served.every((jwks) => jwks.body === served[0]?.body && jwks.etag === served[0]?.etag) ? served : undefined
}

describe('three auth-service replicas on one PostgreSQL database', () => {
  const suite = replicaSuite()

  const rotate = async (env: Record<string, string>) => {
    const rotated = await runAuthCli('keys', ['rotate'], env)
    expect(rotated.code, rotated.stderr).toBe(0)
    return /next key (\S+) is published/.exec(rotated.stdout)?.[1] as string
  }

  it('serves byte-identical JWKS with the same ETag on every replica, also after a rotation', async () => {
    const set = await suite.start({ authEnv: FAST_KEYS, consumer: false })
    const replicas = set.replicas
    const first = await Promise.all(replicas.map((replica) => servedJwks(replica.url)))
    const [one] = first
    expect(one?.kids).toHaveLength(1)
    expect(one?.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
    expect(first.map((jwks) => jwks.body)).toEqual(replicas.map(() => one?.body))
    expect(first.map((jwks) => jwks.etag)).toEqual(replicas.map(() => one?.etag))
    // One replica's ETag revalidates at every other: a client behind the balancer never refetches in vain.
    const revalidated = await Promise.all(replicas.map(async (replica) =>
      (await fetch(`${replica.url}/.well-known/jwks.json`, { headers: { 'if-none-match': one?.etag as string } })).status))
    expect(revalidated).toEqual([304, 304, 304])

    const next = await rotate(set.authEnv)
    // LISTEN/NOTIFY brings the change to every replica at once; the 100 ms poll would within 100 ms.
    await expect.poll(async () => (await agreedJwks(set as ReplicaSet))?.[0]?.kids, { timeout: 1000, interval: 50 }).toEqual([one?.kids[0], next])
    const after = await agreedJwks(set) ?? []
    expect(after.map((jwks) => jwks.etag)).toEqual(replicas.map(() => after[0]?.etag))
    expect(after[0]?.etag).not.toBe(one?.etag)
    expect((await servedJwks(set.issuer)).body).toBe(after[0]?.body)
  })

  it('rotates under load through the consumer, tokens from alternating replicas, keys sealed, without a failed request', async () => {
    const set = await suite.start({ authEnv: FAST_KEYS, consumerEnv: FAST_CONSUMER })
    const { replicas } = set
    const consumer = set.consumer as ServiceProcess
    const signedBy = replicas.map(() => new Set<string>())
    let turn = 0
    const stop = new AbortController()
    const tokens = keepTokenFresh(async () => {
      const index = turn++ % replicas.length
      const token = await tokenFor((replicas[index] as ServiceProcess).url, 'Jane', 'pass123')
      signedBy[index]?.add(kidOf(token))
      return token
    }, 100, stop.signal)
    let load: ReturnType<typeof runLoad> | undefined
    try {
      await tokens.ready
      const oldKid = kidOf(tokens.state.token)
      load = runLoad(`${consumer.url}/api/v1/protected`, () => tokens.state.token, 4, stop.signal)
      await vi.waitUntil(() => (load?.progress.total ?? 0) >= 200, { timeout: 10_000, interval: 20 })

      const newKid = await rotate(set.authEnv)
      expect(newKid).toMatch(/^[A-Za-z0-9_-]{43}$/)
      // Every replica publishes it at once (prepublished: still signing with the old key).
      await expect.poll(async () => (await agreedJwks(set as ReplicaSet))?.[0]?.kids, { timeout: 1000, interval: 50 }).toEqual([oldKid, newKid])

      // Until every replica signs with the new key, and 200 more requests used its tokens.
      await vi.waitUntil(() => signedBy.every((kids) => kids.has(newKid)), { timeout: 15_000, interval: 50 })
      const switched = load.progress.total
      await vi.waitUntil(() => (load?.progress.total ?? 0) >= switched + 200, { timeout: 10_000, interval: 20 })
      stop.abort()
      const result = await load.done

      console.log(`replicas: rotation under load: ${result.total} requests, ${result.non2xx} non-2xx, statuses ${JSON.stringify(result.byStatus)}; JWKS served by ${JSON.stringify([...set.balancer.served.values()])}`)
      expect(signedBy.map((kids) => [...kids])).toEqual(replicas.map(() => [oldKid, newKid]))
      expect(result.errors).toEqual([])
      expect(result.non2xx).toBe(0)
      // Every replica signed with keys the others sealed (one KEY_ENCRYPTION_KEYS): none is in the clear.
      expect(await scanPostgresForPrivateKeys(set.authEnv.DATABASE_URL as string)).toEqual([])
    } finally {
      stop.abort()
      await Promise.all([load?.done, tokens.done])
    }
  })

  it('logs in, grants client_credentials and refreshes on any replica; a refresh token is redeemed once across replicas', async () => {
    const set = await suite.start({ authEnv: FAST_KEYS, consumerEnv: FAST_CONSUMER })
    const [a, b, c] = set.replicas.map((replica) => replica.url) as [string, string, string]
    const consumerUrl = set.consumer?.url as string
    const added = await runAuthCli('clients', ['add', 'reports-basic', '--scope', 'reports:read'], set.authEnv)
    expect(added.code, added.stderr).toBe(0)
    const secret = clientSecretIn(added.stdout) as string

    for (const [here, there, third] of [[a, b, c], [b, c, a], [c, a, b]] as const) {
      const loggedIn = await login(here, 'Jane', 'pass123')
      expect(loggedIn.status).toBe(200)
      expect((await call(`${consumerUrl}/api/v1/protected`, loggedIn.body.access_token as string)).status).toBe(200)

      const granted = await clientCredentials(here, 'reports-basic', secret)
      expect(granted).toMatchObject({ status: 200, body: { token_type: 'Bearer', scope: 'reports:read' } })
      expect((await call(`${consumerUrl}/api/v1/reports`, granted.body.access_token as string)).status).toBe(200)

      // A login's refresh token rotates on a second replica, and its successor on a third.
      const once = await refresh(there, loggedIn.body.refresh_token as string)
      expect(once).toMatchObject({ status: 200, body: { token_type: 'Bearer', scope: 'reports:read reports:write' } })
      const twice = await refresh(third, once.body.refresh_token as string)
      expect(twice.status).toBe(200)
      expect((await call(`${consumerUrl}/api/v1/protected`, twice.body.access_token as string)).status).toBe(200)
    }

    // The same refresh token on two replicas at the same moment: it rotates once. The later of the two
    // comes within REFRESH_TOKEN_REUSE_GRACE while the successor is unused, so it is a duplicate, not a
    // theft: it gets the same successor (as Okta's grace period does), and the family lives on.
    const events = (event: string) => set.started
      .flatMap((replica) => replica.output().split('\n'))
      .filter((line) => line.includes(`"event":"${event}"`)).length
    const before = { rotated: events('refresh_token_rotated'), replayed: events('refresh_token_replayed') }
    for (let round = 0; round < 5; round++) {
      const { body } = await login(a, 'Jane', 'pass123')
      const answers = await Promise.all([refresh(b, body.refresh_token as string), refresh(c, body.refresh_token as string)])
      expect(answers.map((answer) => answer.status)).toEqual([200, 200])
      const [first, second] = answers.map((answer) => answer.body.refresh_token as string)
      expect(second).toBe(first)
      expect((await refresh(a, first as string)).status).toBe(200)
    }
    // Each round: one rotation and one replay of the login's token, then one rotation of its successor.
    expect(events('refresh_token_rotated')).toBe(before.rotated + 10)
    expect(events('refresh_token_replayed')).toBe(before.replayed + 5)
  })

  it('honours a revocation on every replica: a refresh token through one, a signing key through the CLI', async () => {
    const set = await suite.start({ authEnv: FAST_KEYS, consumer: false })
    const [a, b, c] = set.replicas.map((replica) => replica.url) as [string, string, string]

    const { body } = await login(a, 'Jane', 'pass123')
    expect((await revoke(b, body.refresh_token as string)).status).toBe(200)
    for (const url of [a, b, c]) {
      expect(await refresh(url, body.refresh_token as string)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    }

    // Every replica is asked, back to back, whether it has a key to sign with while the CLI revokes the
    // signing key: not one moment without (a load balancer would take it out, its logins would fail).
    const stop = new AbortController()
    const readiness = Promise.all([a, b, c].map(async (url) => {
      const statuses: number[] = []
      while (!stop.signal.aborted) statuses.push((await fetch(`${url}/health/ready`)).status)
      return statuses
    }))
    const kid = kidOf(body.access_token as string)
    const revoked = await runAuthCli('keys', ['revoke', kid], set.authEnv).finally(() => stop.abort())
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toContain(`key_revoked ${kid}`)
    const answers = await readiness
    expect(answers.map((statuses) => statuses.filter((status) => status !== 200))).toEqual([[], [], []])
    expect(Math.min(...answers.map((statuses) => statuses.length))).toBeGreaterThan(10)
    // The CLI made the replacement key; every replica drops the revoked one and publishes that one.
    const replacement = /key_activated (\S+)/.exec(revoked.stdout)?.[1] as string
    await expect.poll(async () => (await agreedJwks(set as ReplicaSet))?.[0]?.kids, { timeout: 1000, interval: 50 }).toEqual([replacement])
    const signers = await Promise.all([a, b, c].map(async (url) => kidOf(await tokenFor(url, 'Jane', 'pass123'))))
    expect(signers).toEqual([replacement, replacement, replacement])
  })
})
