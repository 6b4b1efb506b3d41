import { ensureKeyEncryptionKey } from './ensure-key-encryption-key.js'

/**
 * `node dist/key-encryption-key-cli.js`: makes the file KEY_ENCRYPTION_KEYS_FILE names once, and keeps
 * it after that: the secret every auth-service replica of docker-compose.postgres.yml seals its signing
 * keys with. The overlay's one-shot `secrets` service runs it before the replicas start.
 */
const file = process.env.KEY_ENCRYPTION_KEYS_FILE
if (!file) {
  console.error('dev-certs: KEY_ENCRYPTION_KEYS_FILE must name the file to make (or keep)')
  process.exitCode = 1
} else {
  try {
    console.log(`dev-certs: ${await ensureKeyEncryptionKey(file)}`)
  } catch (error) {
    console.error(`dev-certs: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
