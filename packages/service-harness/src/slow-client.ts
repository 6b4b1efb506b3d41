import { connect as connectTcp, type Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'

export interface SlowClientOptions {
  port: number
  host?: string
  /** Trust this CA (PEM) and speak TLS; plain TCP without it. */
  ca?: string
  /** Sent at once: a request's first bytes (its head, unfinished or not, and part of its body). */
  start: string
  /**
   * Then one byte of this every `everyMs`, as a slowloris client does, until the server closes ('' sends nothing
   * more).
   */
  trickle?: string
  everyMs?: number
}

/** What the server did with the slow request: what it answered, and whether it closed the connection. */
export interface SlowClient {
  readonly received: string
  readonly closed: boolean
  /** The status line's code, if the server answered. */
  readonly status: number | undefined
  /** Milliseconds from the connection to its close. */
  readonly closedAfterMs: number | undefined
  stop: () => void
}

/**
 * A client that never finishes its request: a raw connection (not fetch, which sends whole
 * requests) that sends `start`, then trickles. Poll `closed` with `vi.waitUntil`; `stop()` ends it.
 */
export async function slowClient (
  { port, host = '127.0.0.1', ca, start, trickle = 'x', everyMs = 200 }: SlowClientOptions
): Promise<SlowClient> {
  const opened = Date.now()
  const socket: Socket = ca ? connectTls({ port, host, ca, servername: 'localhost' }) : connectTcp({ port, host })
  await new Promise<void>((resolve, reject) => {
    socket.once(ca ? 'secureConnect' : 'connect', resolve)
    socket.once('error', reject)
  })
  let received = ''
  let closedAfterMs: number | undefined
  let next = 0
  const timer = setInterval(() => {
    if (!socket.destroyed && trickle.length > 0) socket.write(trickle[next++ % trickle.length] as string)
  }, everyMs)
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => { received += chunk })
  // A reset after the server closed is part of being cut off, not a failure of the test.
  socket.on('error', () => {})
  socket.on('close', () => {
    closedAfterMs = Date.now() - opened
    clearInterval(timer)
  })
  if (start.length > 0) socket.write(start)
  return {
    get received () { return received },
    get closed () { return closedAfterMs !== undefined },
    get status () {
      const code = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1]
      return code === undefined ? undefined : Number(code)
    },
    get closedAfterMs () { return closedAfterMs },
    stop () {
      clearInterval(timer)
      socket.destroy()
    }
  }
}
