import { createHash } from 'node:crypto'
import { calculateJwkThumbprint, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose'
import {
  DPOP_ERRORS, DPOP_PROOF_TYP, DPOP_SIGNING_ALGS, PROOF_MAX_LENGTH, type DpopErrorCode, type DpopSigningAlg
} from './constants.js'
import { normalizeHtu } from './htu.js'

/** What the request a proof came with says the proof must claim. */
export interface ProofExpectations {
  /** The request's method (`htm`), compared exactly. */
  method: string
  /** The request's URL as its client saw it (`htu`), from `requestHtu`. */
  url: string
  /** With an access token: the proof must carry its hash (`ath`, §4.3 check 11). */
  accessToken?: string | undefined
  /** With server nonces: the proof's `nonce` must be one of these (§8, §9). */
  nonces?: readonly string[] | undefined
  algorithms?: readonly DpopSigningAlg[]
  /** How far `iat` may be from now, either way, before the proof is stale or from the future. */
  iatWindowSeconds: number
  clockToleranceSeconds: number
  /** Milliseconds since the epoch. */
  now: () => number
}

/** A proof that passed every check: its key's RFC 7638 thumbprint, and what the replay cache needs. */
export interface VerifiedProof {
  jkt: string
  jti: string
  /** Seconds since the epoch. */
  iat: number
  jwk: JWK
}

/**
 * Why a proof was refused: `code` is what the client is told (`invalid_dpop_proof`, or
 * `use_dpop_nonce` when only the nonce was missing or old); `reason` is for the log alone.
 */
export class DpopProofError extends Error {
  readonly code: DpopErrorCode
  readonly reason: string
  constructor (reason: string, code: DpopErrorCode = DPOP_ERRORS.invalidProof) {
    super(`DPoP proof refused: ${reason}`)
    this.name = 'DpopProofError'
    this.code = code
    this.reason = reason
  }
}

/** Members only a private or symmetric JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/** base64url(SHA-256(access token)): the `ath` claim (§4.2). */
export const accessTokenHash = (accessToken: string): string =>
  createHash('sha256').update(accessToken).digest('base64url')

const refuse = (reason: string): never => { throw new DpopProofError(reason) }

/**
 * Checks a DPoP proof (RFC 9449 §4.3) against the request it came with: one JWS whose header names
 * `typ: dpop+jwt`, an allowed asymmetric `alg` and a public `jwk` (jose's EmbeddedJWK takes nothing
 * else), signed by that key, claiming this request's method and URL, issued within the window, with
 * a `jti` (whose uniqueness the caller's replay cache checks), the access token's hash when there is
 * one, and the server's nonce when it wants one. Throws DpopProofError.
 */
export async function verifyProof (proof: string, expect: ProofExpectations): Promise<VerifiedProof> {
  if (proof.length > PROOF_MAX_LENGTH) refuse(`longer than ${PROOF_MAX_LENGTH} characters`)
  const jwk = embeddedJwk(proof)
  const privateMember = PRIVATE_MEMBERS.find((member) => member in jwk)
  if (privateMember !== undefined) refuse(`the jwk header has the private member "${privateMember}"`)
  let payload: Record<string, unknown>
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: DPOP_PROOF_TYP,
      algorithms: [...expect.algorithms ?? DPOP_SIGNING_ALGS],
      currentDate: new Date(expect.now())
    }))
  } catch (error) {
    return refuse(error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : 'not a JWS')
  }
  const { jti, htm, htu, iat, ath, nonce } = payload
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    refuse('jti must be a string of 1 to 256 characters')
  }
  if (htm !== expect.method) refuse(`htm ${String(htm).slice(0, 16)} is not the request's method ${expect.method}`)
  if (typeof htu !== 'string' || normalizeHtu(htu) !== normalizeHtu(expect.url) || normalizeHtu(htu) === undefined) {
    refuse('htu is not the request\'s URL (without query and fragment)')
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) refuse('iat must be a number')
  const skew = Math.abs(expect.now() / 1000 - (iat as number))
  if (skew > expect.iatWindowSeconds + expect.clockToleranceSeconds) {
    refuse(`iat is ${Math.round(skew)} s from now, more than the ${expect.iatWindowSeconds} s allowed`)
  }
  if (expect.accessToken !== undefined && ath !== accessTokenHash(expect.accessToken)) {
    refuse('ath is not the hash of the access token')
  }
  if (expect.nonces !== undefined && (typeof nonce !== 'string' || !expect.nonces.includes(nonce))) {
    throw new DpopProofError(nonce === undefined ? 'no nonce' : 'a nonce that is not current', DPOP_ERRORS.useNonce)
  }
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti: jti as string, iat: iat as number, jwk }
}

/** The `jwk` of the proof's protected header, before anything is verified. */
function embeddedJwk (proof: string): JWK {
  const [encodedHeader] = proof.split('.', 1)
  let header: unknown
  try {
    header = JSON.parse(Buffer.from(encodedHeader ?? '', 'base64url').toString('utf8'))
  } catch {
    return refuse('the header is not base64url JSON')
  }
  const jwk = typeof header === 'object' && header !== null ? (header as { jwk?: unknown }).jwk : undefined
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return refuse('the header has no jwk object')
  return jwk as JWK
}
