import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { CAEP_SESSION_REVOKED, SecurityEventClaimsSchema, SET_TYP } from '@repo/contracts/ssf'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { createKeyLifecycle } from '../../src/keys/create-key-lifecycle.js'
import { KeyRing } from '../../src/keys/key-ring.js'
import { Delivery } from '../../src/signals/delivery.js'
import { createSetSigner } from '../../src/signals/set-signer.js'
import { ENGINES, type Engine } from '../databases.js'
import { testCustody } from '../test-custody.js'
import { ISSUER, NEVER, newStream, openEngine, sessionRevoked, setsOf, T0 } from './engine-fixture.js'

const POLICY = { alg: 'RS256' as const, rotationIntervalMs: 86_400_000, prepublishMs: 0, retireAfterMs: 60_000 }
const claimsValid = Compile(SecurityEventClaimsSchema)

async function keyRingOn (db: SqlDatabase): Promise<KeyRing> {
  const { store, lifecycle } = createKeyLifecycle(db, POLICY, testCustody)
  await lifecycle.tick(T0)
  const keyRing = new KeyRing(store, POLICY.alg, testCustody)
  await keyRing.refresh()
  return keyRing
}

describe.each(ENGINES)('SETs signed for a poll, on %s', (engine: Engine) => {
  it('verify with the published key as secevent+jwt, with exactly the SET claims (no sub, no exp)', async () => {
    const { db, log, streams, clock } = await openEngine(engine)
    const keyRing = await keyRingOn(db)
    const delivery = new Delivery({
      db,
      log,
      signSet: createSetSigner(keyRing),
      issuer: ISSUER,
      recheckMs: 1000,
      longPollTimeoutMs: 1000,
      now: clock.now
    })
    const stream = await newStream(streams)
    const id = await log.record({ ...sessionRevoked('u1'), txn: 'txn-7' })
    const answer = await delivery.poll(stream, { returnImmediately: true }, NEVER)
    const [jti, set] = Object.entries(setsOf(answer))[0]!
    const jwks = createLocalJWKSet({ keys: [...keyRing.jwks().keys] } as JSONWebKeySet)
    const { payload, protectedHeader } = await jwtVerify(set, jwks,
      { typ: SET_TYP, issuer: ISSUER, audience: 'receiver-a', currentDate: new Date(T0) })
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: keyRing.signingKey()!.kid, typ: SET_TYP })
    expect(payload).toEqual({
      iss: ISSUER,
      jti: `${id}.${stream.streamId}`,
      iat: T0 / 1000,
      aud: 'receiver-a',
      txn: 'txn-7',
      sub_id: { format: 'iss_sub', iss: ISSUER, sub: 'u1' },
      events: { [CAEP_SESSION_REVOKED]: sessionRevoked().payload }
    })
    expect(jti).toBe(payload.jti)
    expect(claimsValid.Check(payload)).toBe(true)
  })
})

describe('createSetSigner', () => {
  it('signs with the active key, and is refused where an access token is expected', async () => {
    const { db } = await openEngine('sqlite')
    const keyRing = await keyRingOn(db)
    const set = await createSetSigner(keyRing)({
      iss: ISSUER,
      jti: 'e.s',
      iat: T0 / 1000,
      aud: 'r',
      sub_id: { format: 'opaque', id: 's' },
      events: { [CAEP_SESSION_REVOKED]: {} }
    })
    expect(decodeProtectedHeader(set)).toEqual({ alg: 'RS256', kid: keyRing.signingKey()!.kid, typ: SET_TYP })
    const jwks = createLocalJWKSet({ keys: [...keyRing.jwks().keys] } as JSONWebKeySet)
    await expect(jwtVerify(set, jwks, { typ: 'at+jwt', currentDate: new Date(T0) }))
      .rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' })
  })

  it('refuses to sign without an active key (503 temporarily_unavailable)', async () => {
    const { db } = await openEngine('sqlite')
    const { store } = createKeyLifecycle(db, POLICY, testCustody)
    const signSet = createSetSigner(new KeyRing(store, POLICY.alg, testCustody))
    await expect(signSet({
      iss: ISSUER,
      jti: 'e.s',
      iat: 0,
      aud: 'r',
      sub_id: { format: 'opaque', id: 's' },
      events: { [CAEP_SESSION_REVOKED]: {} }
    })).rejects.toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE', statusCode: 503 })
  })
})
