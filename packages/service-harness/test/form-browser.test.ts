import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FormBrowser, fromAddress } from '../src/form-browser.js'

interface Seen {
  replica: string
  method: string
  path: string
  cookie: string | undefined
  origin: string | undefined
  body: string
}

/** Two "replicas" of one tiny login site: a start that redirects to a form, a POST that checks it. */
describe('FormBrowser', () => {
  const seen: Seen[] = []
  const servers: Server[] = []
  const origins: string[] = []
  let issuer = ''

  const site = (replica: string) => async (request: IncomingMessage, response: ServerResponse) => {
    let body = ''
    for await (const chunk of request) body += String(chunk)
    const url = new URL(request.url ?? '/', issuer)
    seen.push({ replica, method: request.method ?? '', path: url.pathname, cookie: request.headers.cookie, origin: request.headers.origin, body })
    if (url.pathname === '/start') {
      response.writeHead(303, { location: `${issuer}/login?interaction=i1`, 'set-cookie': 'interaction=i1; Path=/; HttpOnly' }).end()
    } else if (url.pathname === '/login' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html', 'set-cookie': '_csrf=secret; Path=/' })
        .end('<form method="post" action="/login"><input type="hidden" name="_csrf" value="t&amp;1">' +
          '<input type="hidden" name="interaction" value="i1"><input name="userName"><input name="password" type="password"></form>')
    } else if (url.pathname === '/login') {
      response.writeHead(303, { location: '/done?code=c1', 'set-cookie': ['session=s1; Path=/', 'interaction=; Path=/; Max-Age=0'] }).end()
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`done at ${replica}`)
    }
  }

  beforeAll(async () => {
    for (const replica of ['one', 'two']) {
      const handle = site(replica)
      const server = createServer((request, response) => { handle(request, response).catch(() => response.destroy()) })
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      servers.push(server)
      origins.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    }
    issuer = origins[0] as string
  })
  afterAll(async () => {
    await Promise.all(servers.map(async (server) => { server.close(); await once(server, 'close') }))
  })

  it('follows redirects, keeps cookies, submits a form with its hidden fields and Origin, routed where the test says', async () => {
    seen.length = 0
    const browser = new FormBrowser()
    const loginPage = await browser.get(`${issuer}/start`)
    expect(loginPage.url.href).toBe(`${issuer}/login?interaction=i1`)
    expect(loginPage.redirects.map((url) => url.pathname)).toEqual(['/start'])

    // Everything at the issuer's address now goes to replica two.
    browser.route = (url) => url.origin === issuer ? new URL(url.pathname + url.search, origins[1]) : url
    const done = await browser.submit(loginPage, { userName: 'Jane', password: 'pass123' })
    expect(done).toMatchObject({ status: 200, body: 'done at two' })
    expect(done.url.href).toBe(`${issuer}/done?code=c1`)

    expect(seen.map(({ replica, method, path }) => `${replica} ${method} ${path}`)).toEqual([
      'one GET /start', 'one GET /login', 'two POST /login', 'two GET /done'
    ])
    const [, atLogin, posted, atDone] = seen
    expect(atLogin?.cookie).toBe('interaction=i1')
    expect(posted?.cookie).toBe('interaction=i1; _csrf=secret')
    expect(posted?.origin).toBe(issuer)
    expect(Object.fromEntries(new URLSearchParams(posted?.body))).toEqual({ _csrf: 't&1', interaction: 'i1', userName: 'Jane', password: 'pass123' })
    // The interaction cookie was cleared by the POST's answer; the session is new.
    expect(atDone?.cookie).toBe('_csrf=secret; session=s1')
    expect(atDone?.method).toBe('GET')
  })

  it('says which page had no form to submit', async () => {
    const browser = new FormBrowser()
    const page = await browser.get(`${issuer}/elsewhere`)
    await expect(browser.submit(page)).rejects.toThrow(`no form 0 at ${issuer}/elsewhere (status 200)`)
  })
})

describe('fromAddress', () => {
  it('makes requests leave from another loopback address', async () => {
    const server = createServer((request, response) => { response.end(request.socket.remoteAddress) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      expect(await (await fetch(url, fromAddress('127.0.0.2'))).text()).toBe('127.0.0.2')
      expect(await (await new FormBrowser({ init: fromAddress('127.0.0.3') }).get(url)).body).toBe('127.0.0.3')
    } finally {
      server.close()
    }
  })
})
