import { createPublicKey, type JsonWebKeyInput } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { CliError } from './cli-error.js'

/** JWK members that only a private or a symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
/** Key types a client assertion can be verified with (RS256, ES256, EdDSA). */
const ASSERTION_KEY_TYPES = ['RSA', 'EC', 'OKP']
/** A key set larger than this is not one a client needs to register. */
const MAX_JWKS_BYTES = 64 * 1024

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function keyProblem (key: unknown, index: number): string | undefined {
  const name = `key ${index}`
  if (!isObject(key)) return `${name} is not a JSON object`
  const secret = PRIVATE_MEMBERS.filter((member) => member in key)
  if (secret.length > 0) {
    return `${name} has private members (${secret.join(', ')}): register only the public half of a key pair`
  }
  if (typeof key.kty !== 'string') return `${name} has no kty`
  if (!ASSERTION_KEY_TYPES.includes(key.kty)) {
    return `${name} has kty "${key.kty}": use ${ASSERTION_KEY_TYPES.join(', ')}`
  }
  if (key.use !== undefined && key.use !== 'sig') {
    return `${name} has use ${JSON.stringify(key.use)}: client assertion keys are signature keys (use "sig")`
  }
  try {
    createPublicKey({ key, format: 'jwk' } as JsonWebKeyInput)
  } catch (error) {
    return `${name} is not a valid public ${key.kty} key: ${(error as Error).message}`
  }
  return undefined
}

/**
 * A client's JWK Set, as the service will verify its client assertions with: an object with a
 * non-empty `keys` array of public RSA, EC or OKP keys. Anything private (or symmetric) is refused, so
 * the database never holds a client's secret. Other top-level members are dropped.
 */
export function checkClientJwks (value: unknown): { keys: object[] } {
  if (!isObject(value) || !Array.isArray(value.keys)) {
    throw new CliError('the JWKS must be a JSON object with a "keys" array')
  }
  if (value.keys.length === 0) throw new CliError('the JWKS has no keys')
  value.keys.forEach((key, index) => {
    const problem = keyProblem(key, index)
    if (problem) throw new CliError(`the JWKS is refused: ${problem}`)
  })
  return { keys: value.keys as object[] }
}

/** Reads and checks a JWKS file (see `checkClientJwks`); every failure is one line naming the file. */
export async function readClientJwksFile (path: string): Promise<{ keys: object[] }> {
  let text: string
  try {
    if ((await stat(path)).size > MAX_JWKS_BYTES) {
      throw new CliError(`${path} is larger than ${MAX_JWKS_BYTES / 1024} KiB: not a JWKS`)
    }
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (error instanceof CliError) throw error
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new CliError(`cannot read the JWKS file ${path}: ${reason}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new CliError(`${path} is not JSON`)
  }
  try {
    return checkClientJwks(value)
  } catch (error) {
    if (error instanceof CliError) throw new CliError(`${path}: ${error.message}`)
    throw error
  }
}
