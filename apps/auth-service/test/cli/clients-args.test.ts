import { describe, expect, it } from 'vitest'
import { clientIdProblem, jwksUriProblem, normalizeScope, parseClientsArgs } from '../../src/cli/clients-args.js'

const ADD_USAGE = 'add takes one client id: add <client_id> [--scope "<scopes>"] [--audience <aud>] [--auth <method>] [--jwks-uri <url> | --jwks-file <file>]'
const basic = { command: 'add', scope: 'reports:read', audience: undefined, authMethod: 'client_secret_basic', keys: undefined, browser: undefined, ifAbsent: false, requireDpop: false } as const

describe('clients CLI arguments', () => {
  it.each<[string[], ReturnType<typeof parseClientsArgs>]>([
    [['add', 'reports-bot'], { ...basic, clientId: 'reports-bot' }],
    [['add', 'reports-bot', '--scope', 'reports:read reports:write'], { ...basic, clientId: 'reports-bot', scope: 'reports:read reports:write' }],
    [['add', '--scope=reports:write', 'bot'], { ...basic, clientId: 'bot', scope: 'reports:write' }],
    // Repeats and extra spaces are dropped; the order given is kept.
    [['add', 'bot', '--scope', ' reports:write  reports:read reports:write '], { ...basic, clientId: 'bot', scope: 'reports:write reports:read' }],
    [['add', 'bot', '--audience', 'consumer-service'], { ...basic, clientId: 'bot', audience: 'consumer-service' }],
    [['add', 'bot', '--auth', 'client_secret_post'], { ...basic, clientId: 'bot', authMethod: 'client_secret_post' }],
    [['add', 'bot', '--jwks-file', 'keys.json'], { ...basic, clientId: 'bot', authMethod: 'private_key_jwt', keys: { jwksFile: 'keys.json' } }],
    [['add', 'bot', '--jwks-uri', 'https://bot.example/jwks.json'], { ...basic, clientId: 'bot', authMethod: 'private_key_jwt', keys: { jwksUri: 'https://bot.example/jwks.json' } }],
    [['add', 'bot', '--auth', 'private_key_jwt', '--jwks-uri', 'http://127.0.0.1:8080/jwks'], { ...basic, clientId: 'bot', authMethod: 'private_key_jwt', keys: { jwksUri: 'http://127.0.0.1:8080/jwks' } }],
    // A client id may start with "-"; a "--" makes even an option word one.
    [['add', '-bot'], { ...basic, clientId: '-bot' }],
    [['add', '--scope', 'reports:write', '--', '--json'], { ...basic, clientId: '--json', scope: 'reports:write' }],
    [['add', '--', '--', '--scope'], { ...basic, clientId: '--scope' }],
    // As `pnpm clients:add -- ...` and `pnpm exec ... -- add ...` pass them: that "--" is not the end of the options.
    [['add', '--', 'bot', '--scope', 'reports:write'], { ...basic, clientId: 'bot', scope: 'reports:write' }],
    [['--', 'add', 'bot'], { ...basic, clientId: 'bot' }],
    [['remove', '--', 'bot'], { command: 'remove', clientId: 'bot' }],
    [['list', '--', '--json'], { command: 'list', json: true }],
    // An option's value is taken whatever it looks like (then checked).
    [['add', 'bot', '--audience', '--json'], { ...basic, clientId: 'bot', audience: '--json' }],
    [['add', 'bot', '--require-dpop'], { ...basic, clientId: 'bot', requireDpop: true }],
    [['list'], { command: 'list', json: false }],
    [['list', '--json'], { command: 'list', json: true }],
    [['remove', 'bot'], { command: 'remove', clientId: 'bot' }],
    [['remove', '--json'], { command: 'remove', clientId: '--json' }],
    // A client people log in to: repeatable redirect URIs, flags, a name.
    [['add', 'spa', '--public', '--redirect-uri', 'https://app.example/cb', '--redirect-uri', 'http://127.0.0.1/cb'],
      { ...basic, clientId: 'spa', authMethod: 'none', browser: { redirectUris: ['https://app.example/cb', 'http://127.0.0.1/cb'], postLogoutRedirectUris: [], clientName: undefined, thirdParty: false, requirePar: false } }],
    [['add', 'web', '--redirect-uri=https://web.example/cb', '--post-logout-redirect-uri', 'https://web.example/', '--name', 'Web app', '--third-party', '--require-par'],
      { ...basic, clientId: 'web', browser: { redirectUris: ['https://web.example/cb'], postLogoutRedirectUris: ['https://web.example/'], clientName: 'Web app', thirdParty: true, requirePar: true } }],
    [['add', 'native', '--public', '--redirect-uri', 'http://[::1]:8000/cb', '--redirect-uri', 'http://localhost:3000/cb?x=1'],
      { ...basic, clientId: 'native', authMethod: 'none', browser: { redirectUris: ['http://[::1]:8000/cb', 'http://localhost:3000/cb?x=1'], postLogoutRedirectUris: [], clientName: undefined, thirdParty: false, requirePar: false } }],
    // openid, always allowed to a client people log in to, may be named (as in the README) and is not stored.
    [['add', 'app', '--public', '--redirect-uri', 'http://127.0.0.1:8765/callback', '--scope', 'openid reports:read reports:write'],
      { ...basic, clientId: 'app', authMethod: 'none', scope: 'reports:read reports:write', browser: { redirectUris: ['http://127.0.0.1:8765/callback'], postLogoutRedirectUris: [], clientName: undefined, thirdParty: false, requirePar: false } }],
    // An init step's registration: an existing client is no error.
    [['add', 'web-app', '--public', '--redirect-uri', 'http://localhost:8080/callback', '--if-absent'],
      { ...basic, clientId: 'web-app', authMethod: 'none', ifAbsent: true, browser: { redirectUris: ['http://localhost:8080/callback'], postLogoutRedirectUris: [], clientName: undefined, thirdParty: false, requirePar: false } }],
    [['add', 'bot', '--if-absent'], { ...basic, clientId: 'bot', ifAbsent: true }],
    // A Shared Signals receiver: its scope is set, its audience is the issuer's (chosen by the command).
    [['add', 'consumer-a', '--ssf-receiver'], { ...basic, clientId: 'consumer-a', scope: 'ssf.read ssf.manage', ssfReceiver: true }],
    [['add', 'consumer-a', '--ssf-receiver', '--auth', 'client_secret_post', '--if-absent'],
      { ...basic, clientId: 'consumer-a', scope: 'ssf.read ssf.manage', authMethod: 'client_secret_post', ifAbsent: true, ssfReceiver: true }],
    [['add', 'consumer-a', '--ssf-receiver', '--jwks-uri', 'https://consumer.example/jwks'],
      { ...basic, clientId: 'consumer-a', scope: 'ssf.read ssf.manage', authMethod: 'private_key_jwt', keys: { jwksUri: 'https://consumer.example/jwks' }, ssfReceiver: true }],
    // A deployment's registration: the new secret goes to a file, for the service it is for.
    [['add', 'consumer-a', '--ssf-receiver', '--if-absent', '--secret-file', '/run/signals/secret'],
      { ...basic, clientId: 'consumer-a', scope: 'ssf.read ssf.manage', ifAbsent: true, ssfReceiver: true, secretFile: '/run/signals/secret' }],
    [['add', 'bot', '--auth', 'client_secret_post', '--secret-file=bot.secret'],
      { ...basic, clientId: 'bot', authMethod: 'client_secret_post', secretFile: 'bot.secret' }],
    [['help'], { command: 'help' }],
    [['--help'], { command: 'help' }],
    [[], { command: 'usage' }]
  ])('reads %j', (argv, expected) => {
    expect(parseClientsArgs(argv)).toEqual(expected)
  })

  it.each<[string[], string]>([
    [['add'], ADD_USAGE],
    [['add', 'a', 'b'], ADD_USAGE],
    [['add', 'bot', '--json'], ADD_USAGE],
    [['add', 'bot', '--scope'], '--scope needs a value'],
    [['add', 'bot', '--scope', 'reports:read', '--scope', 'reports:write'], '--scope is given more than once'],
    [['add', 'bot', '--scope', 'admin'], 'unknown scope "admin": the known scopes are reports:read and reports:write'],
    [['add', 'bot', '--scope', 'reports:read openid profile'], 'unknown scope "openid", "profile": the known scopes are reports:read and reports:write'],
    [['add', 'app', '--redirect-uri', 'https://app.example/cb', '--scope', 'openid'], '--scope needs a scope besides openid (always allowed): reports:read and/or reports:write'],
    [['add', 'app', '--redirect-uri', 'https://app.example/cb', '--scope', 'openid profile'], 'unknown scope "profile": the known scopes are reports:read and reports:write'],
    [['add', 'bot', '--scope', 'REPORTS:READ'], 'unknown scope "REPORTS:READ": the known scopes are reports:read and reports:write'],
    [['add', 'bot', '--scope', ' '], '--scope needs at least one scope: reports:read and/or reports:write'],
    [['add', 'bot', '--audience', ''], 'an audience must be 1 to 200 characters'],
    [['add', 'bot', '--audience', 'two words'], 'an audience must not contain whitespace or control characters'],
    [['add', 'bot', '--auth', 'none'], 'unknown --auth "none": use client_secret_basic, client_secret_post, private_key_jwt'],
    [['add', 'bot', '--auth', 'private_key_jwt'], 'private_key_jwt needs the client\'s public keys: --jwks-uri <url> or --jwks-file <file>'],
    [['add', 'bot', '--auth', 'client_secret_basic', '--jwks-file', 'k.json'], '--jwks-uri and --jwks-file are for private_key_jwt, not client_secret_basic'],
    [['add', 'bot', '--jwks-file', 'k.json', '--jwks-uri', 'https://bot.example/jwks'], 'give either --jwks-uri or --jwks-file, not both'],
    [['add', 'bot', '--jwks-uri', 'http://bot.example/jwks'], '--jwks-uri must be https (plain http only on loopback), got http://bot.example'],
    [['add', 'bot', '--jwks-file', ''], '--jwks-file needs a file name'],
    [['add', 'bad id'], 'a client id may only contain letters, digits, ".", "_" and "-", got "bad id"'],
    [['list', 'bot'], 'list takes no arguments but --json, got "bot"'],
    [['remove'], 'remove takes one client id: remove <client_id>'],
    [['remove', 'a', 'b'], 'remove takes one client id: remove <client_id>'],
    [['delete', 'bot'], 'unknown command "delete": use add, list or remove'],
    [['add', 'spa', '--redirect-uri', 'http://app.example/cb'], '--redirect-uri must be https (plain http only on loopback: 127.0.0.1, [::1], localhost), got "http://app.example/cb"'],
    [['add', 'spa', '--redirect-uri', 'https://app.example/cb#x'], '--redirect-uri must not have a fragment (#): "https://app.example/cb#x"'],
    [['add', 'spa', '--redirect-uri', '/cb'], '--redirect-uri is not an absolute URL: "/cb"'],
    [['add', 'spa', '--redirect-uri', 'javascript:alert(1)'], '--redirect-uri must be https (plain http only on loopback: 127.0.0.1, [::1], localhost), got "javascript:alert(1)"'],
    [['add', 'spa', '--redirect-uri', 'https://u:p@app.example/cb'], '--redirect-uri must not carry credentials'],
    [['add', 'spa', '--redirect-uri', 'https://app.example/cb', '--post-logout-redirect-uri', 'http://app.example/'], '--post-logout-redirect-uri must be https (plain http only on loopback: 127.0.0.1, [::1], localhost), got "http://app.example/"'],
    [['add', 'spa', '--redirect-uri'], '--redirect-uri needs a value'],
    [['add', 'spa', '--public'], '--public is for clients that log people in: give --redirect-uri too'],
    [['add', 'bot', '--secret-file', ''], '--secret-file needs a file name'],
    [['add', 'bot', '--jwks-uri', 'https://bot.example/jwks', '--secret-file', 'f'],
      '--secret-file is for a client with a secret (client_secret_basic or _post)'],
    [['add', 'spa', '--public', '--redirect-uri', 'https://a.example/cb', '--secret-file', 'f'],
      '--secret-file is for a client with a secret (client_secret_basic or _post)'],
    [['add', 'spa', '--third-party'], '--third-party is for clients that log people in: give --redirect-uri too'],
    [['add', 'spa', '--require-par'], '--require-par is for clients that log people in: give --redirect-uri too'],
    [['add', 'spa', '--name', 'x'], '--name is for clients that log people in: give --redirect-uri too'],
    [['add', 'spa', '--post-logout-redirect-uri', 'https://a.example/'], '--post-logout-redirect-uri is for clients that log people in: give --redirect-uri too'],
    [['add', 'spa', '--public', '--auth', 'client_secret_post', '--redirect-uri', 'https://a.example/cb'], '--public has no credentials: leave out --auth, --jwks-uri and --jwks-file'],
    [['add', 'spa', '--redirect-uri', 'https://a.example/cb', '--name', ' '], '--name must be 1 to 100 characters, without control characters'],
    [['add', 'spa', '--redirect-uri', 'https://a.example/cb', '--name', 'a', '--name', 'b'], '--name is given more than once'],
    ...[
      ['--scope', 'reports:read'], ['--audience', 'consumer-service'], ['--public'], ['--redirect-uri', 'https://a.example/cb'],
      ['--require-dpop'], ['--name', 'x'], ['--third-party'], ['--require-par'], ['--post-logout-redirect-uri', 'https://a.example/']
    ].map((extra): [string[], string] => [['add', 'consumer-a', '--ssf-receiver', ...extra],
      `--ssf-receiver registers a machine client with its own scope (ssf.read ssf.manage), audience (the issuer) and bearer tokens: leave out ${extra[0]}`]),
    [['add', 'consumer-a', '--ssf-receiver', '--public', '--scope', 'ssf.read', '--redirect-uri', 'https://a.example/cb'],
      '--ssf-receiver registers a machine client with its own scope (ssf.read ssf.manage), audience (the issuer) and bearer tokens: leave out --redirect-uri, --scope, --public'],
    // Without --ssf-receiver, the SSF scopes are no client's to ask for.
    [['add', 'bot', '--scope', 'ssf.read ssf.manage'], 'unknown scope "ssf.read", "ssf.manage": the known scopes are reports:read and reports:write']
  ])('refuses %j as a usage error', (argv, problem) => {
    expect(parseClientsArgs(argv)).toEqual({ command: 'usage', problem })
  })
})

describe('client ids', () => {
  it.each(['a', 'reports-bot', 'Bot_1.2', '-leading-dash', 'x'.repeat(64)])('accepts %j', (clientId) => {
    expect(clientIdProblem(clientId)).toBeUndefined()
  })

  it.each<[string, string]>([
    ['', 'a client id must not be empty'],
    ['x'.repeat(65), 'a client id must be at most 64 characters, got 65'],
    ['bot:1', 'a client id may only contain letters, digits, ".", "_" and "-", got "bot:1"'],
    ['bot/1', 'a client id may only contain letters, digits, ".", "_" and "-", got "bot/1"'],
    ['bötchen', 'a client id may only contain letters, digits, ".", "_" and "-", got "bötchen"'],
    ['bot\n', 'a client id may only contain letters, digits, ".", "_" and "-", got "bot\n"']
  ])('refuses %j', (clientId, problem) => {
    expect(clientIdProblem(clientId)).toBe(problem)
  })
})

describe('scopes', () => {
  it('keeps the known scopes in the order given, each once', () => {
    expect(normalizeScope('reports:write reports:read reports:write')).toEqual({ scope: 'reports:write reports:read' })
  })
})

describe('JWKS URIs', () => {
  it.each(['https://bot.example/jwks.json', 'https://10.0.0.1:8443/jwks', 'http://127.0.0.1:8080/jwks', 'http://127.1.2.3/jwks', 'http://localhost/jwks', 'http://[::1]:9000/jwks'])('accepts %s', (uri) => {
    expect(jwksUriProblem(uri)).toBeUndefined()
  })

  it.each<[string, string]>([
    ['not a url', '--jwks-uri is not a URL: "not a url"'],
    ['http://bot.example/jwks', '--jwks-uri must be https (plain http only on loopback), got http://bot.example'],
    ['http://10.0.0.1/jwks', '--jwks-uri must be https (plain http only on loopback), got http://10.0.0.1'],
    ['http://localhost.bot.example/jwks', '--jwks-uri must be https (plain http only on loopback), got http://localhost.bot.example'],
    ['file:///etc/jwks.json', '--jwks-uri must be https (plain http only on loopback), got file://'],
    ['https://user:pass@bot.example/jwks', '--jwks-uri must not carry credentials']
  ])('refuses %s', (uri, problem) => {
    expect(jwksUriProblem(uri)).toBe(problem)
  })
})
