/** The `typ` of a DPoP proof (RFC 9449 §4.2). */
export const DPOP_PROOF_TYP = 'dpop+jwt'

/**
 * The proof algorithms both services accept, published as `dpop_signing_alg_values_supported`:
 * asymmetric only (§4.2: never `none` or a MAC), the ones WebCrypto and every JOSE library sign with.
 */
export const DPOP_SIGNING_ALGS = ['ES256', 'EdDSA', 'RS256', 'PS256'] as const
export type DpopSigningAlg = typeof DPOP_SIGNING_ALGS[number]

/** The request header that carries a proof, and the response header that carries a server nonce (lower case). */
export const DPOP_HEADER = 'dpop'
export const DPOP_NONCE_HEADER = 'dpop-nonce'

/** The `Authorization` scheme of a DPoP-bound access token (§7.1). */
export const DPOP_SCHEME = 'DPoP'

/** The error codes of §5.10 and §7.1 (the token endpoint's `error`, the resource's challenge). */
export const DPOP_ERRORS = { invalidProof: 'invalid_dpop_proof', useNonce: 'use_dpop_nonce' } as const
export type DpopErrorCode = typeof DPOP_ERRORS[keyof typeof DPOP_ERRORS]

/** Far above any proof a client makes (an RSA-4096 key in its header is under 2 KiB); longer is not decoded. */
export const PROOF_MAX_LENGTH = 8192
