import { randomBytes } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { SIGNING_ALGORITHMS } from '@repo/contracts/access-token'
import { startFakeIssuer, type FakeIssuer } from '@repo/service-harness/fake-issuer'
import type { PeerReport, PreflightResult } from './peer-report.js'
import { PROTECTED_MESSAGE } from './protected-message.js'
import type { RunningServer } from './servers.js'

const now = () => Math.floor(Date.now() / 1000)
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as unknown

/**
 * Before any load: every server but the bare route must answer a valid token of each algorithm it
 * supports with the consumer's body, and refuse the tokens no verifier may let in. A second issuer
 * on loopback plays the attacker, with a JWKS of its own that nobody should fetch.
 */
export async function preflight (
  servers: readonly RunningServer[],
  issuer: FakeIssuer,
  report: PeerReport
): Promise<void> {
  const attacker = await startFakeIssuer()
  try {
    const publicPem = issuer.keys.RS256.publicKey.export({ type: 'spki', format: 'pem' })
    const tampered = issuer.token(issuer.keys.RS256).split('.')
    tampered[1] = Buffer.from(JSON.stringify(issuer.claims({ sub: 'someone-else' }))).toString('base64url')
    const refusals: Array<[string, string | undefined]> = [
      ['no token', undefined],
      ['expired 60 s ago', issuer.token(issuer.keys.RS256, {
        claims: { iat: now() - 600, nbf: now() - 600, exp: now() - 60 }
      })],
      ['other audience', issuer.token(issuer.keys.RS256, { claims: { aud: 'another-service' } })],
      ['untrusted issuer, its own JWKS', attacker.token(attacker.keys.RS256)],
      ['trusted iss, untrusted key', attacker.token(attacker.keys.RS256, { claims: { iss: issuer.origin } })],
      ['alg none', issuer.token(issuer.keys.RS256, { header: { alg: 'none' }, signer: 'none' })],
      ['HS256 keyed with the RSA public key', issuer.token(issuer.keys.RS256, {
        header: { alg: 'HS256' },
        signer: { hmac: publicPem }
      })],
      ['payload changed after signing', tampered.join('.')]
    ]

    for (const server of servers.filter(({ contender }) => contender.id !== 'bare')) {
      const { id, unsupported } = server.contender
      const url = `${server.process.url}/api/v1/protected`
      const results: PreflightResult[] = []
      for (const alg of SIGNING_ALGORITHMS) {
        const token = issuer.token(issuer.keys[alg])
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
        const body = await response.json().catch(() => undefined) as { message?: unknown, claims?: unknown } | undefined
        const same = body?.message === PROTECTED_MESSAGE && isDeepStrictEqual(body.claims, payloadOf(token))
        results.push({
          server: id,
          check: `valid ${alg}`,
          expected: unsupported[alg] ? 401 : 200,
          status: response.status,
          ...(response.ok && !same ? { bodyDiffers: true } : {})
        })
      }
      const attackerFetches = attacker.state.requests.jwks
      for (const [check, token] of refusals) {
        const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
        await response.arrayBuffer()
        results.push({ server: id, check, expected: 401, status: response.status })
      }

      const fetches = issuer.state.requests.jwks
      for (let i = 0; i < 3; i++) {
        const kid = randomBytes(32).toString('base64url').slice(0, 43)
        const token = issuer.token(issuer.keys.RS256, { header: { kid } })
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
        await response.arrayBuffer()
        if (i === 0) results.push({ server: id, check: 'unknown kid', expected: 401, status: response.status })
      }
      report.jwksFetches[id] = {
        unknownKids: issuer.state.requests.jwks - fetches,
        untrustedIssuer: attacker.state.requests.jwks - attackerFetches
      }
      report.preflight.push(...results)
    }
  } finally {
    await attacker.close()
  }
}
