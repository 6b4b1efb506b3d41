import Type, { type Static } from 'typebox'
import { RoleSchema } from './scopes.js'

/**
 * The auth service's UserInfo answer (OpenID Connect Core §5.3.2): who the access token's user is
 * now. `role` is this service's own claim, read from the user store at the time of the request.
 */
export const UserinfoResponseSchema = Type.Object({
  sub: Type.String({ minLength: 1 }),
  preferred_username: Type.String({ minLength: 1 }),
  role: RoleSchema
}, { additionalProperties: false })
export type UserinfoResponse = Static<typeof UserinfoResponseSchema>

/** The scope an access token needs at the UserInfo endpoint (OpenID Connect Core §5.3). */
export const OPENID_SCOPE = 'openid'
