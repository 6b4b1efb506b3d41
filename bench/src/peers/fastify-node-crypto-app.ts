import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import Fastify, { type FastifyReply, type FastifyRequest, type HookHandlerDoneFunction } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { ProtectedResponseSchema, type ProtectedResponse } from '@repo/contracts/reports'
import { PROTECTED_MESSAGE } from '../protected-message.js'
import { ALLOWED_ALGS, CLOCK_TOLERANCE_SECONDS, bearerToken } from './peer-rules.js'

export interface ReferenceOptions {
  /** The issuer's published JWKs: each with a `kid` and an allowed `alg` is imported once, here. */
  jwks: Array<Record<string, unknown>>
  /** The exact `iss` a token must carry. */
  issuer: string
  audience: string
  logLevel: string
}

type Claims = ProtectedResponse['claims'] & { nbf?: number }
type VerificationKeys = Map<string, { alg: SigningAlgorithm, key: KeyObject }>
/** Proof keys by the proof's encoded header (one per client key): imported once, as the consumer does. */
type ProofKeys = Map<string, KeyObject>

function importKeys (jwks: ReferenceOptions['jwks']): VerificationKeys {
  const keys: VerificationKeys = new Map()
  for (const jwk of jwks) {
    const alg = jwk.alg as SigningAlgorithm
    if (typeof jwk.kid === 'string' && ALLOWED_ALGS.includes(alg)) {
      keys.set(jwk.kid, { alg, key: createPublicKey({ key: jwk as never, format: 'jwk' }) })
    }
  }
  return keys
}

/** A JOSE ECDSA signature (r ‖ s, 32 bytes each for P-256) as the DER that crypto.verify takes by default. */
function p1363ToDer (signature: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let start = 0
    while (start < bytes.length - 1 && bytes[start] === 0) start++
    const value = bytes.subarray(start)
    const padded = (value[0] as number) & 0x80 ? Buffer.concat([Buffer.of(0), value]) : value
    return Buffer.concat([Buffer.of(0x02, padded.length), padded])
  }
  const half = signature.length / 2
  const body = Buffer.concat([integer(signature.subarray(0, half)), integer(signature.subarray(half))])
  return Buffer.concat([Buffer.of(0x30, body.length), body])
}

/** A DPoP proof's ES256 signature, verified with its own `jwk`; no claim is looked at. */
function proofSignatureVerifies (proof: string | string[] | undefined, proofKeys: ProofKeys): boolean {
  const [header, payload, signature] = typeof proof === 'string' ? proof.split('.') : []
  if (header === undefined || payload === undefined || signature === undefined) return false
  let key = proofKeys.get(header)
  if (key === undefined) {
    const { jwk } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { jwk?: unknown }
    key = createPublicKey({ key: jwk as never, format: 'jwk' })
    proofKeys.set(header, key)
  }
  const input = Buffer.from(`${header}.${payload}`)
  return verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))
}

/** The token of `Authorization: Bearer` or, with a proof whose signature verifies, `Authorization: DPoP`. */
function requestToken ({ authorization, dpop }: FastifyRequest['headers'], proofKeys: ProofKeys): string | undefined {
  if (!authorization?.startsWith('DPoP ')) return bearerToken(authorization)
  return proofSignatureVerifies(dpop, proofKeys) ? authorization.slice('DPoP '.length) : undefined
}

function verified (
  token: string | undefined,
  keys: VerificationKeys,
  { issuer, audience: expected }: ReferenceOptions
): Claims | undefined {
  const [header, payload, signature, extra] = token?.split('.') ?? []
  if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) return undefined
  const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: unknown, kid?: unknown }
  const key = typeof kid === 'string' ? keys.get(kid) : undefined
  if (!key || alg !== key.alg) return undefined
  const input = Buffer.from(`${header}.${payload}`)
  const bytes = Buffer.from(signature, 'base64url')
  const valid = alg === 'EdDSA'
    ? verify(null, input, key.key, bytes)
    : verify('sha256', input, key.key, alg === 'ES256' ? p1363ToDer(bytes) : bytes)
  if (!valid) return undefined
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims
  const now = Date.now() / 1000
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (claims.iss !== issuer || !audience.includes(expected)) return undefined
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_TOLERANCE_SECONDS < now) return undefined
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf - CLOCK_TOLERANCE_SECONDS > now)) {
    return undefined
  }
  return claims
}

declare module 'fastify' {
  interface FastifyRequest {
    verifiedClaims: Claims | undefined
  }
}

/**
 * Reference, not a peer: the least a Fastify route can do to verify a token. Each key is imported
 * once, when the app is built (no refresh, no rotation: nobody should run this), and each request
 * pays one base64url decode of header and payload, one `crypto.verify` with the KeyObject itself
 * (its fastest form), and the rules every peer checks (the key's own algorithm, `iss`, `aud`, `exp`,
 * `nbf` with the 5 s tolerance). What it costs per fresh token, measured in the same run as
 * everything else, is the floor under any library.
 *
 * With `Authorization: DPoP`, it also verifies the `DPoP` header's signature with the key the proof's
 * header names (each key imported once) and checks nothing else: its cost over a bearer request is one
 * proof verification as a server pays it under load, the floor of the consumer's DPoP checks.
 *
 * Un-listened: fastify-node-crypto.ts serves it as its own process, the profiles inject into it.
 */
export async function buildReferenceApp (options: ReferenceOptions) {
  const keys = importKeys(options.jwks)
  const proofKeys: ProofKeys = new Map()
  const app = Fastify({ logger: { level: options.logLevel } }).withTypeProvider<TypeBoxTypeProvider>()
  app.decorateRequest('verifiedClaims', undefined)
  app.get('/health/ready', async () => ({ status: 'ok' }))

  await app.register(async (api) => {
    api.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      let claims: Claims | undefined
      try {
        claims = verified(requestToken(request.headers, proofKeys), keys, options)
      } catch {
        claims = undefined
      }
      if (!claims) {
        reply.code(401).send({ error: 'invalid_token' })
        return
      }
      request.verifiedClaims = claims
      done()
    })
    api.get('/protected', { schema: { response: { 200: ProtectedResponseSchema } } }, async (request) => ({
      message: PROTECTED_MESSAGE,
      claims: request.verifiedClaims as ProtectedResponse['claims']
    }))
  }, { prefix: '/api/v1' })
  return app
}
