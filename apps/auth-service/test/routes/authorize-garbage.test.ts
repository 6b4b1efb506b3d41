import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_PATH, AUTHORIZATION_RESUME_PATH } from '@repo/contracts/authorization'
import { suiteApp } from '../helper.js'
import { REDIRECT_URI, addBrowserClient, authorizationQuery, pkce, sessionCookie } from '../authorization/browser-flow.js'

/** Where an answer of the authorization endpoint may send a browser: the registered URI, or the service's pages. */
function expectSafeAnswer (response: { statusCode: number, headers: Record<string, unknown> }, label: string) {
  expect(response.statusCode, label).toBeLessThan(500)
  const location = response.headers.location
  if (location === undefined) return
  const target = String(location)
  const allowed = target.startsWith(`${REDIRECT_URI}?`) || /^\/(login|consent)\?interaction=[\w-]+$/.test(target)
  expect(allowed, `${label} -> ${target}`).toBe(true)
}

/** A small deterministic generator (mulberry32): the same cases on every run. */
function random (seed: number) {
  let state = seed
  return () => {
    state = (state + 0x6D2B79F5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const NASTY = [
  '', '%', '%ZZ', '%00', '\u0000', '__proto__', 'constructor', '[]', '{"a":1}', 'a'.repeat(5000), 'é', '\u{1F600}',
  'javascript:alert(1)', 'https://evil.example/callback', `${REDIRECT_URI}#frag`, `${REDIRECT_URI}/../x`, 'S256',
  'plain', 'none', 'login', '-1', '99999999999', 'code token', 'openid openid', 'urn:ietf:params:oauth:request_uri:x'
]
const NAMES = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge',
  'code_challenge_method', 'prompt', 'max_age', 'response_mode', 'request_uri', '__proto__', 'x']

describe('GET /authorize with garbage', () => {
  const app = suiteApp()

  it('never answers 5xx, and never redirects anywhere but the registered URI or its own pages', async () => {
    await addBrowserClient(app(), 'spa')
    const cookie = await sessionCookie(app(), 'Jane', Date.now())
    const { challenge } = pkce()
    const next = random(21)
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T
    const seen = new Set<string>()
    for (let run = 0; run < 300; run++) {
      // A valid request with one to three parameters replaced, repeated or removed, or raw bytes appended.
      let query = authorizationQuery('spa', challenge)
      for (let change = 1 + Math.floor(next() * 3); change > 0; change--) {
        const name = pick(NAMES)
        const value = pick(NASTY)
        const roll = next()
        if (roll < 0.5) query = query.replace(new RegExp(`(^|&)${name}=[^&]*`), '') + `&${name}=${encodeURIComponent(value)}`
        else if (roll < 0.7) query += `&${name}=${encodeURIComponent(value)}`
        else if (roll < 0.85) query = query.replace(new RegExp(`(^|&)${name}=[^&]*`), '')
        // Raw: percent signs that decode to nothing, invalid UTF-8, brackets.
        else query += `&${name}=${value}%ED%A0%80%`
      }
      const label = `run ${run}: ${query.slice(0, 300)}`
      const response = await app().inject({
        method: 'GET', url: `${AUTHORIZATION_PATH}?${query}`, headers: next() < 0.5 ? { cookie } : {}
      })
      expectSafeAnswer(response, label)
      const location = response.headers.location === undefined ? '' : String(response.headers.location)
      seen.add(`${response.statusCode} ${location.startsWith(REDIRECT_URI) ? new URL(location).searchParams.get('error') ?? 'code' : location.split('?')[0]}`)
    }
    // The cases reach every kind of answer, not only the first refusal.
    expect([...seen].sort()).toEqual(expect.arrayContaining(
      ['303 code', '303 invalid_request', '303 /login', '303 unsupported_response_type', '400 ']))
  }, 120_000)

  it.each([
    ['a lone %', `${AUTHORIZATION_PATH}?%`],
    ['client_id twice', `${AUTHORIZATION_PATH}?client_id=spa&client_id=spa`],
    ['client_id[]', `${AUTHORIZATION_PATH}?client_id[]=spa`],
    ['a parameter 2000 times', `${AUTHORIZATION_PATH}?${'a=1&'.repeat(2000)}`],
    ['a NUL interaction', `${AUTHORIZATION_RESUME_PATH}?interaction=%00`],
    ['a long interaction', `${AUTHORIZATION_RESUME_PATH}?interaction=${'x'.repeat(500)}`],
    ['interaction twice', `${AUTHORIZATION_RESUME_PATH}?interaction=a&interaction=b`],
    ['denied=yes', `${AUTHORIZATION_RESUME_PATH}?interaction=a&denied=yes`]
  ])('%s: a 4xx page, no redirect', async (_name, url) => {
    const response = await app().inject(url)
    expect(response.statusCode).toBe(400)
    expect(response.headers.location).toBeUndefined()
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
  })
})
