import Type, { type Static } from 'typebox'
import { AccessTokenClaimsSchema } from './access-token.js'

/** Body of `GET /api/v1/protected`: a greeting and the claims the consumer verified. */
export const ProtectedResponseSchema = Type.Object({
  message: Type.String(),
  claims: AccessTokenClaimsSchema
})
export type ProtectedResponse = Static<typeof ProtectedResponseSchema>

/** A report stored by the consumer service. */
export const ReportSchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' })
})
export type Report = Static<typeof ReportSchema>

/** Body of `POST /api/v1/reports` (scope `reports:write`). */
export const CreateReportRequestSchema = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 })
}, { additionalProperties: false })
export type CreateReportRequest = Static<typeof CreateReportRequestSchema>

/** Body of `GET /api/v1/reports` (scope `reports:read`): the newest reports first. */
export const ReportListSchema = Type.Object({
  reports: Type.Array(ReportSchema)
})
export type ReportList = Static<typeof ReportListSchema>
