import { sealedKeyCustody } from '../src/keys/sealed-key-custody.js'
import { generateKeyEncryptionKey, parseKeyEncryptionKeys } from '../src/keys/sealing/index.js'

/** The KEY_ENCRYPTION_KEYS of every test database that more than one process (or a test) opens. */
export const TEST_KEK = generateKeyEncryptionKey()

/** The key custody a service started with `KEY_ENCRYPTION_KEYS: TEST_KEK` uses: what a second process would build. */
export const testCustody = sealedKeyCustody(parseKeyEncryptionKeys(TEST_KEK))
