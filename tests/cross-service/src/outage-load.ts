import { setTimeout as sleep } from 'node:timers/promises'
import { clientCredentials, refresh } from './oauth-requests.js'

export type AnswerKind = 'grant' | 'refresh' | 'ready' | 'jwks'

export interface Answer {
  replica: number
  kind: AnswerKind
  /** The HTTP status, or `error` when no answer came. */
  status: number | 'error'
  retryAfter: string | null
  /** The OAuth `error` of a refused grant or refresh. */
  error?: string
  /** `performance.now()` when the request was sent and when its answer was read. */
  sentAt: number
  answeredAt: number
}

const oauthError = (body: Record<string, unknown>) => typeof body.error === 'string' ? { error: body.error } : {}

export interface OutageLoadOptions {
  /** A `client_credentials` client with a secret, allowed on every replica. */
  client: { id: string, secret: string }
  /** One refresh token per chain; chain `i` goes to replica `i % urls.length`. */
  refreshTokens: string[]
  /** How often each replica's readiness and JWKS are probed. */
  probeEveryMs?: number
}

/**
 * Load through every replica until `signal` aborts, each answer recorded: two `client_credentials`
 * workers per replica, refresh chains (each redeems its token, keeps the successor on a 200 and
 * the same token on anything else, as a client does with a 503), and readiness and JWKS probes.
 * `redeemed` lists every refresh token a 200 was given for.
 */
export function runOutageLoad (urls: readonly string[], options: OutageLoadOptions, signal: AbortSignal) {
  const { client, refreshTokens, probeEveryMs = 100 } = options
  const answers: Answer[] = []
  const redeemed: string[] = []
  type Sent = Pick<Answer, 'status' | 'retryAfter' | 'error'>
  const record = async (replica: number, kind: AnswerKind, send: () => Promise<Sent>) => {
    const sentAt = performance.now()
    try {
      const answer = await send()
      const entry: Answer = { replica, kind, ...answer, sentAt, answeredAt: performance.now() }
      answers.push(entry)
      return entry
    } catch {
      const entry: Answer = { replica, kind, status: 'error', retryAfter: null, sentAt, answeredAt: performance.now() }
      answers.push(entry)
      return entry
    }
  }
  const grants = async (replica: number) => {
    while (!signal.aborted) {
      await record(replica, 'grant', async () => {
        const { status, body, headers } = await clientCredentials(urls[replica] as string, client.id, client.secret)
        return { status, retryAfter: headers.get('retry-after'), ...oauthError(body) }
      })
    }
  }
  const chain = async (index: number, first: string) => {
    const replica = index % urls.length
    let token = first
    while (!signal.aborted) {
      let next: string | undefined
      const answer = await record(replica, 'refresh', async () => {
        const { status, body, headers } = await refresh(urls[replica] as string, token)
        if (status === 200) next = body.refresh_token as string
        return { status, retryAfter: headers.get('retry-after'), ...oauthError(body) }
      })
      if (next !== undefined) {
        redeemed.push(token)
        token = next
      } else if (answer.status !== 503 && answer.status !== 'error') return
    }
  }
  const probe = async (replica: number, kind: 'ready' | 'jwks', path: string) => {
    while (!signal.aborted) {
      await record(replica, kind, async () => {
        const response = await fetch(`${urls[replica]}${path}`)
        await response.arrayBuffer()
        return { status: response.status, retryAfter: response.headers.get('retry-after') }
      })
      await sleep(probeEveryMs)
    }
  }
  const workers = urls.flatMap((_url, replica) => [
    grants(replica),
    grants(replica),
    probe(replica, 'ready', '/health/ready'),
    probe(replica, 'jwks', '/.well-known/jwks.json')
  ])
  const chains = refreshTokens.map((token, i) => chain(i, token))
  const done = Promise.all([...workers, ...chains]).then(() => ({ answers, redeemed }))
  return { answers, redeemed, done }
}
