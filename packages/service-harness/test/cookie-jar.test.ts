import { describe, expect, it } from 'vitest'
import { CookieJar } from '../src/cookie-jar.js'

const setCookies = (...lines: string[]) => {
  const headers = new Headers()
  for (const line of lines) headers.append('set-cookie', line)
  return headers
}

describe('CookieJar', () => {
  it('sends a host\'s cookies to every port of that host, and no other host\'s', () => {
    const jar = new CookieJar()
    jar.store('http://127.0.0.1:3001/login', setCookies('session=s1; Path=/; HttpOnly; SameSite=Lax'))
    expect(jar.header('http://127.0.0.1:3002/authorize/resume')).toBe('session=s1')
    expect(jar.header('http://localhost:3001/')).toBeUndefined()
  })

  it('matches paths by prefix at a slash, defaults the path to the request\'s directory, longest first', () => {
    const jar = new CookieJar()
    jar.store('http://a.test/x/page', setCookies('dir=1'))
    jar.store('http://a.test/', setCookies('root=2; Path=/'))
    jar.store('http://a.test/', setCookies('deep=3; Path=/x/y'))
    expect(jar.header('http://a.test/x/other')).toBe('dir=1; root=2')
    expect(jar.header('http://a.test/x/y/z')).toBe('deep=3; dir=1; root=2')
    expect(jar.header('http://a.test/xy')).toBe('root=2')
  })

  it('replaces a cookie of the same name and path, and drops it on Max-Age=0 or a past Expires', () => {
    let now = 1_000_000
    const jar = new CookieJar(() => now)
    jar.store('http://a.test/', setCookies('a=1; Path=/', 'b=1; Path=/; Max-Age=10'))
    jar.store('http://a.test/', setCookies('a=2; Path=/'))
    expect(jar.header('http://a.test/')).toBe('a=2; b=1')
    now += 10_000
    expect(jar.header('http://a.test/')).toBe('a=2')
    jar.store('http://a.test/', setCookies('a=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'))
    expect(jar.header('http://a.test/')).toBeUndefined()
    jar.store('http://a.test/', setCookies('c=1; Max-Age=0; Expires=Fri, 01 Jan 2100 00:00:00 GMT'))
    expect(jar.header('http://a.test/')).toBeUndefined()
  })

  it('keeps Secure cookies to https: not stored from http, not sent over it', () => {
    const jar = new CookieJar()
    jar.store('http://a.test/', setCookies('__Host-s=1; Secure; Path=/'))
    expect(jar.header('https://a.test/')).toBeUndefined()
    jar.store('https://a.test/', setCookies('__Host-s=2; Secure; Path=/'))
    expect(jar.header('https://a.test/')).toBe('__Host-s=2')
    expect(jar.header('http://a.test/')).toBeUndefined()
  })

  it('reads one cookie\'s value, keeping an "=" inside it', () => {
    const jar = new CookieJar()
    jar.store('http://a.test/', setCookies('_csrf=ab=c; Path=/', 'junk', '=novalue'))
    expect(jar.get('http://a.test/', '_csrf')).toBe('ab=c')
    expect(jar.get('http://a.test/', 'junk')).toBeUndefined()
  })
})
