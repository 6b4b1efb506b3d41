import { hash } from 'node:crypto'
import type { JWK } from 'jose'
import { decodeBase64url, decodeJsonObject, splitCompactJws } from './compact-jws.js'
import { DPOP_ERRORS, PROOF_MAX_LENGTH, type DpopErrorCode, type DpopSigningAlg } from './constants.js'
import { normalizeHtu } from './htu.js'
import { checkProofHeader } from './proof-header.js'
import { ProofKeyCache, type RememberedHeader } from './proof-key-cache.js'
import { verifySignature } from './proof-signature.js'

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
  /** Where imported proof keys are kept; one cache per process by default. */
  keyCache?: ProofKeyCache
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

/** base64url(SHA-256(access token)): the `ath` claim (§4.2). */
export const accessTokenHash = (accessToken: string): string =>
  hash('sha256', accessToken, 'base64url')

const refuse = (reason: string): never => { throw new DpopProofError(reason) }

const defaultKeyCache = new ProofKeyCache()

/**
 * Checks a DPoP proof (RFC 9449 §4.3) against the request it came with: one compact JWS whose header
 * names `typ: dpop+jwt`, an allowed asymmetric `alg`, no `crit` or `b64` (no extension is understood
 * here), and a public `jwk` of the key type and size that `alg` needs, signed by that key, claiming this
 * request's method and URL, issued within the window, with a `jti` (whose uniqueness the caller's replay
 * cache checks), the access token's hash when there is one, and the server's nonce when it wants one.
 * Headers are checked and keys imported once per client (ProofKeyCache), and the signature verified with
 * node:crypto: a repeated client's proof costs one signature verification and a few microseconds.
 * Synchronous (nothing in it waits): no promise per proof. Throws DpopProofError.
 */
export function verifyProof (proof: string, expect: ProofExpectations): VerifiedProof {
  if (proof.length > PROOF_MAX_LENGTH) refuse(`longer than ${PROOF_MAX_LENGTH} characters`)
  const jws = splitCompactJws(proof)
  if (typeof jws === 'string') return refuse(jws)
  const { header, key } = checkedHeader(jws.encodedHeader, expect)
  const { alg, jwk } = header
  const signature = decodeBase64url(jws.encodedSignature)
  if (signature === undefined || !verifySignature(alg, key.key, jws.signingInput, signature)) {
    refuse('the signature does not verify with the jwk')
  }
  const payload = decodeJsonObject(jws.encodedPayload) ?? refuse('the payload is not a base64url JSON object')
  checkClaims(payload, expect)
  return { jkt: key.jkt, jti: payload['jti'] as string, iat: payload['iat'] as number, jwk }
}

/** The proof's header and its key: remembered from the client's earlier proofs, or checked and imported now. */
function checkedHeader (encodedHeader: string, expect: ProofExpectations): RememberedHeader {
  const keyCache = expect.keyCache ?? defaultKeyCache
  const allowed = (alg: DpopSigningAlg) => expect.algorithms === undefined || expect.algorithms.includes(alg)
  const remembered = keyCache.header(encodedHeader)
  if (remembered !== undefined) {
    if (!allowed(remembered.header.alg)) refuse(`alg ${remembered.header.alg} is not allowed`)
    return remembered
  }
  const header = checkProofHeader(encodedHeader)
  if (typeof header === 'string') return refuse(header)
  if (!allowed(header.alg)) refuse(`alg ${header.alg} is not allowed`)
  const key = keyCache.get(header.canonical)
  if (typeof key === 'string') return refuse(key)
  keyCache.rememberHeader(encodedHeader, { header, key })
  return { header, key }
}

const sameUrl = (htu: string, expected: string): boolean => {
  const claimed = normalizeHtu(htu)
  return claimed !== undefined && claimed === normalizeHtu(expected)
}

/** The claims of a proof whose signature verified (§4.3 checks 8 to 12). */
function checkClaims (payload: Record<string, unknown>, expect: ProofExpectations): void {
  const { jti, htm, htu, iat, ath, nonce, exp, nbf } = payload
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    refuse('jti must be a string of 1 to 256 characters')
  }
  if (htm !== expect.method) refuse(`htm ${String(htm).slice(0, 16)} is not the request's method ${expect.method}`)
  // Most clients write the URL as the server does: only another spelling is parsed and normalised.
  if (htu !== expect.url && (typeof htu !== 'string' || !sameUrl(htu, expect.url))) {
    refuse('htu is not the request\'s URL (without query and fragment)')
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) refuse('iat must be a number')
  const nowSeconds = expect.now() / 1000
  const skew = Math.abs(nowSeconds - (iat as number))
  if (skew > expect.iatWindowSeconds + expect.clockToleranceSeconds) {
    refuse(`iat is ${Math.round(skew)} s from now, more than the ${expect.iatWindowSeconds} s allowed`)
  }
  // Not asked of a proof, but a proof that says it has expired or is not valid yet is taken at its word.
  if (exp !== undefined && !(typeof exp === 'number' && exp > nowSeconds - expect.clockToleranceSeconds)) {
    refuse('exp is not a time in the future')
  }
  if (nbf !== undefined && !(typeof nbf === 'number' && nbf <= nowSeconds + expect.clockToleranceSeconds)) {
    refuse('nbf is not a time in the past')
  }
  if (expect.accessToken !== undefined && ath !== accessTokenHash(expect.accessToken)) {
    refuse('ath is not the hash of the access token')
  }
  if (expect.nonces !== undefined && (typeof nonce !== 'string' || !expect.nonces.includes(nonce))) {
    throw new DpopProofError(nonce === undefined ? 'no nonce' : 'a nonce that is not current', DPOP_ERRORS.useNonce)
  }
}
