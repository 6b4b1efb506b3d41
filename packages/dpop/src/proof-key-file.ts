import { readFile, writeFile } from 'node:fs/promises'
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose'

/** The key a command-line client signs its proofs with, and the public half that goes in each proof. */
export interface ProofSigningKey {
  privateKey: CryptoKey
  publicJwk: JWK
}

/** An error for the person at the terminal, printed as one line; the command ends with `exitCode`. */
export class ProofCliError extends Error {
  override name = 'ProofCliError'
  readonly code = 'ERR_DPOP_PROOF_CLI'
  readonly exitCode: number

  constructor (message: string, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
  }
}

/**
 * The ES256 key pair kept in `path` (a private JWK), created there on first use with mode 0600 so that
 * successive proofs, and the tokens bound to them, share one key. `created` says it was just made.
 */
export async function loadOrCreateProofKey (path: string): Promise<ProofSigningKey & { created: boolean }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    // 'wx': never overwrite a key another run created meanwhile (its bound tokens would become useless).
    await writeFile(path, `${JSON.stringify(await exportJWK(privateKey), null, 2)}\n`, { mode: 0o600, flag: 'wx' })
    return { ...await loadOrCreateProofKey(path), created: true }
  }
  let jwk: JWK
  try {
    jwk = JSON.parse(text) as JWK
  } catch {
    throw new ProofCliError(`${path} is not JSON (an ES256 private JWK is expected)`)
  }
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new ProofCliError(`${path} is not an ES256 private JWK (kty EC, crv P-256, with d)`)
  }
  const { kty, crv, x, y } = jwk
  return { privateKey: await importJWK(jwk, 'ES256') as CryptoKey, publicJwk: { kty, crv, x, y }, created: false }
}
