import Type, { type Static } from 'typebox'

/** The state of one issuer's Shared Signals receiver, as `/health/ready` details show it. */
export const SignalsIssuerHealthSchema = Type.Object({
  /** `starting` until caught up; `unreachable` since a poll failed; `refusing` once that outlasted the grace. */
  state: Type.Union([
    Type.Literal('starting'), Type.Literal('live'), Type.Literal('unreachable'), Type.Literal('refusing'),
    Type.Literal('off')
  ]),
  stream_id: Type.Optional(Type.String()),
  /** When a poll last got an answer (ISO 8601). */
  last_poll_ok: Type.Optional(Type.String()),
  unreachable_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Not-before entries held for this issuer. */
  entries: Type.Integer({ minimum: 0 }),
  outage_policy: Type.Union([Type.Literal('serve'), Type.Literal('refuse')]),
  refusing_in_seconds: Type.Optional(Type.Integer({ minimum: 0 }))
})
export type SignalsIssuerHealth = Static<typeof SignalsIssuerHealthSchema>

/** Body of `GET /health/live` and `GET /health/ready`. */
export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  /** With `unavailable`, when the service knows: what it is waiting for (`database unreachable (ECONNREFUSED)`). */
  reason: Type.Optional(Type.String()),
  /** What the service can say about its dependencies: the consumer's Shared Signals receivers, by issuer. */
  details: Type.Optional(Type.Object({
    signals: Type.Optional(Type.Record(Type.String(), SignalsIssuerHealthSchema))
  }))
})
export type Health = Static<typeof HealthSchema>
