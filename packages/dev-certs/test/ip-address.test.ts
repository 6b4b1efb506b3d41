import { describe, expect, it } from 'vitest'
import { ipAddressBytes } from '../src/ip-address.js'

describe('ipAddressBytes', () => {
  it.each([
    ['127.0.0.1', '7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['fd00:1::2', 'fd000001000000000000000000000002'],
    ['2001:db8:0:0:1:0:0:1', '20010db8000000000001000000000001'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001']
  ])('%s is %s', (address, hex) => {
    expect(Buffer.from(ipAddressBytes(address)).toString('hex')).toBe(hex)
  })

  it('refuses what is not an address', () => {
    expect(() => ipAddressBytes('localhost')).toThrow(new Error('"localhost" is not an IP address'))
  })
})
