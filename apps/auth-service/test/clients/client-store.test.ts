import { describe, expect, it } from 'vitest'
import { ClientStore, DuplicateClientError, type NewClient } from '../../src/clients/client-store.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'

const T0 = Date.UTC(2030, 0, 1)
const BOT: NewClient = { clientId: 'reports-bot', authMethod: 'client_secret_basic', jwks: undefined, jwksUri: undefined, scope: 'reports:read', audience: 'reports-api', grantTypes: ['client_credentials'] }

describe.each(ENGINES)('ClientStore on %s', (engine: Engine) => {
  const open = async () => new ClientStore(await openTestDatabase(await freshLocation(engine)))

  it('keeps a secret client\'s secret as a hash that only the secret matches', async () => {
    const clients = await open()
    const { secret } = await clients.add(BOT, T0)
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await clients.verifySecret('reports-bot', secret as string)).toBe(true)
    expect(await clients.verifySecret('reports-bot', `${secret as string}x`)).toBe(false)
    expect(await clients.verifySecret('nobody', secret as string)).toBe(false)
    expect(await clients.find('reports-bot')).toEqual({
      ...BOT,
      clientName: undefined,
      redirectUris: [],
      postLogoutRedirectUris: [],
      thirdParty: false,
      requirePar: false,
      dpopBoundAccessTokens: false,
      ssfReceiver: false,
      resources: [],
      createdAt: T0
    })
  })

  it('authenticates a client and its secret with one lookup, whatever is wrong', async () => {
    const clients = await open()
    const { secret } = await clients.add(BOT, T0)
    await clients.add({ ...BOT, clientId: 'jwt-bot', authMethod: 'private_key_jwt', jwks: { keys: [] } }, T0)
    const found = await clients.find('reports-bot')
    expect(await clients.authenticate('reports-bot', secret as string)).toEqual({ client: found, secretMatches: true })
    expect(await clients.authenticate('reports-bot', `${secret as string}x`))
      .toEqual({ client: found, secretMatches: false })
    expect(await clients.authenticate('nobody', secret as string)).toEqual({ client: undefined, secretMatches: false })
    expect((await clients.authenticate('jwt-bot', secret as string)).secretMatches).toBe(false)
  })

  it('refuses a second client with the same id', async () => {
    const clients = await open()
    await clients.add(BOT, T0)
    await expect(clients.add({ ...BOT, scope: 'admin' }, T0)).rejects.toBeInstanceOf(DuplicateClientError)
    expect((await clients.list()).map((client) => client.scope)).toEqual(['reports:read'])
  })

  it('stores a private_key_jwt client\'s keys without a secret, and removes clients', async () => {
    const clients = await open()
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' }] }
    expect(await clients.add({ ...BOT, clientId: 'jwt-bot', authMethod: 'private_key_jwt', jwks }, T0)).toEqual({ secret: undefined })
    expect((await clients.find('jwt-bot'))?.jwks).toEqual(jwks)
    expect(await clients.remove('jwt-bot')).toBe(true)
    expect(await clients.remove('jwt-bot')).toBe(false)
  })

  it('keeps a browser client\'s redirect URIs exactly, and its flags', async () => {
    const clients = await open()
    const browser = {
      ...BOT,
      clientId: 'spa',
      authMethod: 'none' as const,
      clientName: 'Reports app',
      redirectUris: ['http://127.0.0.1:8080/callback', 'https://app.example/cb?x=1'],
      postLogoutRedirectUris: ['https://app.example/'],
      thirdParty: true,
      requirePar: true,
      dpopBoundAccessTokens: true,
      ssfReceiver: false,
      resources: ['https://api.example/reports', 'https://api.example/reports/']
    }
    await clients.add(browser, T0)
    expect(await clients.find('spa')).toEqual({ ...browser, createdAt: T0 })
  })

  it('keeps whether a client is a Shared Signals receiver', async () => {
    const clients = await open()
    await clients.add({ ...BOT, clientId: 'consumer-a', ssfReceiver: true }, T0)
    await clients.add({ ...BOT, clientId: 'reports-bot' }, T0)
    expect((await clients.list()).map(({ clientId, ssfReceiver }) => [clientId, ssfReceiver]))
      .toEqual([['consumer-a', true], ['reports-bot', false]])
  })

  it('accepts an assertion jti once until it expires', async () => {
    const clients = await open()
    expect(await clients.rememberAssertion('jwt-bot', 'j1', T0 + 60_000, T0)).toBe(true)
    expect(await clients.rememberAssertion('jwt-bot', 'j1', T0 + 60_000, T0 + 1)).toBe(false)
    expect(await clients.rememberAssertion('other-bot', 'j1', T0 + 60_000, T0 + 1)).toBe(true)
  })

  it('takes over an expired jti the purge has not deleted yet, and only an expired one', async () => {
    const clients = await open()
    expect(await clients.rememberAssertion('jwt-bot', 'j1', T0 + 60_000, T0)).toBe(true)
    expect(await clients.rememberAssertion('jwt-bot', 'j1', T0 + 120_000, T0 + 60_000)).toBe(false)
    expect(await clients.rememberAssertion('jwt-bot', 'j1', T0 + 120_000, T0 + 60_001)).toBe(true)
    expect(await clients.rememberAssertion('jwt-bot', 'j1', T0 + 120_000, T0 + 60_002)).toBe(false)
  })
})
