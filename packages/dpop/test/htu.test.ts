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
})
