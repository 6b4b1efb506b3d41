import Type, { type Static } from 'typebox'
import { DPOP_SIGNING_ALGS } from '@repo/dpop/constants'
import { DOCS_PREFIX } from '../plugins/api-docs.js'
import type { TrustedIssuer } from '../trusted-issuers.js'

const Strings = () => Type.Array(Type.String({ minLength: 1 }))

/**
 * RFC 9728 §2 protected resource metadata, the members the consumer publishes. Left out: `jwks_uri`
 * and `resource_signing_alg_values_supported` (it signs nothing), the mTLS and authorization-details
 * members (it takes neither), `resource_name` (a deployment's name is not the code's to choose).
 */
export const ProtectedResourceMetadataSchema = Type.Object({
  /** The resource identifier: the origin the document was fetched at (§3.3). */
  resource: Type.String({ minLength: 1 }),
  /** The trusted issuers, as their tokens' `iss` must read. */
  authorization_servers: Strings(),
  /** The scopes the routes require, as they declare them (`requireScope`). */
  scopes_supported: Strings(),
  /** `header` only: a token in the query or a form body is refused (RFC 6750 §2). */
  bearer_methods_supported: Strings(),
  /** The /docs page: every route, its scope and its answers. */
  resource_documentation: Type.String({ minLength: 1 }),
  /** The algorithms a DPoP proof may be signed with (RFC 9449 §7.1). */
  dpop_signing_alg_values_supported: Strings(),
  /** True only when every trusted issuer is `dpop: "required"`: the member speaks for the whole resource. */
  dpop_bound_access_tokens_required: Type.Boolean()
})
export type ProtectedResourceMetadata = Static<typeof ProtectedResourceMetadataSchema>

/** The document for one resource identifier (the origin the request reached). */
export function buildMetadataDocument (
  resource: string, issuers: readonly TrustedIssuer[], scopes: Iterable<string>
): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: issuers.map(({ issuer }) => issuer),
    scopes_supported: [...scopes],
    bearer_methods_supported: ['header'],
    resource_documentation: `${resource}${DOCS_PREFIX}`,
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
    // With one issuer "allowed", some bearer tokens are taken: the resource as a whole does not require DPoP.
    dpop_bound_access_tokens_required: issuers.every(({ dpop }) => dpop === 'required')
  }
}
