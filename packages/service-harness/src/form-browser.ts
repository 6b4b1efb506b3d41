import { Agent, Dispatcher1Wrapper } from 'undici'
import { CookieJar } from './cookie-jar.js'
import { formsOf, type HtmlForm } from './html-form.js'

/** Where a browser ended up: the address it shows, and what it got there. */
export interface BrowsedPage {
  /** The address as the browser sees it (before `route`). */
  url: URL
  status: number
  headers: Headers
  /** The body as text. */
  body: string
  /** Every address it was redirected through on the way, in order, `url` not included. */
  redirects: URL[]
}

export interface FormBrowserOptions {
  /**
   * Where a request for an address really goes: identity by default. A test of replicas that share
   * one issuer sends the issuer's addresses to the replica of its choice (and may change it between
   * steps: the property is writable).
   */
  route?: (url: URL) => URL
  /** Passed to every fetch (an undici dispatcher with another local address, say). */
  init?: RequestInit
  jar?: CookieJar
}

const MAX_REDIRECTS = 20
const identity = (url: URL) => url

/**
 * A browser without script, enough to drive server-rendered login pages: it keeps cookies
 * (`CookieJar`), follows redirects itself (each hop's cookies stored, 303 and the like turned
 * into GET as browsers do), submits forms with their hidden fields, and sends `Origin` on a POST.
 */
export class FormBrowser {
  readonly jar: CookieJar
  route: (url: URL) => URL
  readonly #init: RequestInit

  constructor ({ route = identity, init = {}, jar = new CookieJar() }: FormBrowserOptions = {}) {
    this.jar = jar
    this.route = route
    this.#init = init
  }

  /** Opens `url` as a link or the address bar would: a GET, redirects followed. */
  get (url: string | URL): Promise<BrowsedPage> {
    return this.#navigate(new URL(url), { method: 'GET' })
  }

  /**
   * Submits form `index` of `page` (its first by default) with its own fields, `fields` set over
   * them: a form POST (`application/x-www-form-urlencoded`) or a GET with the fields as the query.
   */
  async submit (page: BrowsedPage, fields: Record<string, string> = {}, index = 0): Promise<BrowsedPage> {
    const form: HtmlForm | undefined = formsOf(page.body)[index]
    if (!form) throw new Error(`no form ${index} at ${page.url.href} (status ${page.status}):\n${page.body}`)
    const target = new URL(form.action, page.url)
    const values = new URLSearchParams({ ...form.fields, ...fields })
    if (form.method === 'GET') {
      target.search = values.toString()
      return this.#navigate(target, { method: 'GET' })
    }
    return this.#navigate(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: page.url.origin },
      body: values.toString()
    })
  }

  async #navigate (start: URL, first: RequestInit): Promise<BrowsedPage> {
    const redirects: URL[] = []
    let url = start
    let request = first
    for (;;) {
      const headers = new Headers(request.headers)
      const cookie = this.jar.header(url)
      if (cookie) headers.set('cookie', cookie)
      const response = await fetch(this.route(url), { ...this.#init, ...request, headers, redirect: 'manual' })
      this.jar.store(url, response.headers)
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || location === null) {
        return { url, status: response.status, headers: response.headers, body: await response.text(), redirects }
      }
      await response.body?.cancel()
      if (redirects.length >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${start.href}`)
      redirects.push(url)
      url = new URL(location, url)
      // 307 and 308 repeat the request as it was; every other redirect becomes a GET without a body.
      if (response.status !== 307 && response.status !== 308) request = { method: 'GET' }
    }
  }
}

/**
 * What makes a fetch leave from another loopback address (`127.0.0.2`): to the service, another
 * client address, as a second machine would be (Linux answers the whole of 127.0.0.0/8).
 */
export function fromAddress (localAddress: string): RequestInit {
  // undici 8's Agent speaks the new dispatcher interface; Node 24's fetch (undici 7) needs the wrapper.
  return { dispatcher: new Dispatcher1Wrapper(new Agent({ localAddress })) } as RequestInit
}
