import { once } from 'node:events'
import { createConnection, createServer, type Server, type Socket } from 'node:net'

/** `pass`: forward; `drop`: accept and close at once (a server that hangs up); `blackhole`: accept and never answer. */
export type ForwarderMode = 'pass' | 'drop' | 'blackhole'

export interface TcpForwarder {
  /** The loopback port it listens on (kept across `down()`/`up()`). */
  port: number
  mode: ForwarderMode
  /** Connections accepted so far, whatever the mode. */
  accepted: number
  /** Stops listening and resets every open connection: a server gone (ECONNREFUSED, ECONNRESET). */
  down: () => Promise<void>
  /** Listens again on the same port. */
  up: () => Promise<void>
  close: () => Promise<void>
}

/**
 * A TCP forwarder on loopback in front of a server (PostgreSQL, say), which a test can take down,
 * bring back on the same port, or turn into a server that hangs up or never answers.
 */
export async function startTcpForwarder (targetHost: string, targetPort: number): Promise<TcpForwarder> {
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  let server: Server | undefined
  const forwarder: TcpForwarder = {
    port: 0,
    mode: 'pass',
    accepted: 0,
    async up () {
      const listening = createServer((socket) => {
        forwarder.accepted++
        track(socket)
        if (forwarder.mode === 'drop') return socket.destroy()
        if (forwarder.mode === 'blackhole') return
        const upstream = createConnection(targetPort, targetHost)
        track(upstream)
        socket.pipe(upstream).pipe(socket)
        socket.on('close', () => upstream.destroy())
        upstream.on('close', () => socket.destroy())
      })
      listening.listen(forwarder.port, '127.0.0.1')
      await once(listening, 'listening')
      forwarder.port = (listening.address() as { port: number }).port
      server = listening
    },
    async down () {
      const closing = server
      server = undefined
      for (const socket of sockets) socket.resetAndDestroy()
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()))
    },
    close: () => forwarder.down()
  }
  await forwarder.up()
  return forwarder
}
