import { createRequire } from 'node:module'
import buildGetJwks from 'get-jwks'
import { describe, expect, it } from 'vitest'
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
  const getJwk = (kid: string) => getJwks.getJwk({ domain, alg: undefined as unknown as string, kid })
  const remove = (kid: string) => {
    issuer.state.published = issuer.state.published.filter((jwk) => (jwk as { kid: string }).kid !== kid)
  }
  return { issuer, getJwks, getJwk, remove }
}

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
