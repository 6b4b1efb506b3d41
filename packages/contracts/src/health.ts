import Type, { type Static } from 'typebox'

/** Body of `GET /health/live` and `GET /health/ready`. */
export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')])
})
export type Health = Static<typeof HealthSchema>
