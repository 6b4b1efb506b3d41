import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/env.js'
import { parseTrustProxy, trustProxyOption } from '../src/trust-proxy.js'

describe('parseTrustProxy', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['10.0.0.2', ['10.0.0.2']],
    [' 10.0.0.0/8, 172.16.0.0/12 ,loopback', ['10.0.0.0/8', '172.16.0.0/12', 'loopback']],
    ['fd00::/8,::1,uniquelocal,linklocal', ['fd00::/8', '::1', 'uniquelocal', 'linklocal']]
  ])('reads %j as %j', (value, proxies) => {
    expect(parseTrustProxy(value)).toEqual(proxies)
  })

  it.each(['true', '1', '2', '10.0.0.0/33', '::/129', 'proxy.internal', '10.0.0.1/8/1', '10.0.0.0/x'])('refuses %j', (value) => {
    expect(() => parseTrustProxy(value)).toThrow(new ConfigError(
      `invalid configuration: TRUST_PROXY must list the proxies' addresses (IP or CIDR, or loopback, linklocal, uniquelocal), separated by commas, got "${value}"`
    ))
  })

  it('turns Fastify\'s trustProxy on only for a list', () => {
    expect(trustProxyOption([])).toEqual({ trustProxy: false })
    expect(trustProxyOption(['10.0.0.0/8'])).toEqual({ trustProxy: ['10.0.0.0/8'] })
  })
})
