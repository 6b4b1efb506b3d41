import { ensureCertificates } from './ensure-certificates.js'

/**
 * `node dist/cli.js NAME...`: keeps a CA and a server certificate for NAME... (plus the names in
 * TLS_SERVER_NAMES, separated by commas or spaces) in CERTS_DIR (default ./certs), reusing what is
 * still good. docker-compose.tls.yml's one-shot `certs` service runs it before the services start.
 */
const extra = (process.env.TLS_SERVER_NAMES ?? '').split(/[\s,]+/).filter((name) => name.length > 0)
const names = [...process.argv.slice(2), ...extra]
const dir = process.env.CERTS_DIR || './certs'
try {
  const { actions } = await ensureCertificates({ dir, names })
  for (const action of actions) console.log(`dev-certs: ${action}`)
  console.log(
    `dev-certs: in ${dir}: ca/ (the CA, keep it private), server/ (certificate, key and CA for the TLS server), ` +
    'trust/ca.crt (for clients: NODE_EXTRA_CA_CERTS)'
  )
} catch (error) {
  console.error(`dev-certs: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
