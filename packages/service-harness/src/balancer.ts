import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Hop-by-hop and length headers: each side of the balancer sets its own. */
const NOT_FORWARDED = new Set([
  'host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding'
])

function forwardable (headers: Iterable<[string, unknown]>): Record<string, string> {
  return Object.fromEntries([...headers].filter((header): header is [string, string] =>
    !NOT_FORWARDED.has(header[0].toLowerCase()) && typeof header[1] === 'string'))
}

/** Only a request that changes nothing is sent again to another upstream (nginx's default too). */
const IDEMPOTENT = new Set(['GET', 'HEAD'])

async function bodyOf (request: IncomingMessage): Promise<Buffer | undefined> {
  if (IDEMPOTENT.has(request.method ?? '')) return undefined
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * A round-robin HTTP load balancer on loopback, as replicas sit behind in production: each request
 * goes to the next upstream in turn; a GET goes on to the one after if that one does not answer (a
 * killed replica), and so does any request that one refused to connect for (nginx's
 * `proxy_next_upstream error`: a request never sent may go elsewhere). `served` counts the answers
 * per upstream.
 */
export async function startBalancer (upstreams: readonly string[]) {
  const served = new Map(upstreams.map((upstream) => [upstream, 0]))
  let turn = 0
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request).catch(() => undefined)
    const first = turn++
    const idempotent = IDEMPOTENT.has(request.method ?? '')
    for (let attempt = 0; attempt < upstreams.length; attempt++) {
      const upstream = upstreams[(first + attempt) % upstreams.length] as string
      try {
        const answer = await fetch(`${upstream}${request.url}`, {
          method: request.method,
          headers: forwardable(Object.entries(request.headers)),
          body,
          // A redirect is the browser's to follow (with the cookies it was just given), not the balancer's.
          redirect: 'manual'
        })
        const payload = Buffer.from(await answer.arrayBuffer())
        served.set(upstream, (served.get(upstream) ?? 0) + 1)
        // Each Set-Cookie is a header of its own: joined, or kept once, a browser would lose cookies.
        const cookies = answer.headers.getSetCookie()
        response.writeHead(answer.status, {
          ...forwardable(answer.headers.entries()),
          ...cookies.length > 0 ? { 'set-cookie': cookies } : {}
        }).end(payload)
        return
      } catch (error) {
        // No answer, or cut off: that upstream is down. A request it never received (connection refused)
        // goes on to the next one whatever its method; one it may have acted on only if it is idempotent.
        const refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED'
        if (!refused && !idempotent) break
      }
    }
    response.writeHead(502).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    }
  }
}

export type Balancer = Awaited<ReturnType<typeof startBalancer>>
