// Per-proof cost of verifyProof, against the floor it cannot go under: one signature verification.
//   pnpm --filter @repo/dpop bench        (builds dist, then: node bench/verify-proof.bench.ts [iterations])
// Node 24 runs this file as is (type stripping); it imports the built dist/.
// For each algorithm, 300 proofs by one key (one client) are verified in turn, `iterations` times each way:
//   (a) the first jose-based verifier (bench/jose-verify-proof.ts),
//   (b) a bare node:crypto verify of each proof's signature with an already imported key,
//   (c) this package's verifyProof.
// Times are CPU time of the process (user + system, which counts libuv's thread pool, where WebCrypto
// verifies), so that other load on the machine matters less; the three run interleaved in rounds and
// each gets the median round.
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto'
import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { verifyProof } from '../dist/verify-proof.js'
import { joseVerifyProof } from './jose-verify-proof.ts'

const ALGS = ['ES256', 'EdDSA', 'RS256', 'PS256'] as const
const PROOFS = 300
const ROUNDS = 5
const iterations = Number(process.argv[2] ?? 2000)
const NOW = Date.now()
const expect = {
  method: 'GET', url: 'https://api.example/reports', iatWindowSeconds: 60, clockToleranceSeconds: 5, now: () => NOW
}

async function proofsFor (alg: string): Promise<{ proofs: string[], key: KeyObject }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = await exportJWK(publicKey)
  const proofs: string[] = []
  for (let i = 0; i < PROOFS; i++) {
    proofs.push(await new SignJWT({ jti: randomUUID(), htm: 'GET', htu: expect.url, iat: Math.floor(NOW / 1000) })
      .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk }).sign(privateKey))
  }
  return { proofs, key: createPublicKey({ key: jwk as never, format: 'jwk' }) }
}

function bareVerify (alg: string, key: KeyObject, proof: string): boolean {
  const dot = proof.lastIndexOf('.')
  const data = Buffer.from(proof.slice(0, dot))
  const signature = Buffer.from(proof.slice(dot + 1), 'base64url')
  switch (alg) {
    case 'ES256': return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
    case 'EdDSA': return verify(null, data, key, signature)
    case 'RS256': return verify('sha256', data, key, signature)
    default: return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
  }
}

/** Microseconds of CPU per call of `run` over the proofs, `iterations` calls. */
async function cpuPerCall (proofs: string[], run: (proof: string) => unknown): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < iterations; i++) {
    if (await run(proofs[i % proofs.length] as string) === false) throw new Error('a proof did not verify')
  }
  const used = process.cpuUsage(start)
  return (used.user + used.system) / iterations
}

const median = (values: number[]) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)] as number
const fmt = (us: number) => us.toFixed(1).padStart(7)

console.log(`${iterations} verifications per round, ${ROUNDS} rounds, median CPU µs per proof`)
console.log('alg   |  (a) jose | (b) bare verify | (c) verifyProof | (c)-(b) | (a)/(c)')
for (const alg of ALGS) {
  const { proofs, key } = await proofsFor(alg)
  const variants = {
    a: (proof: string) => joseVerifyProof(proof, expect),
    b: (proof: string) => bareVerify(alg, key, proof),
    c: (proof: string) => verifyProof(proof, expect)
  }
  const times: Record<keyof typeof variants, number[]> = { a: [], b: [], c: [] }
  for (const run of Object.values(variants)) await cpuPerCall(proofs, run) // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(variants)) times[name as 'a'].push(await cpuPerCall(proofs, run))
  }
  const [a, b, c] = [median(times.a), median(times.b), median(times.c)]
  console.log(`${alg.padEnd(5)} | ${fmt(a)}   | ${fmt(b)}         | ${fmt(c)}         | ${fmt(c - b)} | ${(a / c).toFixed(1)}`)
}
