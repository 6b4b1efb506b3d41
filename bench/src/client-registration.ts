import { clientSecretIn } from '@repo/service-harness/client-secret'
import { runAuthCli } from '@repo/service-harness/service-process'

export { clientSecretIn }

/** `Basic` credentials for client_secret_basic (RFC 6749 2.3.1: each part form-encoded first). */
export function basicCredentials (clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`
}

/** Registers a confidential client (client_secret_basic) through the clients CLI; returns its secret. */
export async function registerClient (clientId: string, env: Record<string, string>): Promise<string> {
  const { code, stdout, stderr } = await runAuthCli('clients', ['add', clientId, '--scope', 'reports:read'], env)
  const secret = clientSecretIn(stdout)
  if (code !== 0 || secret === undefined) {
    // Never stdout: it may hold the secret.
    throw new Error(`clients add ${clientId} exited with ${code}: ${stderr.trim() || 'no secret in its output'}`)
  }
  return secret
}
