import { runAuthCli } from './service-process.js'

/** A client that logs people in through the browser (authorization code with PKCE), as `clients add` takes it. */
export interface BrowserClient {
  clientId: string
  /** Registered redirect URIs (at least one). */
  redirectUris: readonly string[]
  postLogoutRedirectUris?: readonly string[]
  /** Space-delimited; `openid reports:read reports:write` unless given. */
  scope?: string
  /** What the login page shows; the client id when absent. */
  name?: string
  /** Only through a pushed authorization request (RFC 9126). */
  requirePar?: boolean
  /** Asks the user's consent on first use. */
  thirdParty?: boolean
}

export const BROWSER_CLIENT_SCOPE = 'openid reports:read reports:write'

/** The `clients add` command line of a public (secretless) browser client. */
export function browserClientArgs (client: BrowserClient): string[] {
  return [
    'add', client.clientId, '--public',
    '--scope', client.scope ?? BROWSER_CLIENT_SCOPE,
    ...client.redirectUris.flatMap((uri) => ['--redirect-uri', uri]),
    ...(client.postLogoutRedirectUris ?? []).flatMap((uri) => ['--post-logout-redirect-uri', uri]),
    ...client.name === undefined ? [] : ['--name', client.name],
    ...client.requirePar === true ? ['--require-par'] : [],
    ...client.thirdParty === true ? ['--third-party'] : []
  ]
}

/**
 * Registers `client` with the auth service's clients CLI, on the database `env` names (the
 * service's own DATA_DIR or DATABASE_URL); throws with what the CLI said if it refused.
 */
export async function registerBrowserClient (env: Record<string, string>, client: BrowserClient): Promise<void> {
  const { code, stderr } = await runAuthCli('clients', browserClientArgs(client), env)
  if (code !== 0) throw new Error(`clients add ${client.clientId} exited with ${code}: ${stderr}`)
}
