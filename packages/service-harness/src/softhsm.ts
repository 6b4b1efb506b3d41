import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** SoftHSM2's PKCS#11 module: `SOFTHSM2_MODULE`, else Debian's and Ubuntu's path (as check-prerequisites). */
export const SOFTHSM_MODULE = process.env.SOFTHSM2_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so'

/** Why SoftHSM cannot be used here, or undefined when its module and `softhsm2-util` are installed. */
export function softHsmMissing (): string | undefined {
  if (!existsSync(SOFTHSM_MODULE)) return `SoftHSM2's module ${SOFTHSM_MODULE} is missing (apt-get install softhsm2)`
  if (spawnSync('softhsm2-util', ['--version']).error !== undefined) {
    return 'softhsm2-util is not on PATH (apt-get install softhsm2)'
  }
  return undefined
}

export interface SoftHsmTokenOptions {
  /** An existing directory the token, its configuration and its PIN file go in; the caller removes it. */
  dir: string
  label: string
  /** The user PIN, also written to `pinFile`. A throwaway token's PINs guard nothing. */
  pin: string
  soPin: string
  /** softhsm2.conf's `slots.mechanisms`, e.g. `-CKM_EDDSA` to make a token that lacks EdDSA. */
  mechanisms?: string
}

export interface SoftHsmTokenFiles {
  /** The softhsm2.conf SoftHSM must find in SOFTHSM2_CONF, the only place it reads its configuration from. */
  conf: string
  /** The user PIN followed by a line break, as an operator writes one. */
  pinFile: string
  /** The auth service's variables for SIGNING_KEY_STORE=pkcs11 on this token (SOFTHSM2_CONF included). */
  env: Record<string, string>
}

/** A fresh SoftHSM token in `dir`, made with `softhsm2-util --init-token`, and its user PIN in a file. */
export function initSoftHsmToken ({ dir, label, pin, soPin, mechanisms }: SoftHsmTokenOptions): SoftHsmTokenFiles {
  const conf = join(dir, 'softhsm2.conf')
  const lines = [`directories.tokendir = ${dir}`, 'objectstore.backend = file', 'log.level = ERROR']
  if (mechanisms !== undefined) lines.push(`slots.mechanisms = ${mechanisms}`)
  writeFileSync(conf, `${lines.join('\n')}\n`)
  const pinFile = join(dir, 'pin')
  writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 })
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'pipe' })
  return {
    conf,
    pinFile,
    env: {
      SOFTHSM2_CONF: conf,
      SIGNING_KEY_STORE: 'pkcs11',
      PKCS11_MODULE: SOFTHSM_MODULE,
      PKCS11_TOKEN_LABEL: label,
      PKCS11_PIN_FILE: pinFile
    }
  }
}
