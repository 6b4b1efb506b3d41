/*
 * The page's DPoP key pair (RFC 9449): made by WebCrypto with a private key that cannot be exported, and
 * kept in IndexedDB, which stores a CryptoKey as the browser's own object (structured clone), still not
 * extractable. A reload, the silent sign-in after it and every refresh sign with the same key, so the
 * tokens bound to it keep working; sign-out deletes it. No script, this page's included, can read the
 * private key's bytes: a copied token has no key to go with it.
 */

const DATABASE = 'reports-web'
const STORE = 'keys'
const DPOP_KEY = 'dpop'

/** ES256, the algorithm every DPoP server supports (`dpop_signing_alg_values_supported`). */
const ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' }

/** An IndexedDB request as a promise. */
function settled<T> (request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
  })
}

function openDatabase (): Promise<IDBDatabase> {
  const request = indexedDB.open(DATABASE, 1)
  request.onupgradeneeded = () => { request.result.createObjectStore(STORE) }
  return settled(request)
}

async function inStore<T> (mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await openDatabase()
  try {
    return await settled(use(database.transaction(STORE, mode).objectStore(STORE)))
  } finally {
    database.close()
  }
}

const isKeyPair = (value: unknown): value is CryptoKeyPair =>
  typeof value === 'object' && value !== null && 'privateKey' in value && 'publicKey' in value

/** The stored key pair, or a new one stored now. Two tabs racing: `add` keeps the first, both use it. */
export async function dpopKeyPair (): Promise<CryptoKeyPair> {
  const stored: unknown = await inStore('readonly', (store) => store.get(DPOP_KEY))
  if (isKeyPair(stored)) return stored
  const created = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify'])
  try {
    await inStore('readwrite', (store) => store.add(created, DPOP_KEY))
    return created
  } catch (error) {
    const winner: unknown = await inStore('readonly', (store) => store.get(DPOP_KEY))
    if (isKeyPair(winner)) return winner
    throw error
  }
}

/** Forgets the key pair: the tokens bound to it can no longer be used, by anyone. */
export async function deleteDpopKeyPair (): Promise<void> {
  await inStore('readwrite', (store) => store.delete(DPOP_KEY))
}
