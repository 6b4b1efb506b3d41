import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { calculateJwkThumbprint, SignJWT } from 'jose'
import { DPOP_PROOF_TYP } from './constants.js'
import { loadOrCreateProofKey, ProofCliError } from './proof-key-file.js'
import { accessTokenHash } from './verify-proof.js'

/** Exit status of a command line that does not parse (a wrong method, URL or option). */
const USAGE_ERROR = 2

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

const USAGE = `usage: proof <METHOD> <URL> [access_token]   prints a DPoP proof (RFC 9449) for one request
       proof --thumbprint                     prints the key's RFC 7638 thumbprint (jkt, for dpop_jkt)
The key is an ES256 private JWK in DPOP_KEY_FILE (default ./.dpop-key.json), created on first use.
A proof is good for one request: make a new one for each.`

export interface ProofCliIo {
  env: Record<string, string | undefined>
  /** The directory relative paths are read from: where the user typed the command. */
  cwd: string
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Milliseconds since the epoch. */
  now?: () => number
}

/** `htu`: the URL without query and fragment (RFC 9449 §4.2). */
function proofUrl (text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ProofCliError(`not a URL: ${text}`, USAGE_ERROR)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProofCliError(`not an http(s) URL: ${text}`, USAGE_ERROR)
  }
  return `${url.origin}${url.pathname}`
}

/** Runs `proof` with its arguments (after the script name) and returns the exit status. */
export async function main (args: readonly string[], io: ProofCliIo): Promise<number> {
  // pnpm passes on a `--` typed after the script name.
  const words = args[0] === '--' ? args.slice(1) : args
  if (words[0] === '--help' || words[0] === '-h') {
    io.stdout(`${USAGE}\n`)
    return 0
  }
  try {
    const thumbprint = words.length === 1 && words[0] === '--thumbprint'
    if (!thumbprint && (words.length < 2 || words.length > 3)) throw new ProofCliError(USAGE, USAGE_ERROR)
    const [method = '', url = '', accessToken] = words
    if (!thumbprint && !METHODS.includes(method)) {
      throw new ProofCliError(`unknown method ${method} (one of ${METHODS.join(', ')})`, USAGE_ERROR)
    }
    const htu = thumbprint ? '' : proofUrl(url)
    const keyFile = resolve(io.cwd, io.env['DPOP_KEY_FILE'] ?? '.dpop-key.json')
    const key = await loadOrCreateProofKey(keyFile)
    if (key.created) io.stderr(`proof: created a new ES256 key in ${keyFile} (mode 0600)\n`)
    if (thumbprint) {
      io.stdout(`${await calculateJwkThumbprint(key.publicJwk, 'sha256')}\n`)
      return 0
    }
    const proof = await new SignJWT({
      jti: randomUUID(),
      htm: method,
      htu,
      iat: Math.floor((io.now ?? Date.now)() / 1000),
      ...accessToken === undefined ? {} : { ath: accessTokenHash(accessToken) }
    }).setProtectedHeader({ alg: 'ES256', typ: DPOP_PROOF_TYP, jwk: key.publicJwk }).sign(key.privateKey)
    io.stdout(`${proof}\n`)
    return 0
  } catch (error) {
    if (!(error instanceof ProofCliError)) throw error
    io.stderr(`proof: ${error.message}\n`)
    return error.exitCode
  }
}
