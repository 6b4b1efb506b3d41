import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'

export interface ListenOptions {
  port: number
  host: string
  /** How long in-flight requests get to finish after SIGTERM/SIGINT. */
  closeGraceMs?: number
}

/** Listens and closes the app on SIGTERM/SIGINT or a fatal error, letting in-flight requests finish. */
export async function startServer (app: FastifyInstance, { port, host, closeGraceMs = 10_000 }: ListenOptions) {
  closeWithGrace({ delay: closeGraceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after a fatal error')
    else app.log.info({ signal }, 'closing')
    await app.close()
  })
  await app.listen({ port, host })
}
