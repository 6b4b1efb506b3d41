import { describe, expect, it } from 'vitest'
import { ConsentStore } from '../../src/sessions/consent-store.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'

const T0 = Date.UTC(2030, 0, 1)

describe.each(ENGINES)('ConsentStore on %s', (engine: Engine) => {
  const open = async () => new ConsentStore(await openTestDatabase(await freshLocation(engine)))

  it('covers what was granted, for that user and client only', async () => {
    const consents = await open()
    expect(await consents.covers('u1', 'app', 'openid')).toBe(false)
    await consents.grant('u1', 'app', 'openid reports:read', T0)
    expect(await consents.covers('u1', 'app', 'openid reports:read')).toBe(true)
    expect(await consents.covers('u1', 'app', 'reports:read')).toBe(true)
    expect(await consents.covers('u1', 'app', 'reports:read reports:write')).toBe(false)
    expect(await consents.covers('u2', 'app', 'openid')).toBe(false)
    expect(await consents.covers('u1', 'other-app', 'openid')).toBe(false)
  })

  it('adds a later grant to an earlier one', async () => {
    const consents = await open()
    await consents.grant('u1', 'app', 'openid', T0)
    await consents.grant('u1', 'app', 'reports:write', T0 + 1000)
    expect(await consents.covers('u1', 'app', 'openid reports:write')).toBe(true)
  })
})
