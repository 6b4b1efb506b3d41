import Type, { type Static } from 'typebox'

/** Roles a user can hold in the auth service's user database. */
export const ROLES = ['read', 'write'] as const

export const RoleSchema = Type.Enum(ROLES)
export type Role = Static<typeof RoleSchema>

/** Scope that lets a token read reports on the consumer service. */
export const REPORTS_READ = 'reports:read'
/** Scope that lets a token create reports on the consumer service. */
export const REPORTS_WRITE = 'reports:write'

export type Scope = typeof REPORTS_READ | typeof REPORTS_WRITE

/**
 * The scopes each role is granted, in the order they appear in the `scope` claim.
 * `write` includes `read`: someone who may create reports may also list them.
 */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  read: [REPORTS_READ],
  write: [REPORTS_READ, REPORTS_WRITE]
}

/** Splits an RFC 6749 space-delimited `scope` string into its scopes. */
export function parseScope (scope: string): string[] {
  return scope.split(' ').filter((part) => part.length > 0)
}
