import { tempDir } from '@repo/service-harness/free-port'
import { initSoftHsmToken } from '@repo/service-harness/softhsm'

// A throwaway token in a temporary directory: these PINs guard nothing.
const TOKEN = { label: 'bench', pin: 'bench-pin-3141', soPin: 'bench-so-pin-2718' }

export interface SoftHsmToken {
  /** The auth service's variables for SIGNING_KEY_STORE=pkcs11 on this token (SOFTHSM2_CONF included). */
  env: Record<string, string>
  remove: () => Promise<void>
}

/**
 * A fresh SoftHSM token in a temporary directory, its user PIN in a file, as the auth service's tests
 * make one. SoftHSM reads its configuration from SOFTHSM2_CONF only, so the service gets it in `env`.
 */
export async function softHsmToken (): Promise<SoftHsmToken> {
  const dir = await tempDir('bench-softhsm-')
  try {
    const { env } = initSoftHsmToken({ dir: dir.path, ...TOKEN })
    return { env, remove: () => dir.remove() }
  } catch (error) {
    await dir.remove()
    throw error
  }
}
