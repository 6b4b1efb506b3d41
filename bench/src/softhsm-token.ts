import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '@repo/service-harness/free-port'

/** SoftHSM2's PKCS#11 module: `SOFTHSM2_MODULE`, else Debian's and Ubuntu's path (as the auth service's tests). */
const SOFTHSM_MODULE = process.env.SOFTHSM2_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so'
const LABEL = 'bench'
// A throwaway token in a temporary directory: these PINs guard nothing.
const PIN = 'bench-pin-3141'
const SO_PIN = 'bench-so-pin-2718'

export interface SoftHsmToken {
  /** The auth service's variables for SIGNING_KEY_STORE=pkcs11 on this token (SOFTHSM2_CONF included). */
  env: Record<string, string>
  remove: () => Promise<void>
}

/** Why there is no SoftHSM here, or undefined when its module and `softhsm2-util` are installed. */
export function softHsmMissing (): string | undefined {
  if (!existsSync(SOFTHSM_MODULE)) return `SoftHSM2's module ${SOFTHSM_MODULE} is missing (apt-get install softhsm2)`
  if (spawnSync('softhsm2-util', ['--version']).error !== undefined) {
    return 'softhsm2-util is not on PATH (apt-get install softhsm2)'
  }
  return undefined
}

/**
 * A fresh SoftHSM token in a temporary directory, its user PIN in a file, as the auth service's tests
 * make one. SoftHSM reads its configuration from SOFTHSM2_CONF only, so the service gets it in `env`.
 */
export async function softHsmToken (): Promise<SoftHsmToken> {
  const dir = await tempDir('bench-softhsm-')
  try {
    const conf = join(dir.path, 'softhsm2.conf')
    await writeFile(conf, `directories.tokendir = ${dir.path}\nobjectstore.backend = file\nlog.level = ERROR\n`)
    const pinFile = join(dir.path, 'pin')
    await writeFile(pinFile, `${PIN}\n`, { mode: 0o600 })
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', LABEL, '--pin', PIN, '--so-pin', SO_PIN],
      { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'pipe' })
    return {
      env: {
        SOFTHSM2_CONF: conf,
        SIGNING_KEY_STORE: 'pkcs11',
        PKCS11_MODULE: SOFTHSM_MODULE,
        PKCS11_TOKEN_LABEL: LABEL,
        PKCS11_PIN_FILE: pinFile
      },
      remove: () => dir.remove()
    }
  } catch (error) {
    await dir.remove()
    throw error
  }
}
