import { describe, expect, it } from 'vitest'
import { isLoopback } from '../src/client/loopback.js'

// Plain http to the issuer is allowed only where isLoopback says so: what it refuses matters most.
describe('isLoopback: where the page may talk plain http to the issuer', () => {
  it.each([
    'http://127.0.0.1:3001',
    'http://[::1]:3001',
    'http://localhost:3001',
    'http://auth.localhost:3001',
    'http://AUTH.LocalHost',
    'http://a.b.localhost'
  ])('%s is this machine', (url) => {
    expect(isLoopback(new URL(url))).toBe(true)
  })

  it.each([
    'http://auth.example',
    'http://localhost.example',
    'http://authlocalhost',
    'http://localhost.evil.example',
    'http://example.com/localhost',
    'http://localhost@example.com',
    'http://10.0.0.1'
  ])('%s is not', (url) => {
    expect(isLoopback(new URL(url))).toBe(false)
  })
})
