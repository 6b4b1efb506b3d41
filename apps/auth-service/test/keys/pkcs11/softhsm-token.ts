import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pkcs11, { type Handle } from 'pkcs11js'
import { afterAll } from 'vitest'
import { SOFTHSM_MODULE, initSoftHsmToken, softHsmMissing } from '@repo/service-harness/softhsm'

export { SOFTHSM_MODULE }
export const LABEL = 'jwks-test'
export const PIN = 'user-pin-4711'
const SO_PIN = 'so-pin-0815'

export interface SoftHsmOptions {
  /** softhsm2.conf's `slots.mechanisms`, e.g. `-CKM_EDDSA` to make a token that lacks EdDSA. */
  mechanisms?: string
}

/**
 * A fresh SoftHSM token in a temporary directory, removed after the file's tests. Fails (never skips)
 * without SoftHSM. SoftHSM reads its configuration only from the SOFTHSM2_CONF variable, and only when
 * the module is initialised, so this sets it for the process: call it at the top of the test file,
 * and close every signer by the end of the file so the next file's initialisation reads its own.
 */
export function softHsmToken ({ mechanisms }: SoftHsmOptions = {}): void {
  if (softHsmMissing() !== undefined) {
    throw new Error(`SoftHSM2 is not installed (${SOFTHSM_MODULE} and softhsm2-util): ` +
      'sudo apt-get install softhsm2 (Debian, Ubuntu); elsewhere set SOFTHSM2_MODULE to its libsofthsm2.so')
  }
  const dir = mkdtempSync(join(tmpdir(), 'softhsm-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const { conf } = initSoftHsmToken({ dir, label: LABEL, pin: PIN, soPin: SO_PIN, mechanisms })
  process.env.SOFTHSM2_CONF = conf
}

/**
 * Reads attributes of the token's objects around the signer, as an attacker holding the PIN could:
 * `read(kid, class, attribute)` is the raw value or the token's CKR_* refusal. The module is already
 * initialised and logged in by the signer under test, which this shares.
 */
export function withRawSession<T> (work: (find: (kid: string, objectClass: number) => Handle[],
  read: (handle: Handle, attribute: number) => Buffer | string) => T): T {
  const module = new pkcs11.PKCS11()
  module.load(SOFTHSM_MODULE)
  let initialised = false
  try {
    module.C_Initialize()
    initialised = true
  } catch (error) {
    if ((error as Error).message !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw error
  }
  const [slot] = module.C_GetSlotList(true)
  const session = module.C_OpenSession(slot as Handle, pkcs11.CKF_SERIAL_SESSION)
  try {
    return work((kid, objectClass) => {
      module.C_FindObjectsInit(session, [{ type: pkcs11.CKA_ID, value: Buffer.from(kid) },
        { type: pkcs11.CKA_CLASS, value: objectClass }])
      try {
        return module.C_FindObjects(session, 16)
      } finally {
        module.C_FindObjectsFinal(session)
      }
    }, (handle, attribute) => {
      try {
        return module.C_GetAttributeValue(session, handle, [{ type: attribute }])[0]?.value ?? 'no value'
      } catch (error) {
        return (error as Error).message
      }
    })
  } finally {
    module.C_CloseSession(session)
    if (initialised) module.C_Finalize()
    module.close()
  }
}
