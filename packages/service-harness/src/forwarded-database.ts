import { createTestDatabase } from './postgres-server.js'
import { startTcpForwarder, type TcpForwarder } from './tcp-forwarder.js'

/** A new test database that a service reaches only through a forwarder the test can take down. */
export interface ForwardedDatabase {
  /** The database's URL through the forwarder: the service's `DATABASE_URL`. */
  url: string
  /** `down()` is the outage, `up()` the return; `close()` it when the test ends. */
  forwarder: TcpForwarder
}

/**
 * A new, empty database on the server at `adminUrl` (a superuser's URL), behind a TCP forwarder on
 * loopback: a test takes PostgreSQL away from one service without stopping the server every other
 * test shares.
 */
export async function forwardedDatabase (adminUrl: string): Promise<ForwardedDatabase> {
  const direct = new URL(await createTestDatabase(adminUrl))
  const forwarder = await startTcpForwarder(direct.hostname, Number(direct.port))
  const url = new URL(direct)
  url.port = String(forwarder.port)
  return { url: url.toString(), forwarder }
}
