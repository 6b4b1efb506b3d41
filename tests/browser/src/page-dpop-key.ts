import type { webcrypto } from 'node:crypto'
import type { Page } from 'playwright-core'

/** The page's DPoP key as any script in the page finds it in IndexedDB (apps/web/src/client/dpop-key.ts). */
export interface StoredDpopKey {
  privateExtractable: boolean
  publicExtractable: boolean
  /** The name of the error `crypto.subtle.exportKey` throws for the private key, or `exported`. */
  privateExport: string
  /** The public key's RFC 7638 thumbprint: the `jkt` its tokens are bound to. */
  jkt: string
}

/** Reads the stored key pair back from inside the page; null when none is stored. */
export function storedDpopKey (page: Page): Promise<StoredDpopKey | null> {
  return page.evaluate(async ({ name, store, key }) => {
    // Runs in the page (no DOM types in this project): the few IndexedDB members used, typed here.
    interface Request<T> { result: T, error: unknown, onsuccess: () => void, onerror: () => void }
    interface Database {
      objectStoreNames: { contains: (store: string) => boolean }
      transaction: (store: string) => { objectStore: (store: string) => { get: (key: string) => Request<unknown> } }
      close: () => void
    }
    interface Factory { databases: () => Promise<Array<{ name?: string }>>, open: (name: string) => Request<Database> }
    const { indexedDB } = globalThis as unknown as { indexedDB: Factory }
    const settled = <T>(request: Request<T>) => new Promise<T>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    // Opening a database that does not exist would create it empty: look first.
    if (!(await indexedDB.databases()).some((database) => database.name === name)) return null
    const database = await settled(indexedDB.open(name))
    try {
      if (!database.objectStoreNames.contains(store)) return null
      const stored = await settled(database.transaction(store).objectStore(store).get(key))
      const pair = stored as webcrypto.CryptoKeyPair | undefined
      if (pair === undefined) return null
      const privateExport = await crypto.subtle.exportKey('pkcs8', pair.privateKey)
        .then(() => 'exported', (error: unknown) => error instanceof Error ? error.name : String(error))
      const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey)
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })))
      const jkt = btoa(String.fromCharCode(...new Uint8Array(digest)))
        .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
      return {
        privateExtractable: pair.privateKey.extractable,
        publicExtractable: pair.publicKey.extractable,
        privateExport,
        jkt
      }
    } finally {
      database.close()
    }
  }, { name: 'reports-web', store: 'keys', key: 'dpop' })
}
