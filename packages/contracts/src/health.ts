import Type, { type Static } from 'typebox'

/** Body of `GET /health/live` and `GET /health/ready`. */
export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  /** With `unavailable`, when the service knows: what it is waiting for (`database unreachable (ECONNREFUSED)`). */
  reason: Type.Optional(Type.String())
})
export type Health = Static<typeof HealthSchema>
