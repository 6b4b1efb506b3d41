import type { Dispatcher } from 'undici'
import { Compile } from 'typebox/compile'
import Type from 'typebox'
import {
  POLL_DELIVERY_METHOD, SSF_CONFIGURATION_PATH, SSF_MANAGE_SCOPE, SSF_READ_SCOPE, SSF_STREAMS_PATH, SSF_VERIFY_PATH,
  TransmitterMetadataSchema
} from '@repo/contracts/ssf'
import { oauthMetadataUrl, openIdConfigurationUrl } from '../jwks/discover-jwks-uri.js'
import { describe, fetchMetadata } from '../jwks/fetch-metadata.js'
import type { SsfCredentials } from './ssf-credentials.js'

/** A request to the transmitter that got no usable answer (network, timeout, an unreadable body). */
export class TransmitterUnreachable extends Error {
  override name = 'TransmitterUnreachable'
  readonly code = 'ERR_SSF_UNREACHABLE'
}

/** The transmitter answered, but not what this receiver can work with; its message goes to the log. */
export class TransmitterRefused extends Error {
  override name = 'TransmitterRefused'
  readonly code = 'ERR_SSF_REFUSED'
}

export interface TransmitterClientOptions {
  issuer: string
  credentials: SsfCredentials
  /** Bounds connecting, headers (beyond the long poll) and the size of an answer. */
  dispatcher: Dispatcher
  /** Bound on each metadata request. */
  metadataTimeoutMs: number
  now: () => number
}

export interface TransmitterEndpoints { streams: string, verify: string }

export interface Answer { status: number, body: unknown }

const metadataSchema = Compile(TransmitterMetadataSchema)
const tokenEndpointSchema = Compile(Type.Object({ issuer: Type.String(), token_endpoint: Type.String() }))
const tokenSchema = Compile(Type.Object({
  access_token: Type.String({ minLength: 1 }), expires_in: Type.Optional(Type.Number())
}))

/** A token is used until this long before it expires, so none is sent that expires on its way. */
const TOKEN_MARGIN_MS = 60_000

/**
 * This receiver's side of one issuer's transmitter: its SSF configuration, an access token by client
 * credentials (`ssf.read ssf.manage`, cached until a minute before it expires, fetched again after a
 * 401), and JSON requests with it. Every URL a token or the secret goes to is on the issuer's origin.
 */
export class TransmitterClient {
  readonly #options: TransmitterClientOptions
  readonly #origin: string
  #token: { value: string, renewAt: number } | undefined

  constructor (options: TransmitterClientOptions) {
    this.#options = options
    this.#origin = new URL(options.issuer).origin
  }

  /** The issuer's SSF configuration (SSF 1.0 §7), or why it has no poll stream to offer (then: signals off). */
  async discover (): Promise<TransmitterEndpoints | { off: string }> {
    const { issuer, dispatcher, metadataTimeoutMs: timeoutMs } = this.#options
    const url = `${issuer.replace(/\/$/, '')}${SSF_CONFIGURATION_PATH}`
    const result = await this.#metadata(url, { dispatcher, timeoutMs })
    if (result.status === 'not-found') return { off: `${url} is not found: the issuer sends no signals` }
    if (!metadataSchema.Check(result.body)) throw new TransmitterRefused(`${url} is not an SSF configuration`)
    const { body } = result
    if (body.issuer !== issuer) throw new TransmitterRefused(`${url} names issuer "${body.issuer.slice(0, 200)}"`)
    if (!(body.delivery_methods_supported ?? []).includes(POLL_DELIVERY_METHOD)) {
      return { off: `${issuer} offers no poll delivery (${POLL_DELIVERY_METHOD})` }
    }
    const origin = this.#origin
    return {
      streams: this.#sameOrigin('configuration_endpoint', body.configuration_endpoint ?? origin + SSF_STREAMS_PATH),
      verify: this.#sameOrigin('verification_endpoint', body.verification_endpoint ?? origin + SSF_VERIFY_PATH)
    }
  }

  /** A JSON request with this receiver's access token; a 401 fetches a new token and tries once more. */
  async call (method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<Answer> {
    const first = await this.#send(method, url, await this.#accessToken(), body, signal)
    if (first.status !== 401) return first
    this.#token = undefined
    return this.#send(method, url, await this.#accessToken(), body, signal)
  }

  /** Checks that a URL the transmitter gave is on the issuer's origin, where the token may go. */
  #sameOrigin (name: string, value: string): string {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw new TransmitterRefused(`${name} is not a URL`)
    }
    if (url.origin !== this.#origin) throw new TransmitterRefused(`${name} ${url.origin} is not the issuer's origin`)
    return url.href
  }

  async #metadata (url: string, options: { dispatcher: Dispatcher, timeoutMs: number }) {
    try {
      return await fetchMetadata(url, options)
    } catch (error) {
      throw new TransmitterUnreachable(describe(error))
    }
  }

  async #accessToken (): Promise<string> {
    const { now } = this.#options
    if (this.#token !== undefined && now() < this.#token.renewAt) return this.#token.value
    const endpoint = await this.#tokenEndpoint()
    const { clientId, clientSecret } = this.#options.credentials
    // RFC 6749 §2.3.1: both are form-encoded before they are joined.
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret.reveal())}`)
    const scope = `${SSF_READ_SCOPE} ${SSF_MANAGE_SCOPE}`
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope })
    const answer = await this.#fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic.toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded'
      },
      body: form.toString()
    })
    if (answer.status !== 200 || !tokenSchema.Check(answer.body)) {
      const error = typeof answer.body === 'object' && answer.body !== null && 'error' in answer.body
        ? String(answer.body.error).slice(0, 64)
        : 'no error code'
      throw new TransmitterRefused(`the token endpoint answered HTTP ${answer.status} (${error})`)
    }
    const lifetimeMs = (answer.body.expires_in ?? 300) * 1000
    this.#token = { value: answer.body.access_token, renewAt: now() + Math.max(0, lifetimeMs - TOKEN_MARGIN_MS) }
    return this.#token.value
  }

  async #tokenEndpoint (): Promise<string> {
    const { issuer, dispatcher, metadataTimeoutMs: timeoutMs } = this.#options
    for (const url of [oauthMetadataUrl(issuer), openIdConfigurationUrl(issuer)]) {
      const result = await this.#metadata(url, { dispatcher, timeoutMs })
      if (result.status === 'not-found') continue
      if (!tokenEndpointSchema.Check(result.body) || result.body.issuer !== issuer) {
        throw new TransmitterRefused(`${url} names no token_endpoint for ${issuer}`)
      }
      return this.#sameOrigin('token_endpoint', result.body.token_endpoint)
    }
    throw new TransmitterRefused(`${issuer} publishes no authorization server metadata`)
  }

  #send (method: string, url: string, token: string, body: unknown, signal: AbortSignal | undefined) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    return this.#fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal })
  }

  async #fetch (url: string, init: RequestInit): Promise<Answer> {
    let response: Response
    try {
      response = await fetch(url, { ...init, dispatcher: this.#options.dispatcher, redirect: 'error' } as RequestInit)
    } catch (error) {
      throw new TransmitterUnreachable(`${init.method ?? 'GET'} ${url} failed: ${describe(error)}`)
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      throw new TransmitterUnreachable(`${init.method ?? 'GET'} ${url}: the answer was cut: ${describe(error)}`)
    }
    if (text.length === 0 || !/json/i.test(response.headers.get('content-type') ?? '')) {
      return { status: response.status, body: undefined }
    }
    try {
      return { status: response.status, body: JSON.parse(text) }
    } catch {
      return { status: response.status, body: undefined }
    }
  }
}
