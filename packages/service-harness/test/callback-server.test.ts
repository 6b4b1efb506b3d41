import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCallbackServer, type CallbackServer } from '../src/callback-server.js'

describe('the callback server', () => {
  let server: CallbackServer
  beforeAll(async () => { server = await startCallbackServer() })
  afterAll(() => server.close())

  it('listens on a loopback port and hands each callback out once, whether it came before or after the wait', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.uri()).toBe(`${server.origin}/callback`)
    const early = await fetch(`${server.uri()}?code=one&state=s`)
    expect(early.status).toBe(200)
    expect(await early.text()).toContain('Back at the app')
    expect((await server.next()).searchParams.get('code')).toBe('one')

    const waiting = server.next('/signed-out')
    await fetch(`${server.origin}/callback?code=two`)
    await fetch(`${server.uri('/signed-out')}?state=x`)
    expect((await waiting).search).toBe('?state=x')
    expect((await server.next()).searchParams.get('code')).toBe('two')
    expect(server.received.map((url) => url.pathname)).toEqual(['/callback', '/callback', '/signed-out'])
  })

  it('gives up on a callback that never comes, saying where it waited', async () => {
    await expect(server.next('/never', 50)).rejects.toThrow(`nothing arrived at ${server.origin}/never within 50 ms`)
  })

  it('serves a page that frames a given address, escaped into the attribute', async () => {
    const page = await (await fetch(`${server.origin}/frame?src=${encodeURIComponent('http://x.test/a?b=1&c="2"')}`)).text()
    expect(page).toContain('<iframe title="framed" src="http://x.test/a?b=1&amp;c=&quot;2&quot;"')
    expect(server.received.map((url) => url.pathname)).not.toContain('/frame')
  })
})
