import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  CAEP_EVENTS, CAEP_SESSION_REVOKED, POLL_DELIVERY_METHOD, SSF_CONFIGURATION_PATH, SSF_POLL_PATH_PREFIX,
  SSF_STREAMS_PATH, SSF_VERIFICATION, SSF_VERIFY_PATH, type PollRequest
} from '@repo/contracts/ssf'
import { craftToken, type FakeIssuer, type TestKey, type TokenSigner } from './fake-issuer.js'

/** How one SET is built: the claims replace the defaults (`undefined` removes one), as `FakeIssuer.token` does. */
export interface SetOptions {
  claims?: Record<string, unknown>
  header?: Record<string, unknown>
  key?: TestKey
  signer?: TokenSigner
  /** The key the poll answer gives it under; by default its `jti`. */
  mapJti?: string
}

/** A stream as the fake holds it. */
export interface FakeStream { stream_id: string, description?: string | undefined }

const id = () => randomBytes(8).toString('hex')

/**
 * A Shared Signals transmitter (SSF 1.0, poll delivery per RFC 8936) on the fake issuer's origin, for
 * receiver tests: serves the SSF configuration, RFC 8414 metadata, a client-credentials token endpoint,
 * streams, verify and poll; answers polls with the SETs the test queued (signed by the issuer's keys,
 * which its JWKS publishes) and records every poll request it received: acks and setErrs included.
 * It takes over the issuer's request handler, serving the JWKS and OpenID configuration itself.
 */
export function startFakeTransmitter (issuer: FakeIssuer, options: { clientId?: string, clientSecret?: string } = {}) {
  const clientId = options.clientId ?? 'consumer-ssf'
  const clientSecret = options.clientSecret ?? 's3cret-value'
  const origin = issuer.origin
  const queue: Array<{ jti: string, set: string }> = []
  const tokens = new Set<string>()
  const waiters = new Set<() => void>()
  const state = {
    streams: [] as FakeStream[],
    polls: [] as PollRequest[],
    acks: [] as string[],
    setErrs: {} as Record<string, { err: string, description: string }>,
    tokenRequests: 0,
    deleted: [] as string[],
    /** What the poll endpoint answers instead of SETs (an outage: 503), while set. */
    pollStatus: undefined as number | undefined,
    /** A lying transmitter: the `issuer` its SSF configuration names, the origin of the poll URLs it gives. */
    configurationIssuer: origin,
    pollOrigin: origin,
    /** What the JWKS answers instead of the keys (an outage: 503), while set. */
    jwksStatus: undefined as number | undefined,
    /** Answers the next polls give instead, first first (recorded, nothing acknowledged): a 400, a 404. */
    scripted: [] as Array<{ status: number, body?: unknown, onlyWithAcks?: boolean }>,
    /** Where a long poll with nothing to answer waits at most (real time). */
    longPollMs: 200
  }

  /** A SET as the auth service signs it: one session-revoked event for `sub_id`, unless the options say otherwise. */
  function makeSet (set: SetOptions = {}): { jti: string, set: string } {
    const key = set.key ?? issuer.keys.RS256
    const streamId = state.streams.at(-1)?.stream_id ?? 'no-stream'
    const claims: Record<string, unknown> = {
      iss: origin,
      jti: `${id()}.${streamId}`,
      iat: Math.floor(Date.now() / 1000),
      aud: clientId,
      txn: id(),
      sub_id: { format: 'iss_sub', iss: origin, sub: 'user-1' },
      events: { [CAEP_SESSION_REVOKED]: { initiating_entity: 'user' } },
      ...set.claims
    }
    for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name]
    const header = { alg: key.alg, kid: key.kid, typ: 'secevent+jwt', ...set.header }
    return { jti: set.mapJti ?? String(claims.jti), set: craftToken(header, claims, set.signer ?? key.privateKey) }
  }

  /** Queues a SET for the next poll, waking a waiting long poll; returns its jti. */
  function push (set: SetOptions = {}): string {
    const built = makeSet(set)
    queue.push(built)
    for (const wake of waiters) wake()
    return built.jti
  }

  const send = (response: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) return response.writeHead(status).end()
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    response.end(JSON.stringify(body))
  }
  const readBody = async (request: IncomingMessage) => {
    let text = ''
    for await (const chunk of request) text += String(chunk)
    return text
  }
  const authorized = (request: IncomingMessage) =>
    tokens.has((request.headers.authorization ?? '').replace(/^Bearer /, ''))

  async function poll (request: IncomingMessage, response: ServerResponse, streamId: string) {
    if (!state.streams.some((stream) => stream.stream_id === streamId)) return send(response, 404)
    const body = JSON.parse(await readBody(request) || '{}') as PollRequest
    state.polls.push(body)
    if (state.pollStatus !== undefined) return send(response, state.pollStatus, { err: 'unavailable' })
    const scripted = state.scripted[0]
    if (scripted !== undefined && (scripted.onlyWithAcks !== true || (body.ack ?? []).length > 0)) {
      state.scripted.shift()
      return send(response, scripted.status, scripted.body)
    }
    state.acks.push(...body.ack ?? [])
    Object.assign(state.setErrs, body.setErrs ?? {})
    const done = new Set([...body.ack ?? [], ...Object.keys(body.setErrs ?? {})])
    for (let index = queue.length - 1; index >= 0; index--) {
      if (done.has(queue[index]?.jti ?? '')) queue.splice(index, 1)
    }
    if (queue.length === 0 && body.returnImmediately !== true) {
      await new Promise<void>((resolve) => {
        const wake = () => { waiters.delete(wake); clearTimeout(timer); resolve() }
        const timer = setTimeout(wake, state.longPollMs)
        waiters.add(wake)
        request.socket.once('close', wake)
      })
    }
    const max = body.maxEvents ?? 100
    const sets = Object.fromEntries(queue.slice(0, max).map(({ jti, set }) => [jti, set]))
    send(response, 200, queue.length > max ? { sets, moreAvailable: true } : { sets })
  }

  async function handle (request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', origin)
    const path = url.pathname
    if (path === '/.well-known/jwks.json') {
      return send(response, state.jwksStatus ?? 200, state.jwksStatus ? undefined : { keys: issuer.state.published })
    }
    if (path === '/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server') {
      return send(response, 200, {
        issuer: origin, jwks_uri: `${origin}/.well-known/jwks.json`, token_endpoint: `${origin}/oauth/token`
      })
    }
    if (path === SSF_CONFIGURATION_PATH) {
      return send(response, 200, {
        spec_version: '1_0',
        issuer: state.configurationIssuer,
        jwks_uri: `${origin}/.well-known/jwks.json`,
        delivery_methods_supported: [POLL_DELIVERY_METHOD],
        configuration_endpoint: `${origin}${SSF_STREAMS_PATH}`,
        verification_endpoint: `${origin}${SSF_VERIFY_PATH}`
      })
    }
    if (path === '/oauth/token' && request.method === 'POST') {
      state.tokenRequests++
      const form = new URLSearchParams(await readBody(request))
      const basic = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
      if (basic !== `${clientId}:${clientSecret}` || form.get('grant_type') !== 'client_credentials') {
        return send(response, 401, { error: 'invalid_client' })
      }
      const token = id()
      tokens.add(token)
      return send(response, 200, { access_token: token, token_type: 'Bearer', expires_in: 300 })
    }
    if (!authorized(request)) return send(response, 401, { error: 'invalid_token' })
    if (path.startsWith(SSF_POLL_PATH_PREFIX) && request.method === 'POST') {
      return poll(request, response, path.slice(SSF_POLL_PATH_PREFIX.length))
    }
    if (path === SSF_STREAMS_PATH && request.method === 'GET') return send(response, 200, state.streams)
    if (path === SSF_STREAMS_PATH && request.method === 'DELETE') {
      const streamId = url.searchParams.get('stream_id') ?? ''
      state.deleted.push(streamId)
      state.streams = state.streams.filter((stream) => stream.stream_id !== streamId)
      return send(response, 204)
    }
    if (path === SSF_STREAMS_PATH && request.method === 'POST') {
      const body = JSON.parse(await readBody(request)) as { description?: string }
      const stream = { stream_id: id(), description: body.description }
      state.streams.push(stream)
      queue.length = 0
      return send(response, 201, {
        ...stream,
        iss: origin,
        aud: clientId,
        events_supported: [...CAEP_EVENTS],
        events_requested: [...CAEP_EVENTS],
        events_delivered: [...CAEP_EVENTS],
        delivery: {
          method: POLL_DELIVERY_METHOD, endpoint_url: `${state.pollOrigin}${SSF_POLL_PATH_PREFIX}${stream.stream_id}`
        }
      })
    }
    if (path === SSF_VERIFY_PATH && request.method === 'POST') {
      const body = JSON.parse(await readBody(request)) as { stream_id: string, state?: string }
      push({
        claims: {
          sub_id: { format: 'opaque', id: body.stream_id }, events: { [SSF_VERIFICATION]: { state: body.state } }
        }
      })
      return send(response, 204)
    }
    send(response, 404)
  }

  issuer.state.override = (request, response) => {
    handle(request, response).catch(() => { if (!response.headersSent) send(response, 500) })
  }

  return {
    clientId,
    clientSecret,
    state,
    makeSet,
    push,
    /** The SETs queued and not yet acknowledged or refused. */
    pending: () => queue.map(({ jti }) => jti),
    /** Forgets every access token it gave: the next SSF request gets a 401. */
    revokeTokens: () => tokens.clear()
  }
}

export type FakeTransmitter = ReturnType<typeof startFakeTransmitter>
