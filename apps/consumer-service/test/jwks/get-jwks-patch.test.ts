import { createRequire } from 'node:module'
import buildGetJwks from 'get-jwks'
import { Agent, Dispatcher1Wrapper } from 'undici'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { fakeIssuer, manualClock } from '../helper.js'

/**
 * One test per hunk of patches/get-jwks@11.0.3.patch, against get-jwks itself: each fails on the
 * released 11.0.3 (checked by reverting the hunk), and each reads as the upstream bug report.
 */
async function setUp (options: Parameters<typeof buildGetJwks>[0] = {}) {
  const issuer = await fakeIssuer()
  const url = new URL(issuer.jwksUrl)
  const getJwks = buildGetJwks({ jwksPath: url.pathname, ...options })
  const domain = `${url.origin}/`
  // No `alg`: the patched declaration makes it optional, as get-jwks' code always has.
  const getJwk = (kid: string) => getJwks.getJwk({ domain, kid })
  const remove = (kid: string) => {
    issuer.state.published = issuer.state.published.filter((jwk) => (jwk as { kid: string }).kid !== kid)
  }
  const publishedKids = () => issuer.state.published.map((jwk) => (jwk as { kid: string }).kid).sort()
  return { issuer, getJwks, getJwk, remove, domain, publishedKids }
}

const kids = (jwks: ReadonlyArray<{ kid: string }>) => jwks.map(({ kid }) => kid).sort()

const failWith503 = (issuer: Awaited<ReturnType<typeof fakeIssuer>>) => {
  issuer.state.override = (request, response) => { response.writeHead(503, { 'content-type': 'application/json' }).end('{}') }
}

describe('get-jwks, as patched', () => {
  it('honours `timeout`: a JWKS that never answers fails instead of hanging (global fetch ignores a timeout option)', async () => {
    const { issuer, getJwk } = await setUp({ timeout: 200 })
    issuer.state.override = () => {} // accept the connection, never answer
    await expect(getJwk(issuer.keys.RS256.kid)).rejects.toMatchObject({ name: 'TimeoutError' })
  }, 5000)

  it('caches every key of a fetched set: one fetch serves the other kids too', async () => {
    const { issuer, getJwk } = await setUp()
    expect((await getJwk(issuer.keys.RS256.kid)).kid).toBe(issuer.keys.RS256.kid)
    expect((await getJwk(issuer.keys.ES256.kid)).kid).toBe(issuer.keys.ES256.kid)
    expect((await getJwk(issuer.keys.EdDSA.kid)).kid).toBe(issuer.keys.EdDSA.kid)
    expect(issuer.state.requests.jwks).toBe(1)
  })

  it('never serves a key the issuer stopped listing from its stale copy', async () => {
    const clock = manualClock()
    const { issuer, getJwk, remove } = await setUp({ ttl: 1000 })
    await getJwk(issuer.keys.RS256.kid)
    remove(issuer.keys.RS256.kid)
    await clock.advance(1001)
    await expect(getJwk(issuer.keys.RS256.kid)).rejects.toMatchObject({ code: 'JWK_NOT_FOUND' })
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it('does not re-arm a stale copy on every failed refresh: it ends staleTtl after the key expired', async () => {
    const clock = manualClock()
    const { issuer, getJwk } = await setUp({ ttl: 1000, staleTtl: 1000 })
    await getJwk(issuer.keys.RS256.kid)
    failWith503(issuer)
    await clock.advance(1001)
    // The issuer is down: the expired key stands in, as get-jwks intends...
    expect((await getJwk(issuer.keys.RS256.kid)).kid).toBe(issuer.keys.RS256.kid)
    await clock.advance(600)
    expect((await getJwk(issuer.keys.RS256.kid)).kid).toBe(issuer.keys.RS256.kid)
    // ...until staleTtl after it expired, however often a refresh fails meanwhile.
    await clock.advance(600)
    await expect(getJwk(issuer.keys.RS256.kid)).rejects.toMatchObject({ code: 'JWKS_REQUEST_FAILED' })
  })

  it('keeps an expired key usable through an outage for `staleTtl`, not only for `ttl`', async () => {
    const clock = manualClock()
    const { issuer, getJwk } = await setUp({ ttl: 1000, staleTtl: 60_000 })
    await getJwk(issuer.keys.ES256.kid)
    failWith503(issuer)
    await clock.advance(1001)
    expect((await getJwk(issuer.keys.ES256.kid)).kid).toBe(issuer.keys.ES256.kid)
    await clock.advance(30_000)
    expect((await getJwk(issuer.keys.ES256.kid)).kid).toBe(issuer.keys.ES256.kid)
  })

  it('converts an Ed25519 key with getPublicKey (jwk-to-pem has no OKP keys)', async () => {
    const { issuer, getJwks } = await setUp()
    const url = new URL(issuer.jwksUrl)
    const pem = await getJwks.getPublicKey({ domain: `${url.origin}/`, kid: issuer.keys.EdDSA.kid })
    expect(pem).toBe(issuer.keys.EdDSA.publicKey.export({ type: 'spki', format: 'pem' }))
  })

  it('needs no jwk-to-pem, so the workspace leaves it (and elliptic) out: pnpm overrides get-jwks>jwk-to-pem to "-"', () => {
    const fromGetJwks = createRequire(createRequire(import.meta.url).resolve('get-jwks'))
    expect(() => fromGetJwks.resolve('jwk-to-pem')).toThrow(/Cannot find module/)
  })
})

/**
 * The public methods a verifier needs to run get-jwks without reaching into its cache: one test
 * per promise each makes (docs/upstream/get-jwks.md). Each fails on the release, where the method
 * does not exist, and on the patch before these methods were added.
 */
describe('get-jwks, as patched: refresh, cachedKey and cachedKeys', () => {
  it('refresh(domain) fetches the set now and caches every key of it: later lookups fetch nothing', async () => {
    const { issuer, getJwks, getJwk, domain, publishedKids } = await setUp()
    expect(kids(await getJwks.refresh(domain))).toEqual(publishedKids())
    expect((await getJwk(issuer.keys.EdDSA.kid)).kid).toBe(issuer.keys.EdDSA.kid)
    expect((await getJwk(issuer.keys.RS256.kid)).kid).toBe(issuer.keys.RS256.kid)
    expect(issuer.state.requests.jwks).toBe(1)
  })

  it('refresh(domain) fetches even while every key is cached, and concurrent calls share one fetch', async () => {
    const { issuer, getJwks, getJwk, domain } = await setUp()
    await getJwk(issuer.keys.RS256.kid)
    const refreshes = await Promise.all([getJwks.refresh(domain), getJwks.refresh(domain), getJwks.refresh(domain)])
    expect(new Set(refreshes).size).toBe(1)
    expect(issuer.state.requests.jwks).toBe(2)
    await getJwks.refresh(domain)
    expect(issuer.state.requests.jwks).toBe(3)
  })

  it('refresh(domain) replaces the set: a key it no longer lists is forgotten at once, its stale copy too', async () => {
    const clock = manualClock()
    const { issuer, getJwks, getJwk, domain, remove, publishedKids } = await setUp({ ttl: 1000, staleTtl: 60_000 })
    await getJwks.refresh(domain)
    remove(issuer.keys.ES256.kid)
    await getJwks.refresh(domain)
    expect(getJwks.cachedKey({ domain, kid: issuer.keys.ES256.kid })).toBeUndefined()
    expect(kids(getJwks.cachedKeys(domain))).toEqual(publishedKids())

    // An expired key that the next set leaves out must not stay behind as an outage fallback.
    await clock.advance(1001)
    remove(issuer.keys.RS256.kid)
    await getJwks.refresh(domain)
    expect(getJwks.cachedKey({ domain, kid: issuer.keys.RS256.kid }, { stale: true })).toBeUndefined()
    failWith503(issuer)
    await expect(getJwk(issuer.keys.RS256.kid)).rejects.toMatchObject({ code: 'JWKS_REQUEST_FAILED' })
  })

  it('refresh(domain) rejects with get-jwks\' error when the fetch fails, keeping the cached set', async () => {
    const { issuer, getJwks, domain, publishedKids } = await setUp()
    await getJwks.refresh(domain)
    failWith503(issuer)
    await expect(getJwks.refresh(domain)).rejects.toMatchObject({ code: 'JWKS_REQUEST_FAILED' })
    expect(kids(getJwks.cachedKeys(domain))).toEqual(publishedKids())
  })

  it('refresh(domain) refuses a domain outside issuersWhitelist without a request', async () => {
    const { issuer, getJwks, domain } = await setUp({ issuersWhitelist: ['https://issuer.example/'] })
    await expect(getJwks.refresh(domain)).rejects.toMatchObject({ code: 'DOMAIN_NOT_ALLOWED' })
    expect(issuer.state.requests.jwks).toBe(0)
  })

  it('cachedKey answers from the cache alone: never fetches, never waits for a fetch under way', async () => {
    const { issuer, getJwks, getJwk, domain } = await setUp()
    const kid = issuer.keys.RS256.kid
    expect(getJwks.cachedKey({ domain, kid })).toBeUndefined()
    expect(issuer.state.requests.jwks).toBe(0)
    const pending = getJwk(kid)
    expect(getJwks.cachedKey({ domain, kid })).toBeUndefined()
    const jwk = await pending
    expect(getJwks.cachedKey({ domain, kid })).toBe(jwk)
    expect(getJwks.cachedKey({ domain, kid: issuer.keys.ES256.kid })?.kid).toBe(issuer.keys.ES256.kid)
    expect(getJwks.cachedKey({ domain, kid: 'unknown' })).toBeUndefined()
    expect(issuer.state.requests.jwks).toBe(1)
  })

  it('cachedKey({ stale: true }) reads the expired copy that getJwk falls back to in an outage', async () => {
    const clock = manualClock()
    const { issuer, getJwks, domain } = await setUp({ ttl: 1000, staleTtl: 60_000 })
    const kid = issuer.keys.ES256.kid
    await getJwks.refresh(domain)
    expect(getJwks.cachedKey({ domain, kid }, { stale: true })).toBeUndefined()
    await clock.advance(1001)
    expect(getJwks.cachedKey({ domain, kid })).toBeUndefined()
    expect(getJwks.cachedKey({ domain, kid }, { stale: true })?.kid).toBe(kid)
    expect(issuer.state.requests.jwks).toBe(1)
  })

  it('cachedKeys(domain) lists the keys cached for that domain, fresh or (stale: true) expired', async () => {
    const clock = manualClock()
    const { issuer, getJwks, domain, publishedKids } = await setUp({ ttl: 1000, staleTtl: 60_000 })
    expect(getJwks.cachedKeys(domain)).toEqual([])
    await getJwks.refresh(domain)
    expect(kids(getJwks.cachedKeys(domain))).toEqual(publishedKids())
    expect(getJwks.cachedKeys('https://other.example/')).toEqual([])
    await clock.advance(1001)
    expect(getJwks.cachedKeys(domain)).toEqual([])
    expect(kids(getJwks.cachedKeys(domain, { stale: true }))).toEqual(publishedKids())
    expect(issuer.state.requests.jwks).toBe(1)
  })

  it('builds the same cache keys as the release while it remembers them for cachedKey', () => {
    const getJwks = buildGetJwks()
    const calls: Array<[string | undefined, string, string]> = [
      [undefined, 'a:b', 'https://one.example/'], ['RS256', 'a:b', 'https://one.example/'],
      [undefined, 'a:b', 'https://two.example/'], [undefined, 'a:b', 'https://one.example/']
    ]
    // As 11.0.3 builds them: each part URI-encoded (`undefined` too), joined by colons.
    const expected = (alg: string | undefined, kid: string, domain: string) =>
      [String(alg), kid, domain].map((part) => encodeURIComponent(part)).join(':')
    for (const [alg, kid, domain] of calls) {
      expect(getJwks.generateCacheKey(alg, kid, domain)).toBe(expected(alg, kid, domain))
    }
  })

  it('takes fetchOptions with any undici Dispatcher, typed: the options reach the request', async () => {
    const { issuer } = await setUp()
    const url = new URL(issuer.jwksUrl)
    // undici 8's Agent, wrapped for the undici 7 inside Node 24's fetch: a type undici-types does not know.
    const agent = new Dispatcher1Wrapper(new Agent())
    onTestFinished(() => agent.close())
    const dispatch = vi.spyOn(agent, 'dispatch')
    const getJwks = buildGetJwks({
      jwksPath: url.pathname,
      fetchOptions: { dispatcher: agent, headers: { accept: 'application/jwk-set+json' } }
    })
    await getJwks.refresh(`${url.origin}/`)
    expect(dispatch).toHaveBeenCalledOnce()
    expect(dispatch.mock.calls[0]?.[0]).toMatchObject({ path: url.pathname })
  })
})
