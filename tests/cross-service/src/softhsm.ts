import { createRequire } from 'node:module'
import { tempDir } from '@repo/service-harness/free-port'
import { SOFTHSM_MODULE, initSoftHsmToken } from '@repo/service-harness/softhsm'

const TOKEN = { label: 'cross-service', pin: 'cross-service-pin-5521', soPin: 'so-pin-77' }
const LABEL = TOKEN.label

export interface SoftHsmToken {
  /** The auth service's variables for SIGNING_KEY_STORE=pkcs11 on this token (SOFTHSM2_CONF included). */
  env: Record<string, string>
  /** Whether the token holds an object named `kid` (its public half needs no login to be seen). */
  holds: (kid: string) => boolean
  remove: () => Promise<void>
}

/** The little of pkcs11js this suite uses: it only looks into the token. */
interface Pkcs11 {
  load: (path: string) => void
  C_Initialize: () => void
  C_GetSlotList: (tokenPresent: boolean) => Buffer[]
  C_GetTokenInfo: (slot: Buffer) => { label: string }
  C_OpenSession: (slot: Buffer, flags: number) => Buffer
  C_FindObjectsInit: (session: Buffer, template: Array<{ type: number, value: Buffer }>) => void
  C_FindObjects: (session: Buffer, max: number) => Buffer[]
  C_FindObjectsFinal: (session: Buffer) => void
  C_CloseSession: (session: Buffer) => void
  C_Finalize: () => void
  close: () => void
}
interface Pkcs11js { PKCS11: new () => Pkcs11, CKF_SERIAL_SESSION: number, CKA_ID: number }
/** pkcs11js as the auth service depends on it (not a dependency of this suite of its own). */
const pkcs11js = createRequire(import.meta.resolve('@repo/auth-service/package.json'))('pkcs11js') as Pkcs11js

/** A fresh SoftHSM token in a temporary directory, with its PIN in a file, for processes started by a test. */
export async function softHsmToken (): Promise<SoftHsmToken> {
  const dir = await tempDir('softhsm-')
  const { conf, env } = initSoftHsmToken({ dir: dir.path, ...TOKEN })
  return {
    env,
    holds: (kid) => {
      // SoftHSM reads SOFTHSM2_CONF when the module is initialised, here and now only.
      process.env.SOFTHSM2_CONF = conf
      const module = new pkcs11js.PKCS11()
      module.load(SOFTHSM_MODULE)
      module.C_Initialize()
      try {
        const slot = module.C_GetSlotList(true).find((candidate) =>
          module.C_GetTokenInfo(candidate).label.trim() === LABEL)
        if (slot === undefined) throw new Error(`no SoftHSM token ${LABEL}`)
        const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION)
        module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_ID, value: Buffer.from(kid) }])
        const found = module.C_FindObjects(session, 4)
        module.C_FindObjectsFinal(session)
        module.C_CloseSession(session)
        return found.length > 0
      } finally {
        module.C_Finalize()
        module.close()
      }
    },
    remove: () => dir.remove()
  }
}
