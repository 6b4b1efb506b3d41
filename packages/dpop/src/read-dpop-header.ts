import { DPOP_HEADER, PROOF_MAX_LENGTH } from './constants.js'

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** Why a request has no usable proof: none, more than one (§4.3 check 1), or not a compact JWS. */
export interface DpopHeaderProblem {
  problem: 'missing' | 'multiple' | 'malformed'
  /** For the log line. */
  reason: string
}

/**
 * The one DPoP proof of a request (RFC 9449 §4.3 check 1: exactly one `DPoP` HTTP header). Node joins
 * repeated headers of this name with ", ", and a compact JWS holds neither character, so a joined
 * value is seen for what it is.
 */
export function readDpopHeader (
  headers: Readonly<Record<string, string | string[] | undefined>>
): string | DpopHeaderProblem {
  const value = headers[DPOP_HEADER]
  if (value === undefined) return { problem: 'missing', reason: 'no DPoP header' }
  if (Array.isArray(value) || value.includes(',')) return { problem: 'multiple', reason: 'more than one DPoP header' }
  if (value.length > PROOF_MAX_LENGTH || !JWS_COMPACT.test(value)) {
    return { problem: 'malformed', reason: 'the DPoP header is not one compact JWS' }
  }
  return value
}
