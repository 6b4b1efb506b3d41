// What a client_credentials grant costs beyond its signature, per algorithm, in one process, after
// `pnpm turbo run build` (docs/performance.md#grants-by-flow):
//   node bench/scripts/grant-rest-ab.mjs --blocks=20
// Three auth services (SQLite, one per algorithm, rate limits lifted, LOG_LEVEL=warn) answer injected
// client_secret_basic grants in blocks of 100, the services in turn (the order turned every block);
// after each block, 100 signatures with a key of the same algorithm in this thread. "rest" is the
// median over blocks of (CPU per grant − CPU per signature) of the same block: a signature measured
// beside its grants, not once for the run.
import { generateKeyPairSync, sign } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SIGNING_ALGORITHMS } from '@repo/contracts/access-token'
import { TOKEN_PATH } from '@repo/contracts/oauth'

// The service's own build, as its tests build it (the package exports its processes, not its app).
const { buildApp } = await import('../../apps/auth-service/dist/app.js')
const { loadConfig } = await import('../../apps/auth-service/dist/config.js')

const blocks = Number(process.argv.find((a) => a.startsWith('--blocks='))?.split('=')[1] ?? 20)
const BLOCK = 100
const WARMUP = 300
const cpu = () => { const { user, system } = process.cpuUsage(); return user + system }
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
const input = Buffer.from('x'.repeat(700)) // about the size of a token's signing input
const SIGNERS = {
  RS256: { digest: 'sha256', key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey },
  ES256: { digest: 'sha256', key: { key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, dsaEncoding: 'ieee-p1363' } },
  EdDSA: { digest: null, key: generateKeyPairSync('ed25519').privateKey }
}

async function service (alg) {
  const dir = await mkdtemp(join(tmpdir(), 'grant-rest-'))
  const app = await buildApp(loadConfig({
    DATA_DIR: dir, SIGNING_ALG: alg, LOG_LEVEL: 'warn', ISSUER: 'http://127.0.0.1:3001', OAUTH_RATE_LIMIT: '1000000/1s', SEED_DEMO_USERS: 'false'
  }))
  await app.ready()
  const client = { jwksUri: undefined, jwks: undefined, scope: 'reports:read', audience: 'reports-api', grantTypes: ['client_credentials'] }
  const { secret } = await app.clients.add({ ...client, clientId: 'bot', authMethod: 'client_secret_basic' }, Date.now())
  const headers = { authorization: `Basic ${Buffer.from(`bot:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }
  const grant = async () => {
    const answer = await app.inject({ method: 'POST', url: TOKEN_PATH, payload: 'grant_type=client_credentials', headers })
    if (answer.statusCode !== 200) throw new Error(`grant ${alg}: ${answer.statusCode} ${answer.body}`)
  }
  return { alg, grant, grants: [], signatures: [], close: async () => { await app.close(); await rm(dir, { recursive: true }) } }
}

const services = []
for (const alg of SIGNING_ALGORITHMS) services.push(await service(alg))
for (const { grant } of services) for (let i = 0; i < WARMUP; i++) await grant()
for (let block = 0; block < blocks; block++) {
  for (const measured of block % 2 === 0 ? services : [...services].reverse()) {
    let started = cpu()
    for (let i = 0; i < BLOCK; i++) await measured.grant()
    measured.grants.push((cpu() - started) / BLOCK)
    const { digest, key } = SIGNERS[measured.alg]
    started = cpu()
    for (let i = 0; i < BLOCK; i++) sign(digest, input, key)
    measured.signatures.push((cpu() - started) / BLOCK)
  }
}
console.log(`${blocks} blocks of ${BLOCK} grants per algorithm, Node ${process.version}; CPU µs, medians over blocks`)
console.log('alg\tgrant\tsignature\trest')
for (const { alg, grants, signatures } of services) {
  const rest = median(grants.map((micros, i) => micros - signatures[i]))
  console.log(`${alg}\t${median(grants).toFixed(1)}\t${median(signatures).toFixed(1)}\t${rest.toFixed(1)}`)
}
for (const { close } of services) await close()
