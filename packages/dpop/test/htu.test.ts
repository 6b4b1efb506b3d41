import { describe, expect, it } from 'vitest'
import { normalizeHtu, requestHtu } from '../src/htu.js'

describe('normalizeHtu', () => {
  it.each([
    ['HTTPS://API.Example:443/reports', 'https://api.example/reports'],
    ['http://api.example:80', 'http://api.example/'],
    ['http://api.example:8080/a/../b/./c', 'http://api.example:8080/b/c']
  ])('normalises %s to %s', (htu, normal) => {
    expect(normalizeHtu(htu)).toBe(normal)
  })

  it.each(['https://api.example/r?x=1', 'https://api.example/r?', 'https://api.example/r#x', '/relative',
    'ftp://api.example/r', 'https://user:pw@api.example/r', 'not a url'])('refuses %s', (htu) => {
    expect(normalizeHtu(htu)).toBeUndefined()
  })
})

describe('requestHtu', () => {
  it('is the public origin and the path, without the query', () => {
    expect(requestHtu('https://api.example', '/api/v1/reports?limit=5')).toBe('https://api.example/api/v1/reports')
    expect(requestHtu('http://localhost:3000', '/')).toBe('http://localhost:3000/')
  })

  it('keeps a path that looks like another host on this origin', () => {
    expect(requestHtu('https://api.example', '//evil.example/x')).toBe('https://api.example//evil.example/x')
    expect(normalizeHtu('https://evil.example/x')).not.toBe(requestHtu('https://api.example', '//evil.example/x'))
  })

  /** What the URL parser makes of `path` on `origin`: what requestHtu answered before it skipped the parser. */
  const parsed = (origin: string, path: string) => {
    const url = new URL(origin)
    url.pathname = path
    return `${url.origin}${url.pathname}`
  }

  it.each([
    '/api/v1/protected', '/', '//evil.example/x', '/a/../b', '/a/./b', '/a/%2e%2E/b', '/caf\u00e9', '/a b',
    '/a%20b', '/A_b~c-D/', '/a\\b', '/a/..', '/.', '/a:b@c'
  ])('answers for %j what the URL parser makes of it', (path) => {
    expect(requestHtu('HTTPS://API.Example:443', `${path}?q=1`)).toBe(parsed('https://api.example', path))
  })

  it('answers each public origin for itself, one after the other', () => {
    expect(requestHtu('http://a.example:3000', '/x')).toBe('http://a.example:3000/x')
    expect(requestHtu('HTTP://B.example:80', '/x')).toBe('http://b.example/x')
    expect(requestHtu('http://a.example:3000', '/x')).toBe('http://a.example:3000/x')
  })

  it('throws for a public origin that is no URL, whatever it answered before', () => {
    expect(requestHtu('http://a.example', '/x')).toBe('http://a.example/x')
    expect(() => requestHtu('http://a b', '/x')).toThrow()
  })
})
