import type { FastifyRequest } from 'fastify'
import type { SsfReceiver } from '../../signals/ssf-bearer.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the SSF scope's authentication hook (routes/ssf/index.ts) before any SSF handler runs. */
    ssfReceiver: SsfReceiver | null
  }
}

/** The receiver the request was authenticated as; a handler outside the SSF scope has none (a bug). */
export function receiverOf (request: FastifyRequest): SsfReceiver {
  if (request.ssfReceiver === null) throw new Error('an SSF route outside the authenticated SSF scope')
  return request.ssfReceiver
}
