import { describe, expect, it, vi } from 'vitest'
import { login, tokenFor } from '@repo/service-harness/http'
import { keyEvents, runAuthCli, type KeyHistoryEvent, type ServiceProcess } from '@repo/service-harness/service-process'
import { startBurst } from '../src/burst.js'
import { kidOf, servedJwks, watchPublishedKids } from '../src/jwks.js'
import { keepTokenFresh, runLoad } from '../src/load.js'
import { refresh } from '../src/oauth-requests.js'
import { replicaSuite } from '../src/replicas.js'

const FAST_KEYS = { JWKS_MAX_AGE: '1s', KEY_PREPUBLISH: '2s', KEY_STATE_POLL: '100ms', CLOCK_TOLERANCE: '0s', LOGIN_RATE_LIMIT: '100000/1m', OAUTH_RATE_LIMIT: '100000/1m' }
const FAST_CONSUMER = { JWKS_CACHE_TTL: '1s', JWKS_COOLDOWN: '1s', CLOCK_TOLERANCE: '0s' }

interface ListedKey { kid: string, state: 'next' | 'active' | 'retiring' | 'retired', createdAt: number, activatedAt: number | null }

async function cliJson<T> (name: 'keys' | 'users', env: Record<string, string>): Promise<T> {
  const listed = await runAuthCli(name, ['list', '--json'], env)
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as T
}

/** The lifecycle events a key in `state` has been through, as `event kid` lines. */
const HISTORY: Record<ListedKey['state'], string[]> = {
  next: ['key_created'],
  active: ['key_created', 'key_activated'],
  retiring: ['key_created', 'key_activated', 'key_retiring'],
  retired: ['key_created', 'key_activated', 'key_retiring', 'key_retired']
}

describe('auth-service replicas racing and failing on one PostgreSQL database', () => {
  const suite = replicaSuite()

  it('performs each lifecycle transition exactly once when replicas start together and tick on one schedule', async () => {
    // A 3 s rotation: by 6 s the first key has been created, activated, replaced and retired, the second replaced.
    // Every replica polls every 50 ms, and every change wakes all of them at once (LISTEN/NOTIFY).
    const set = await suite.start({
      authEnv: { ...FAST_KEYS, KEY_STATE_POLL: '50ms', KEY_ROTATION_INTERVAL: '3s', TOKEN_TTL: '1s', KEY_RETIRE_AFTER: '3s' },
      consumer: false
    })
    const { replicas } = set
    // Until the first key has left the JWKS and the third signs (both due 6 s after the start).
    const count = (events: KeyHistoryEvent[], name: string) => events.filter((event) => event.event === name).length
    await vi.waitUntil(async () => {
      const events = await keyEvents(set.authEnv)
      return count(events, 'key_retired') >= 1 && count(events, 'key_activated') >= 3
    }, { timeout: 15_000, interval: 100 })
    // Stopped, nothing moves any more.
    await Promise.all(replicas.map((replica) => replica.stop()))

    const keys = await cliJson<ListedKey[]>('keys', set.authEnv)
    const events = await keyEvents(set.authEnv)
    const performed = events.map((event) => `${event.event} ${event.kid}`).sort()
    const expected = keys.flatMap((key) => HISTORY[key.state].map((event) => `${event} ${key.kid}`)).sort()
    const byReplica = replicas.map((replica) => events.filter((event) => event.by === replica.instanceId).length)
    console.log(`replicas: ${performed.length} transitions of ${keys.length} keys, performed ${JSON.stringify(byReplica)} by the three replicas`)
    expect(performed).toEqual(expected)
    // Every one of them performed by one of the replicas.
    expect(byReplica.reduce((sum, n) => sum + n, 0)).toBe(events.length)
    // And no transition was made twice under another name: no key more than the schedule makes.
    expect(['retired retiring active', 'retired retiring active next']).toContain(keys.map((key) => key.state).join(' '))
    // On schedule: each key signed for a whole rotation interval before its successor took over.
    const activations = keys.map((key) => key.activatedAt).filter((at): at is number => at !== null)
    for (let i = 1; i < activations.length; i++) expect((activations[i] as number) - (activations[i - 1] as number)).toBeGreaterThanOrEqual(3000)
  })

  it('loses nothing committed when a replica is killed (kill -9) mid-rotation and mid-burst, and the survivors carry on', async () => {
    const set = await suite.start({ authEnv: FAST_KEYS, consumerEnv: FAST_CONSUMER })
    const { replicas, authEnv } = set
    const consumer = set.consumer as ServiceProcess
    const [victim, ...survivors] = replicas.map((replica) => replica.url) as [string, string, string]
    const stop = new AbortController()
    // The consumer's traffic uses tokens from the survivors; it reads the JWKS through the balancer, which
    // goes around a dead replica as a load balancer's health check would.
    let turn = 0
    const tokens = keepTokenFresh(() => tokenFor(survivors[turn++ % 2] as string, 'Jane', 'pass123'), 100, stop.signal)
    const published = watchPublishedKids(replicas.map((replica) => replica.url), 100, stop.signal)
    const burst = startBurst([victim, ...survivors], authEnv, stop.signal)
    let load: ReturnType<typeof runLoad> | undefined
    try {
      await tokens.ready
      const oldKid = kidOf(tokens.state.token)
      load = runLoad(`${consumer.url}/api/v1/protected`, () => tokens.state.token, 4, stop.signal)
      const { userAdds, logins } = burst.progress
      // The burst is under way: a user added, logins answered, the consumer busy.
      await vi.waitUntil(() => userAdds.length >= 1 && logins.length >= 5 && (load?.progress.total ?? 0) >= 100, { timeout: 15_000, interval: 20 })

      const rotated = await runAuthCli('keys', ['rotate'], authEnv)
      expect(rotated.code, rotated.stderr).toBe(0)
      const newKid = /next key (\S+) is published/.exec(rotated.stdout)?.[1] as string
      // Mid-rotation: the victim publishes the next key, which signs 2 s from now.
      await expect.poll(async () => (await servedJwks(victim)).kids, { timeout: 1000, interval: 20 }).toEqual([oldKid, newKid])
      const succeeded = () => logins.filter((attempt) => attempt.status === 200).length
      const before = { userAdds: userAdds.length, logins: succeeded() }
      await replicas[0]?.kill()
      // Through the balancer, a full round of JWKS requests is answered: it goes around the dead replica.
      const round = await Promise.all(replicas.map(() => servedJwks(set.issuer)))
      expect(round.map((jwks) => jwks.kids)).toEqual(replicas.map(() => [oldKid, newKid]))

      // The survivors go on: they activate the next key, log users in, and the CLI adds users.
      await vi.waitUntil(() => tokens.state.seenKids.has(newKid) && userAdds.length >= before.userAdds + 1 && succeeded() >= before.logins + 5,
        { timeout: 15_000, interval: 50 })
      const switched = load.progress.total
      await vi.waitUntil(() => (load?.progress.total ?? 0) >= switched + 100, { timeout: 10_000, interval: 20 })
      stop.abort()
      const result = await load.done
      await Promise.all([tokens.done, published.done, burst.done])

      // The killed replica starts again meanwhile, on the same port and database.
      const restarting = set.restart(0)
      restarting.catch(() => {}) // awaited below; if an assertion fails first, stop() ends it
      const tally: Record<string, number> = {}
      for (const { url, status } of logins) {
        const outcome = `${url === victim ? 'victim' : 'survivors'} ${status}`
        tally[outcome] = (tally[outcome] ?? 0) + 1
      }
      console.log(`replicas: kill -9 mid-rotation: ${result.total} consumer requests (${result.non2xx} non-2xx), ${userAdds.length} users added, logins ${JSON.stringify(tally)}`)
      expect(result.errors).toEqual([])
      expect(result.non2xx).toBe(0)

      // No committed user lost: every `users add` that exited 0 (all of them: the CLI needs no replica) is listed.
      expect(userAdds.filter((add) => add.code !== 0)).toEqual([])
      const [listedUsers, keys] = await Promise.all([cliJson<Array<{ userName: string }>>('users', authEnv), cliJson<ListedKey[]>('keys', authEnv)])
      const users = listedUsers.map((user) => user.userName)
      expect(users).toEqual(expect.arrayContaining(userAdds.map((add) => add.userName)))
      expect(users).toHaveLength(2 + userAdds.length)

      // No key lost: every kid any replica published is stored, and the rotation completed once.
      expect([...published.kids]).toEqual([oldKid, newKid])
      expect(keys.map((key) => [key.kid, key.state])).toEqual([[oldKid, 'retiring'], [newKid, 'active']])
      const history = await keyEvents(authEnv)
      const activations = history.filter((event) => event.event === 'key_activated' && event.kid === newKid)
      expect(activations).toHaveLength(1)
      expect(set.started.map((replica) => replica.instanceId)).toContain(activations[0]?.by)

      // No refresh token lost: each one a 200 login returned (from the victim too, before it died) redeems once on a survivor.
      const refreshTokens = logins.flatMap((attempt) => attempt.status === 200 && attempt.refreshToken ? [attempt.refreshToken] : [])
      expect(logins.filter((attempt) => attempt.url !== victim && attempt.status !== 200)).toEqual([])
      const redeemed = await Promise.all(refreshTokens.map(async (token, i) => (await refresh(survivors[i % 2] as string, token)).status))
      expect(redeemed).toEqual(refreshTokens.map(() => 200))

      // The killed replica restarted cleanly on the same database and serves the same JWKS, signing with the new key.
      const restarted = await restarting
      const served = await Promise.all(replicas.map((replica) => servedJwks(replica.url)))
      expect(served.map((jwks) => jwks.body)).toEqual(replicas.map(() => served[1]?.body))
      expect(served.map((jwks) => jwks.etag)).toEqual(replicas.map(() => served[1]?.etag))
      expect(kidOf(await tokenFor(restarted.url, 'Jane', 'pass123'))).toBe(newKid)
      expect((await login(restarted.url, 'burst-1', 'password-1-long')).status).toBe(200)
      expect(restarted.output()).not.toMatch(/"level":(50|60)/)
      expect((await keyEvents(authEnv)).filter((event) => event.by === restarted.instanceId)).toEqual([])
    } finally {
      stop.abort()
      await Promise.all([load?.done, tokens.done, published.done, burst.done])
    }
  })
})
