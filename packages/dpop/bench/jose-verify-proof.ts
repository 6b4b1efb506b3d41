// The jose-based verification this package shipped first (jwtVerify + EmbeddedJWK: a WebCrypto key
// import and an async WebCrypto verify per proof, then calculateJwkThumbprint through subtle.digest),
// kept only as the benchmark's reference (a). Claim checks are the same as the package's.
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose'
import { normalizeHtu } from '../dist/htu.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

export async function joseVerifyProof (proof: string, expect: { method: string, url: string, now: () => number }) {
  const [encodedHeader] = proof.split('.', 1)
  const jwk = JSON.parse(Buffer.from(encodedHeader ?? '', 'base64url').toString('utf8')).jwk
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw new Error('private member')
  const { payload } = await jwtVerify(proof, EmbeddedJWK, {
    typ: 'dpop+jwt', algorithms: ['ES256', 'EdDSA', 'RS256', 'PS256'], currentDate: new Date(expect.now())
  })
  if (payload['htm'] !== expect.method) throw new Error('htm')
  if (normalizeHtu(payload['htu'] as string) !== normalizeHtu(expect.url)) throw new Error('htu')
  if (Math.abs(expect.now() / 1000 - (payload.iat as number)) > 65) throw new Error('iat')
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti: payload.jti, iat: payload.iat }
}
