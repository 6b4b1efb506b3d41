/**
 * What must survive the trip to the auth service and back: the PKCE verifier, `state` and `nonce` of
 * one sign-in, or the `state` of one sign-out. Not tokens: those live in memory only. Each is read
 * once and removed at once, so a callback opened twice finds nothing and is refused.
 */
export interface PendingSignIn {
  state: string
  nonce: string
  codeVerifier: string
  /** A `prompt=none` attempt: `login_required` then means "signed out", not a fault. */
  silent: boolean
}

const SIGN_IN = 'pending-sign-in'
const SIGN_OUT = 'pending-sign-out'

export function savePendingSignIn (pending: PendingSignIn): void {
  sessionStorage.setItem(SIGN_IN, JSON.stringify(pending))
}

export function takePendingSignIn (): PendingSignIn | undefined {
  const saved = sessionStorage.getItem(SIGN_IN)
  sessionStorage.removeItem(SIGN_IN)
  if (saved === null) return undefined
  try {
    return JSON.parse(saved) as PendingSignIn
  } catch {
    return undefined
  }
}

export function savePendingSignOut (state: string): void {
  sessionStorage.setItem(SIGN_OUT, state)
}

export function takePendingSignOut (): string | undefined {
  const state = sessionStorage.getItem(SIGN_OUT)
  sessionStorage.removeItem(SIGN_OUT)
  return state ?? undefined
}
