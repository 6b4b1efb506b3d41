import pkcs11 from 'pkcs11js'
import { ckrName, Pkcs11TokenError } from './pkcs11-error.js'

interface Loaded {
  module: pkcs11.PKCS11
  users: number
}

// A PKCS#11 library is initialised once per process (a second C_Initialize is refused), and
// C_Finalize ends every session in the process: signers of one module share it, counted.
const loaded = new Map<string, Loaded>()

/** The initialised module at `path`, loaded on first use; give it back with `releaseModule`. */
export function acquireModule (path: string): pkcs11.PKCS11 {
  const existing = loaded.get(path)
  if (existing !== undefined) {
    existing.users++
    return existing.module
  }
  const module = new pkcs11.PKCS11()
  try {
    module.load(path)
  } catch (error) {
    // The loader's reason (no such file, wrong architecture, missing symbol) names only the path.
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new Pkcs11TokenError('PKCS11_MODULE_UNLOADABLE', `PKCS#11 module ${path} could not be loaded: ${reason}`)
  }
  try {
    module.C_Initialize({ flags: pkcs11.CKF_OS_LOCKING_OK })
  } catch (error) {
    module.close()
    throw new Pkcs11TokenError('PKCS11_MODULE_UNLOADABLE',
      `PKCS#11 module ${path} did not initialise (${ckrName(error) ?? 'not a PKCS#11 error'})`)
  }
  loaded.set(path, { module, users: 1 })
  return module
}

/** Finalises and unloads the module when its last signer is done with it. */
export function releaseModule (path: string): void {
  const entry = loaded.get(path)
  if (entry === undefined || --entry.users > 0) return
  loaded.delete(path)
  try {
    entry.module.C_Finalize()
  } finally {
    entry.module.close()
  }
}
