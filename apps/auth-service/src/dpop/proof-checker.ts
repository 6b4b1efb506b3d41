import type { IncomingHttpHeaders } from 'node:http'
import type { NonceSource } from '@repo/dpop/nonce'
import { readDpopHeader } from '@repo/dpop/read-dpop-header'
import { replayKey, type ReplayCache } from '@repo/dpop/replay-cache'
import { DpopProofError, verifyProof, type VerifiedProof } from '@repo/dpop/verify-proof'

export interface ProofCheckerOptions {
  iatWindowSeconds: number
  clockToleranceSeconds: number
  /** Every proof's `jti`, until the proof could no longer be accepted anyway. */
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
   * The request's proof, checked (RFC 9449 §4.3) and its `jti` claimed; undefined without a DPoP header.
   * Throws DpopProofError: `code` is the error to answer, `reason` for the log.
   */
  proofOf: (headers: IncomingHttpHeaders, target: ProofTarget) => Promise<VerifiedProof | undefined>
  /** The nonce to send in `DPoP-Nonce`, when nonces are on. */
  currentNonce: () => string | undefined
}

/** Checks DPoP proofs for the endpoints of this service (one checker: one replay cache, one nonce source). */
export function createProofChecker (
  { iatWindowSeconds, clockToleranceSeconds, replayCache, nonces, now }: ProofCheckerOptions
): ProofChecker {
  return {
    async proofOf (headers, { method, url, accessToken }) {
      const proof = readDpopHeader(headers)
      if (typeof proof !== 'string') {
        if (proof.problem === 'missing') return undefined
        throw new DpopProofError(proof.reason)
      }
      const verified = await verifyProof(proof, {
        method, url, accessToken, nonces: nonces?.accepted(), iatWindowSeconds, clockToleranceSeconds, now
      })
      // Remembered as long as the proof could pass the iat check: after that it is refused anyway.
      const expiresAt = (verified.iat + iatWindowSeconds + clockToleranceSeconds) * 1000
      if (!await replayCache.claim(replayKey(verified.jkt, verified.jti), expiresAt, now())) {
        throw new DpopProofError('its jti was seen before (a replay), or the replay cache is full')
      }
      return verified
    },
    currentNonce: () => nonces?.current()
  }
}
