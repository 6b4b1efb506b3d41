import { ConfigError } from '@repo/service-kit/env'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/server/config.js'

describe('the web app\'s configuration', () => {
  it('listens on 127.0.0.1:8080 for the default local stack', () => {
    expect(loadConfig({})).toMatchObject({
      host: '127.0.0.1', port: 8080, issuer: 'http://localhost:3001', consumerUrl: 'http://localhost:3000', clientId: 'web-app'
    })
  })

  it('takes the issuer, the consumer and the client id from the environment, as origins', () => {
    expect(loadConfig({ ISSUER: 'https://auth.example/', CONSUMER_URL: 'https://api.example', CLIENT_ID: 'spa' }))
      .toMatchObject({ issuer: 'https://auth.example', consumerUrl: 'https://api.example', clientId: 'spa' })
  })

  it('refuses what the CSP and the page cannot use: no URL, another scheme, a path', () => {
    expect(() => loadConfig({ ISSUER: 'auth.example' })).toThrow(ConfigError)
    expect(() => loadConfig({ ISSUER: 'ftp://auth.example' })).toThrow(/ISSUER must be an http\(s\) origin/)
    expect(() => loadConfig({ CONSUMER_URL: 'https://api.example/v1' })).toThrow(/CONSUMER_URL must be an http\(s\) origin/)
  })
})
