import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import Fastify, { type FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { ProtectedResponseSchema, type ProtectedResponse } from '@repo/contracts/reports'
import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import { PROTECTED_MESSAGE } from '../protected-message.js'
import { caller, PROTECTED_PATH, type Target } from './in-process.js'

type Claims = ProtectedResponse['claims'] & { nbf?: number }
const AUDIENCE = 'consumer-service'
const TOLERANCE_SECONDS = 5

const BARE_CLAIMS: Claims = {
  iss: 'http://127.0.0.1:3001',
  sub: 'e71dbc7d-4974-4ec4-8517-68376820489c',
  aud: AUDIENCE,
  exp: 1795332208,
  iat: 1795331308,
  nbf: 1795331308,
  jti: '49ffa3f3-53d5-4129-be47-b26bc07f13c9',
  client_id: 'demo-client',
  scope: 'reports:read reports:write',
  role: 'write'
}

function fastify () {
  return Fastify({ logger: { level: 'warn' } }).withTypeProvider<TypeBoxTypeProvider>()
}

/** bench/src/bare-server.ts in this process: the route, its response schema, no authentication. */
export async function bareTarget (): Promise<Target> {
  const app = fastify()
  const body = { message: PROTECTED_MESSAGE, claims: BARE_CLAIMS }
  app.get(PROTECTED_PATH, { schema: { response: { 200: ProtectedResponseSchema } } }, async () => body)
  await app.ready()
  return { name: 'bare', call: caller('bare', app), close: () => app.close() }
}

/** A JOSE ECDSA signature (r ‖ s) as DER, as the reference converts it. */
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

/**
 * bench/src/peers/fastify-node-crypto.ts in this process, step for step (that file is a server
 * script, not a module): split, one `crypto.verify` with a prepared key, `iss`/`aud`/`exp`/`nbf`;
 * with `Authorization: DPoP`, the proof's signature with its own key and nothing else.
 */
export async function referenceTarget (issuer: FakeIssuer): Promise<Target> {
  const keys = new Map<string, { alg: SigningAlgorithm, key: KeyObject }>()
  for (const [alg, { kid, jwk }] of Object.entries(issuer.keys)) {
    keys.set(kid, { alg: alg as SigningAlgorithm, key: createPublicKey({ key: jwk as never, format: 'jwk' }) })
  }
  const proofKeys = new Map<string, KeyObject>()
  const proofVerifies = (proof: string | string[] | undefined): boolean => {
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
  const requestToken = ({ authorization, dpop }: FastifyRequest['headers']): string | undefined => {
    if (!authorization?.startsWith('DPoP ')) {
      return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined
    }
    return proofVerifies(dpop) ? authorization.slice('DPoP '.length) : undefined
  }
  const verified = (token: string | undefined): Claims | undefined => {
    const [header, payload, signature, extra] = token?.split('.') ?? []
    if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) return
    const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: unknown, kid?: unknown }
    const key = typeof kid === 'string' ? keys.get(kid) : undefined
    if (!key || alg !== key.alg) return
    const input = Buffer.from(`${header}.${payload}`)
    const bytes = Buffer.from(signature, 'base64url')
    const valid = alg === 'EdDSA'
      ? verify(null, input, key.key, bytes)
      : verify('sha256', input, key.key, alg === 'ES256' ? p1363ToDer(bytes) : bytes)
    if (!valid) return
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims
    const now = Date.now() / 1000
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (claims.iss !== issuer.origin || !audience.includes(AUDIENCE)) return
    if (typeof claims.exp !== 'number' || claims.exp + TOLERANCE_SECONDS < now) return
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf - TOLERANCE_SECONDS > now)) return
    return claims
  }

  const app = fastify()
  // Declared on FastifyRequest by peers/fastify-node-crypto.ts, which this mirrors.
  app.decorateRequest('verifiedClaims', undefined)
  await app.register(async (api) => {
    api.addHook('onRequest', (request, reply, done) => {
      let claims: Claims | undefined
      try {
        claims = verified(requestToken(request.headers))
      } catch {
        claims = undefined
      }
      if (!claims) return reply.code(401).send({ error: 'invalid_token' })
      request.verifiedClaims = claims
      done()
    })
    api.get('/protected', { schema: { response: { 200: ProtectedResponseSchema } } }, async (request) => ({
      message: PROTECTED_MESSAGE,
      claims: request.verifiedClaims as Claims
    }))
  }, { prefix: '/api/v1' })
  await app.ready()
  return { name: 'reference', call: caller('reference', app), close: () => app.close() }
}
