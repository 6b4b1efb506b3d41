import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { describeAlgorithmSwitch } from '../../src/keys/algorithm-switch.js'
import { ENGINES, databaseEnv, freshLocation, type Engine } from '../databases.js'
import { AUDIENCE, ISSUER, buildTestApp, captureLogs, login } from '../helper.js'

const T0 = Date.UTC(2030, 0, 1)
const HOUR = 3_600_000

type App = Awaited<ReturnType<typeof buildTestApp>>

async function signedWith (app: App, at: number): Promise<string | undefined> {
  const token = (await login(app, 'Jane', 'pass123')).json().access_token as string
  const jwks = (await app.inject('/.well-known/jwks.json')).json()
  // Verifiable with the JWKS published at that moment: no consumer ever sees a token before its key.
  await jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(at) })
  return decodeProtectedHeader(token).alg
}

const publishedAlgs = async (app: App) =>
  (await app.inject('/.well-known/jwks.json')).json().keys.map((key: { alg: string }) => key.alg)

describe.each(ENGINES)('a change of SIGNING_ALG on an existing %s database', (engine: Engine) => {
  it('prepublishes the new key for KEY_PREPUBLISH, signing with the old one until then, and says when', async () => {
    const env = databaseEnv(await freshLocation(engine))
    let clock = T0
    const now = () => clock
    const rsa = await buildTestApp({ ...env, SIGNING_ALG: 'RS256' }, { now })
    expect(await signedWith(rsa, clock)).toBe('RS256')
    await rsa.close()

    clock = T0 + 60_000
    const switchAt = clock + HOUR
    const logs = captureLogs()
    const ec = await buildTestApp({ ...env, SIGNING_ALG: 'ES256', KEY_STATE_POLL: '50ms' }, { now, logger: logs.logger })
    expect(await publishedAlgs(ec)).toEqual(['RS256', 'ES256'])
    expect(await signedWith(ec, clock)).toBe('RS256')
    const line = logs.lines.map((text) => JSON.parse(text)).find((entry) => entry.event === 'signing_alg_switch_scheduled')
    expect(line).toMatchObject({ from: 'RS256', to: 'ES256', at: new Date(switchAt).toISOString() })
    expect(line.msg).toBe(
      'SIGNING_ALG changed from RS256 to ES256: the ES256 key is published now and signs from 2030-01-01T01:01:00.000Z ' +
      '(KEY_PREPUBLISH); until then tokens are signed with RS256')

    // Another replica started a millisecond before the switch still signs with RS256.
    clock = switchAt - 1
    const replica = await buildTestApp({ ...env, SIGNING_ALG: 'ES256', KEY_STATE_POLL: '50ms' }, { now })
    expect(await signedWith(replica, clock)).toBe('RS256')

    clock = switchAt
    // Each replica picks the switch up on its next key-state poll (whichever performs it).
    const signingAlgs = () => [ec, replica].map((app) => app.keyRing.signingKey()?.alg)
    await expect.poll(signingAlgs, { timeout: 5000 }).toEqual(['ES256', 'ES256'])
    expect(await signedWith(ec, clock)).toBe('ES256')
    expect(await signedWith(replica, clock)).toBe('ES256')
    expect(await publishedAlgs(ec)).toEqual(['RS256', 'ES256'])
  }, 20_000)
})

describe('describeAlgorithmSwitch', () => {
  it('names both algorithms and the time, in UTC', () => {
    expect(describeAlgorithmSwitch({ from: 'ES256', to: 'EdDSA', kid: 'k', at: Date.UTC(2031, 5, 2, 3, 4, 5) })).toBe(
      'SIGNING_ALG changed from ES256 to EdDSA: the EdDSA key is published now and signs from 2031-06-02T03:04:05.000Z ' +
      '(KEY_PREPUBLISH); until then tokens are signed with ES256')
  })
})
