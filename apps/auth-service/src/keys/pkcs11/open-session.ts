import pkcs11 from 'pkcs11js'
import type { Handle } from 'pkcs11js'
import { ckrName, Pkcs11TokenError, tokenFailure } from './pkcs11-error.js'

/** Which token to use: by label (stable across re-plugging and re-initialising), else by slot index. */
export type TokenSelector = { tokenLabel: string } | { slotIndex: number }

export interface TokenSession {
  slot: Handle
  session: Handle
  /** The token's label, for messages. */
  label: string
}

const PIN_ERRORS: Record<string, [code: 'PKCS11_PIN_INCORRECT' | 'PKCS11_PIN_LOCKED', problem: string]> = {
  CKR_PIN_INCORRECT: ['PKCS11_PIN_INCORRECT', 'is incorrect'],
  CKR_PIN_LEN_RANGE: ['PKCS11_PIN_INCORRECT', 'has a length the token does not accept'],
  CKR_PIN_LOCKED: ['PKCS11_PIN_LOCKED', 'is locked after too many wrong tries: the security officer must unlock it']
}

function findSlot (module: pkcs11.PKCS11, selector: TokenSelector): { slot: Handle, label: string } {
  const slots = module.C_GetSlotList(true)
  const labelled = slots.map((slot) => ({ slot, label: module.C_GetTokenInfo(slot).label.trim() }))
  const found = 'tokenLabel' in selector
    ? labelled.find(({ label }) => label === selector.tokenLabel)
    : labelled[selector.slotIndex]
  if (found !== undefined) return found
  const wanted = 'tokenLabel' in selector ? `labelled "${selector.tokenLabel}"` : `in slot index ${selector.slotIndex}`
  // A free slot (SoftHSM always offers one) holds a token with no label yet: not worth listing.
  const present = labelled.filter(({ label }) => label !== '').map(({ label }) => `"${label}"`).join(', ') || 'none'
  throw new Pkcs11TokenError('PKCS11_TOKEN_NOT_FOUND', `PKCS#11: no token ${wanted} (tokens present: ${present})`)
}

/**
 * A read-write session on the selected token, logged in as its user. The PIN goes to the token and
 * nowhere else: no message quotes it. Another session of this process may have logged in already
 * (login is per process and token), which the token reports and this accepts.
 */
export function openSession (module: pkcs11.PKCS11, selector: TokenSelector, pin: string): TokenSession {
  const { slot, label } = findSlot(module, selector)
  let session: Handle
  try {
    session = module.C_OpenSession(slot, pkcs11.CKF_RW_SESSION | pkcs11.CKF_SERIAL_SESSION)
  } catch (error) {
    throw tokenFailure(`opening a session on token "${label}"`, error)
  }
  try {
    module.C_Login(session, pkcs11.CKU_USER, pin)
  } catch (error) {
    const name = ckrName(error)
    if (name === 'CKR_USER_ALREADY_LOGGED_IN') return { slot, session, label }
    module.C_CloseSession(session)
    const known = name === undefined ? undefined : PIN_ERRORS[name]
    if (known !== undefined) throw new Pkcs11TokenError(known[0], `PKCS#11: the PIN of token "${label}" ${known[1]}`)
    throw tokenFailure(`logging in to token "${label}"`, error)
  }
  return { slot, session, label }
}
