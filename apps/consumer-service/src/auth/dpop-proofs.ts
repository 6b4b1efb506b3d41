import type { FastifyRequest } from 'fastify'
import { requestHtu } from '@repo/dpop/htu'
import { readDpopHeader } from '@repo/dpop/read-dpop-header'
import { replayKey, type ReplayCache } from '@repo/dpop/replay-cache'
import { DpopProofError, verifyProof, type VerifiedProof } from '@repo/dpop/verify-proof'
import { DpopRejection } from '../errors.js'
import { requestOrigin } from '../resource-metadata/resource-urls.js'

export interface DpopProofsOptions {
  /** `PUBLIC_URL`: the origin clients call; undefined: the request's own scheme and Host. */
  publicUrl: string | undefined
  /** `DPOP_IAT_WINDOW`: how far a proof's `iat` may be from now, besides the clock tolerance. */
  iatWindowSeconds: number
  clockToleranceSeconds: number
  /** Shared by the replicas (PostgreSQL), or this process's own, bounded (memory). */
  replayCache: ReplayCache
  /** Milliseconds since the epoch. */
  now: () => number
}

export interface DpopProofs {
  /**
   * The request's one DPoP proof, checked against the request (method, public URL) and the access
   * token it came with (`ath`). Throws DpopRejection.
   */
  verify: (request: FastifyRequest, accessToken: string) => VerifiedProof
  /**
   * Records a proof as used, once everything else about the request was accepted (so only holders
   * of a valid bound token can take room in the cache). `false`: seen before, or no room left.
   */
  claim: (proof: VerifiedProof) => boolean | Promise<boolean>
}

/** The proof checks of a resource server (RFC 9449 §7.1): those of §4.3, with `ath`, then the replay check. */
export function createDpopProofs (options: DpopProofsOptions): DpopProofs {
  const { publicUrl, iatWindowSeconds, clockToleranceSeconds, replayCache, now } = options
  // A proof cannot be accepted after iat + window + tolerance: that long its jti is remembered.
  const rememberMs = (iatWindowSeconds + clockToleranceSeconds) * 1000

  function verify (request: FastifyRequest, accessToken: string): VerifiedProof {
    const proof = readDpopHeader(request.headers)
    if (typeof proof !== 'string') throw new DpopRejection(proof.reason, 'dpop_proof')
    let url: string
    try {
      url = requestHtu(requestOrigin(publicUrl, request), request.url)
    } catch {
      // Only a Host header no URL can hold gets here (PUBLIC_URL is checked at start-up).
      throw new DpopRejection('the request\'s Host makes no URL', 'dpop_proof')
    }
    try {
      return verifyProof(proof, {
        method: request.method, url, accessToken, iatWindowSeconds, clockToleranceSeconds, now
      })
    } catch (error) {
      if (error instanceof DpopProofError) throw new DpopRejection(error.reason, 'dpop_proof')
      throw error
    }
  }

  const claim = ({ jkt, jti, iat }: VerifiedProof) =>
    replayCache.claim(replayKey(jkt, jti), iat * 1000 + rememberMs, now())

  return { verify, claim }
}
