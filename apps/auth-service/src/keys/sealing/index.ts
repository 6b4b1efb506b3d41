// Private signing keys sealed at rest: the database holds only envelopes that open with a
// key-encryption key (KEK) from the environment, so a copy of the database, a backup or a query log
// signs nothing on its own.
export {
  generateKeyEncryptionKey, KEK_FILE_NAME, readKekFile, readOrCreateKekFile, type KekFile
} from './kek-file.js'
export { HOW_TO_MAKE, kekIdOf, KekKeyring, parseKeyEncryptionKeys, type Kek } from './kek-keyring.js'
export { KeySealError, type KeySealErrorCode } from './key-seal-error.js'
export { isSealed, needsReseal, openPrivateKey, sealPrivateKey } from './private-key-seal.js'
