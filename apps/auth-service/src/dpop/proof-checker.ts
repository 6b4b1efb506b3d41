import type { IncomingHttpHeaders } from 'node:http'
import type { NonceSource } from '@repo/dpop/nonce'
import { readDpopHeader } from '@repo/dpop/read-dpop-header'
import { replayKey, type ReplayCache } from '@repo/dpop/replay-cache'
import { DpopProofError, verifyProof, type VerifiedProof } from '@repo/dpop/verify-proof'

export interface ProofCheckerOptions {
  iatWindowSeconds: number
  clockToleranceSeconds: number
  /** Every accepted proof's `jti`, until the proof could no longer be accepted anyway. */
  replayCache: ReplayCache
  /** With DPOP_NONCE: the proofs must carry one of its nonces. */
  nonces: NonceSource | undefined
  /** Milliseconds since the epoch. */
  now: () => number
}

/** What a request's proof must claim: its method and the URL its client sent it to. */
export interface ProofTarget {
  method: string
  url: string
  /** With an access token (the userinfo endpoint): the proof must carry its hash. */
  accessToken?: string
}

export interface ProofChecker {
  /**
   * The request's proof, checked (RFC 9449 §4.3, the nonce included) but not yet claimed; undefined
   * without a DPoP header. Throws DpopProofError: `code` is the error to answer, `reason` for the log.
   */
  verify: (headers: IncomingHttpHeaders, target: ProofTarget) => Promise<VerifiedProof | undefined>
  /**
   * Records the proof's `jti` (the replay check), once the rest of the request was accepted: only a
   * client with a valid grant or access token takes room in the replay cache. Throws DpopProofError
   * when it was seen before, or the cache has no room.
   */
  claim: (proof: VerifiedProof) => Promise<void>
  /** The nonce to send in `DPoP-Nonce`, when nonces are on. */
  currentNonce: () => string | undefined
}

/** Checks DPoP proofs for the endpoints of this service (one checker: one replay cache, one nonce source). */
export function createProofChecker (
  { iatWindowSeconds, clockToleranceSeconds, replayCache, nonces, now }: ProofCheckerOptions
): ProofChecker {
  return {
    async verify (headers, { method, url, accessToken }) {
      const proof = readDpopHeader(headers)
      if (typeof proof !== 'string') {
        if (proof.problem === 'missing') return undefined
        throw new DpopProofError(proof.reason)
      }
      return verifyProof(proof, {
        method, url, accessToken, nonces: nonces?.accepted(), iatWindowSeconds, clockToleranceSeconds, now
      })
    },
    async claim ({ jkt, jti, iat }) {
      // Remembered as long as the proof could pass the iat check: after that it is refused anyway.
      const expiresAt = (iat + iatWindowSeconds + clockToleranceSeconds) * 1000
      if (!await replayCache.claim(replayKey(jkt, jti), expiresAt, now())) {
        throw new DpopProofError('its jti was seen before (a replay), or the replay cache is full')
      }
    },
    currentNonce: () => nonces?.current()
  }
}
