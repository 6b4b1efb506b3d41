import { PROTECTED_RESOURCE_METADATA_PATH } from '@repo/contracts/discovery'
import { HEALTH_TAG, healthOperations, type OperationDoc } from '@repo/service-kit/health-docs'

/** The groups of the /docs page, in the order it shows them. */
export const TAGS = [
  { name: 'Reports', description: 'The protected API: every route needs an access token from a trusted issuer.' },
  { name: 'Discovery', description: 'Public metadata: which issuers and scopes the API takes.' },
  HEALTH_TAG
]

/**
 * What the /docs page says about each operation, by `METHOD path` (`prefix`: where the protected
 * routes live), kept here rather than in the route schemas: the routes say what they accept, this says
 * what they are for. An operation missing here has no tag and is left out of the document
 * (`hideUntagged`): `/metrics` and, with `CORS_ORIGINS`, the CORS preflight route (`OPTIONS *`).
 */
export function operationsUnder (prefix: string): Record<string, OperationDoc> {
  return {
    [`GET ${prefix}/protected`]: {
      tags: ['Reports'],
      summary: 'Show the verified claims of the token',
      description: 'Any valid access token: answers a message and the claims the consumer verified (issuer, ' +
        'audience, expiry, RFC 9068 profile). 401 `invalid_token` with `WWW-Authenticate` for a missing or bad ' +
        'token; 503 with `Retry-After` when the key cannot be checked because its issuer is unreachable.'
    },
    [`GET ${prefix}/reports`]: {
      tags: ['Reports'],
      summary: 'List reports',
      description: 'Needs the scope `reports:read`; a token without it is 403 `insufficient_scope`.'
    },
    [`POST ${prefix}/reports`]: {
      tags: ['Reports'],
      summary: 'Create a report',
      description: 'Needs the scope `reports:write`; a token without it is 403 `insufficient_scope`. The report is ' +
        'stored in the service\'s database and answered with 201.'
    },
    [`GET ${PROTECTED_RESOURCE_METADATA_PATH}`]: {
      tags: ['Discovery'],
      summary: 'Protected resource metadata (RFC 9728)',
      description: 'The resource identifier (the origin called), the trusted issuers (`authorization_servers`), ' +
        'the scopes the routes require, `header` as the only bearer method, the DPoP proof algorithms, and ' +
        'whether every token must be DPoP-bound. Every `WWW-Authenticate` challenge names this URL as ' +
        '`resource_metadata`. Readable from any origin.'
    },
    ...healthOperations('Answers 200 once every trusted issuer has a usable key; else 503 with a `reason`.')
  }
}
