import { generateKeyPairSync } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { AddClientArgs } from '../../src/cli/clients-args.js'
import { SECRET_LINE_PREFIX, addClient, listClients, removeClient, type ClientsContext } from '../../src/cli/clients-commands.js'
import { ClientStore } from '../../src/clients/client-store.js'
import { openAuthDatabase } from '../../src/db/open-auth-database.js'
import { tempDataDir } from '../helper.js'
import { refusal } from './refusal.js'

const NOW = Date.parse('2030-01-01T00:00:00Z')

/** The commands on a fresh database, with what they print collected. */
async function context () {
  const dir = await tempDataDir()
  const db = await openAuthDatabase({ dataDir: dir })
  onTestFinished(() => db.close())
  const printed: string[] = []
  const ctx: ClientsContext = { store: new ClientStore(db), print: (line) => printed.push(line), defaultAudience: 'consumer-service', issuer: 'https://auth.example', tokenTtlSeconds: 900, now: () => NOW }
  return { ctx, printed, dir }
}

const args = (overrides: Partial<AddClientArgs> = {}): AddClientArgs => ({
  clientId: 'reports-bot', scope: 'reports:read', audience: undefined, authMethod: 'client_secret_basic', keys: undefined, browser: undefined, ifAbsent: false, requireDpop: false, ...overrides
})

describe('clients commands', () => {
  it.each(['client_secret_basic', 'client_secret_post'] as const)('adds a %s client and prints its secret once, on its own line', async (authMethod) => {
    const { ctx, printed } = await context()
    await addClient(ctx, args({ authMethod, audience: 'reports-api' }))
    expect(printed).toEqual([
      `added client reports-bot (${authMethod}; scope "reports:read"; audience reports-api; grant client_credentials)`,
      expect.stringMatching(/^client_secret \(shown once, store it now\): [A-Za-z0-9_-]{43}$/)
    ])
    const secret = (printed[1] as string).slice(SECRET_LINE_PREFIX.length)
    expect(await ctx.store.verifySecret('reports-bot', secret)).toBe(true)
    expect(await ctx.store.find('reports-bot')).toMatchObject({ authMethod, scope: 'reports:read', audience: 'reports-api', grantTypes: ['client_credentials'], createdAt: NOW })

    // Neither listing shows it again.
    await listClients(ctx, true)
    await listClients(ctx, false)
    expect(printed.slice(2).join('\n')).not.toContain(secret)
  })

  it('writes the secret of --secret-file to a new file, mode 0600, and never prints it', async () => {
    const { ctx, printed, dir } = await context()
    const file = join(dir, 'consumer-a.secret')
    await addClient(ctx, args({ clientId: 'consumer-a', scope: 'ssf.read ssf.manage', ssfReceiver: true, secretFile: file }))
    const secret = await readFile(file, 'utf8')
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await ctx.store.verifySecret('consumer-a', secret)).toBe(true)
    expect(printed.at(-1)).toBe(`client_secret written to ${file} (mode 0600; not shown)`)
    expect(printed.join('\n')).not.toContain(secret)

    // An existing file is never overwritten (it may hold a registered client's secret), and nothing is registered.
    expect(await refusal(() => addClient(ctx, args({ clientId: 'other', secretFile: file }))))
      .toEqual({ message: `--secret-file ${file} exists already: remove it, or name another file`, exitCode: 1 })
    expect(await ctx.store.find('other')).toBeUndefined()
    expect(await readFile(file, 'utf8')).toBe(secret)
    // A client that cannot be registered leaves no file behind.
    const second = join(dir, 'second.secret')
    expect(await refusal(() => addClient(ctx, args({ clientId: 'consumer-a', secretFile: second }))))
      .toEqual({ message: 'a client consumer-a already exists', exitCode: 1 })
    await expect(stat(second)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('gives a client without --audience the service\'s AUDIENCE', async () => {
    const { ctx } = await context()
    await addClient(ctx, args())
    expect((await ctx.store.find('reports-bot'))?.audience).toBe('consumer-service')
  })

  it('adds a private_key_jwt client from a JWKS file, with no secret, and lists it', async () => {
    const { ctx, printed, dir } = await context()
    const jwk = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'k1' }
    const file = join(dir, 'bot.jwks.json')
    await writeFile(file, JSON.stringify({ keys: [jwk] }))
    await addClient(ctx, args({ clientId: 'jwt-bot', authMethod: 'private_key_jwt', keys: { jwksFile: file }, scope: 'reports:read reports:write' }))
    expect(printed).toEqual(['added client jwt-bot (private_key_jwt; scope "reports:read reports:write"; audience consumer-service; grant client_credentials; 1 public key registered)'])
    expect((await ctx.store.find('jwt-bot'))?.jwks).toEqual({ keys: [jwk] })

    await addClient(ctx, args({ clientId: 'uri-bot', authMethod: 'private_key_jwt', keys: { jwksUri: 'https://bot.example/jwks' } }))
    expect(printed[1]).toBe('added client uri-bot (private_key_jwt; scope "reports:read"; audience consumer-service; grant client_credentials; keys from https://bot.example/jwks)')

    await listClients(ctx, true)
    expect(JSON.parse(printed[2] as string)).toEqual([
      { clientId: 'jwt-bot', authMethod: 'private_key_jwt', scope: 'reports:read reports:write', audience: 'consumer-service', grantTypes: ['client_credentials'], jwks: { keys: [jwk] }, dpopBoundAccessTokens: false, createdAt: NOW },
      { clientId: 'uri-bot', authMethod: 'private_key_jwt', scope: 'reports:read', audience: 'consumer-service', grantTypes: ['client_credentials'], jwksUri: 'https://bot.example/jwks', dpopBoundAccessTokens: false, createdAt: NOW }
    ])
    await listClients(ctx, false)
    expect(printed.slice(3).map((line) => line.split(/\s{2,}/))).toEqual([
      ['client_id', 'auth', 'scope', 'audience', 'keys', 'redirect_uris', 'dpop', 'ssf', 'resources', 'created'],
      ['jwt-bot', 'private_key_jwt', 'reports:read reports:write', 'consumer-service', '1 inline', '-', 'allowed', '-', '-', '2030-01-01T00:00:00Z'],
      ['uri-bot', 'private_key_jwt', 'reports:read', 'consumer-service', 'https://bot.example/jwks', '-', 'allowed', '-', '-', '2030-01-01T00:00:00Z']
    ])
  })

  it('refuses a client id that exists, before reading its key file, and changes nothing', async () => {
    const { ctx, printed } = await context()
    await addClient(ctx, args())
    const before = await ctx.store.find('reports-bot')
    expect(await refusal(() => addClient(ctx, args({ authMethod: 'private_key_jwt', keys: { jwksFile: '/nonexistent' } })))).toEqual({ message: 'a client reports-bot already exists', exitCode: 1 })
    expect(await ctx.store.find('reports-bot')).toEqual(before)
    expect(printed).toHaveLength(2)
  })

  it('with --if-absent, leaves a client that exists as it is and says so, without an error', async () => {
    const { ctx, printed } = await context()
    await addClient(ctx, args())
    const before = await ctx.store.find('reports-bot')
    await addClient(ctx, args({ ifAbsent: true, scope: 'reports:read reports:write' }))
    expect(await ctx.store.find('reports-bot')).toEqual(before)
    expect(printed.slice(2)).toEqual([
      'client reports-bot is registered already: left as it is (remove it, then add it, to change it)'
    ])
  })

  it('with --if-absent, says so when another process registers the client between the check and the insert', async () => {
    const { ctx, printed } = await context()
    const find = ctx.store.find.bind(ctx.store)
    // The other process's insert lands after this one's lookup.
    ctx.store.find = async (clientId) => {
      const found = await find(clientId)
      await ctx.store.add({
        clientId,
        authMethod: 'none',
        scope: 'reports:read',
        audience: 'consumer-service',
        grantTypes: ['client_credentials'],
        jwks: undefined,
        jwksUri: undefined
      }, NOW)
      return found
    }
    await addClient(ctx, args({ ifAbsent: true }))
    expect(printed).toEqual([
      'client reports-bot is registered already: left as it is (remove it, then add it, to change it)'
    ])
  })

  it('refuses a JWKS file with a private key, registering nothing', async () => {
    const { ctx, printed, dir } = await context()
    const file = join(dir, 'private.json')
    await writeFile(file, JSON.stringify({ keys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })] }))
    expect(await refusal(() => addClient(ctx, args({ authMethod: 'private_key_jwt', keys: { jwksFile: file } })))).toEqual({
      message: `${file}: the JWKS is refused: key 0 has private members (d): register only the public half of a key pair`, exitCode: 1
    })
    expect(await ctx.store.list()).toEqual([])
    expect(printed).toEqual([])
  })

  it('adds a public browser client: no secret, the code flow, its redirect URIs listed', async () => {
    const { ctx, printed } = await context()
    const browser = {
      redirectUris: ['https://app.example/cb', 'http://127.0.0.1/cb'],
      postLogoutRedirectUris: ['https://app.example/'],
      clientName: 'Reports app',
      thirdParty: true,
      requirePar: true
    }
    await addClient(ctx, args({ clientId: 'spa', authMethod: 'none', browser }))
    expect(printed).toEqual(['added client spa (none; scope "reports:read"; audience consumer-service; ' +
      'grant authorization_code refresh_token; redirect URIs https://app.example/cb http://127.0.0.1/cb; ' +
      'third-party (asks for consent); pushed requests only)'])
    expect(await ctx.store.find('spa')).toMatchObject({ authMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'], ...browser })
    await listClients(ctx, true)
    expect(JSON.parse(printed[1] as string)).toEqual([{
      clientId: 'spa',
      authMethod: 'none',
      scope: 'reports:read',
      audience: 'consumer-service',
      grantTypes: ['authorization_code', 'refresh_token'],
      ...browser,
      dpopBoundAccessTokens: false,
      createdAt: NOW
    }])
    await listClients(ctx, false)
    expect(printed[3]?.split(/\s{2,}/)).toEqual(['spa', 'none', 'reports:read', 'consumer-service', '-',
      'https://app.example/cb http://127.0.0.1/cb (third-party) (PAR)', 'allowed', '-', '-', '2030-01-01T00:00:00Z'])
  })

  it('adds a client with --require-dpop: stored, said, and listed', async () => {
    const { ctx, printed } = await context()
    await addClient(ctx, args({ clientId: 'bound-bot', requireDpop: true }))
    expect(printed[0]).toBe('added client bound-bot (client_secret_basic; scope "reports:read"; audience consumer-service; ' +
      'grant client_credentials; DPoP-bound tokens only)')
    expect((await ctx.store.find('bound-bot'))?.dpopBoundAccessTokens).toBe(true)
    await listClients(ctx, true)
    expect(JSON.parse(printed[2] as string)).toMatchObject([{ clientId: 'bound-bot', dpopBoundAccessTokens: true }])
    await listClients(ctx, false)
    expect(printed[4]?.split(/\s{2,}/)).toEqual(['bound-bot', 'client_secret_basic', 'reports:read', 'consumer-service', '-', '-',
      'required', '-', '-', '2030-01-01T00:00:00Z'])
  })

  it('adds an SSF receiver: its tokens are for the issuer, with the SSF scopes; stored, said, and listed', async () => {
    const { ctx, printed } = await context()
    await addClient(ctx, args({ clientId: 'consumer-a', scope: 'ssf.read ssf.manage', ssfReceiver: true }))
    expect(printed[0]).toBe('added client consumer-a (client_secret_basic; scope "ssf.read ssf.manage"; audience https://auth.example; ' +
      'grant client_credentials; Shared Signals receiver: its streams at https://auth.example/ssf/streams)')
    expect(await ctx.store.find('consumer-a')).toMatchObject({
      scope: 'ssf.read ssf.manage', audience: 'https://auth.example', grantTypes: ['client_credentials'], ssfReceiver: true
    })
    await addClient(ctx, args({ clientId: 'reports-bot' }))
    expect((await ctx.store.find('reports-bot'))?.ssfReceiver).toBe(false)
    await listClients(ctx, true)
    const listed = JSON.parse(printed[4] as string)
    expect(listed).toMatchObject([{ clientId: 'consumer-a', ssfReceiver: true }, { clientId: 'reports-bot' }])
    expect(listed[1]).not.toHaveProperty('ssfReceiver')
    await listClients(ctx, false)
    expect(printed.slice(5).map((line) => line.split(/\s{2,}/)[7])).toEqual(['ssf', 'receiver', '-'])
  })

  it('adds a client with --resource: stored exactly, said, and listed', async () => {
    const { ctx, printed } = await context()
    const resources = ['https://reports.example/api', 'urn:example:billing']
    await addClient(ctx, args({ clientId: 'multi-bot', resources }))
    expect(printed[0]).toBe('added client multi-bot (client_secret_basic; scope "reports:read"; audience consumer-service; ' +
      'grant client_credentials; resources https://reports.example/api urn:example:billing)')
    expect((await ctx.store.find('multi-bot'))?.resources).toEqual(resources)
    await listClients(ctx, true)
    expect(JSON.parse(printed[2] as string)).toMatchObject([{ clientId: 'multi-bot', resources }])
    await listClients(ctx, false)
    expect(printed[4]?.split(/\s{2,}/)).toEqual(['multi-bot', 'client_secret_basic', 'reports:read', 'consumer-service', '-', '-',
      'allowed', '-', 'https://reports.example/api urn:example:billing', '2030-01-01T00:00:00Z'])
  })

  it('adds a confidential browser client with a secret', async () => {
    const { ctx, printed } = await context()
    const browser = { redirectUris: ['https://web.example/cb'], postLogoutRedirectUris: [], clientName: undefined, thirdParty: false, requirePar: false }
    await addClient(ctx, args({ clientId: 'web', browser }))
    expect(printed[1]).toMatch(/^client_secret \(shown once, store it now\): /)
    expect((await ctx.store.find('web'))?.grantTypes).toEqual(['authorization_code', 'refresh_token'])
  })

  it('removes a client, and refuses one it does not know', async () => {
    const { ctx, printed } = await context()
    await addClient(ctx, args())
    await removeClient(ctx, 'reports-bot')
    expect(printed[2]).toBe('removed client reports-bot; at consumers that receive no Shared Signals, access tokens already ' +
      'issued to it stay valid until they expire (within 900 s)')
    expect(await ctx.store.find('reports-bot')).toBeUndefined()
    expect(await refusal(() => removeClient(ctx, 'reports-bot'))).toEqual({ message: 'no client reports-bot', exitCode: 1 })
  })
})
