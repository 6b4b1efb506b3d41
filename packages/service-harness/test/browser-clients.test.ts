import { describe, expect, it } from 'vitest'
import { browserClientArgs } from '../src/browser-clients.js'

describe('browserClientArgs', () => {
  it('registers a public client with the default scope and its redirect URIs', () => {
    expect(browserClientArgs({ clientId: 'web', redirectUris: ['http://127.0.0.1:5000/callback'] })).toEqual([
      'add', 'web', '--public', '--scope', 'openid reports:read reports:write',
      '--redirect-uri', 'http://127.0.0.1:5000/callback'
    ])
  })

  it('repeats each URI option and adds the optional flags', () => {
    expect(browserClientArgs({
      clientId: 'par-app',
      redirectUris: ['http://127.0.0.1:1/a', 'http://127.0.0.1:1/b'],
      postLogoutRedirectUris: ['http://127.0.0.1:1/out'],
      scope: 'openid',
      name: 'The PAR app',
      requirePar: true,
      thirdParty: true
    })).toEqual([
      'add', 'par-app', '--public', '--scope', 'openid',
      '--redirect-uri', 'http://127.0.0.1:1/a', '--redirect-uri', 'http://127.0.0.1:1/b',
      '--post-logout-redirect-uri', 'http://127.0.0.1:1/out',
      '--name', 'The PAR app', '--require-par', '--third-party'
    ])
  })
})
