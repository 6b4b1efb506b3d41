import type { CookieSerializeOptions } from '@fastify/cookie'

/** A cookie's name and the attributes it is always set with. */
export interface CookieSpec {
  name: string
  options: CookieSerializeOptions
}

/** The browser cookies of the auth service. */
export interface BrowserCookies {
  /** The session: who is logged in at this browser (single sign-on). */
  session: CookieSpec
  /**
   * The pending request this browser started: the login and consent pages continue only the request
   * whose id this cookie holds, so a link to someone else's login page logs nobody in for them.
   */
  interaction: CookieSpec
}

/** How long a browser has to log in (and consent) before its pending request is gone. */
export const INTERACTION_LIFETIME_MS = 10 * 60 * 1000

/**
 * The cookies for an issuer. On HTTPS they are `__Host-` cookies (Secure, host-only, path `/`: no
 * subdomain or other path can set or shadow them); on plain HTTP (loopback during development) they
 * cannot be Secure, so not `__Host-` either. Always HttpOnly (no script reads them) and SameSite=Lax:
 * sent on the top-level navigation back from a client, not on cross-site subrequests.
 */
export function browserCookies (issuer: string): BrowserCookies {
  const secure = new URL(issuer).protocol === 'https:'
  const prefix = secure ? '__Host-' : ''
  const options: CookieSerializeOptions = { path: '/', httpOnly: true, secure, sameSite: 'lax' }
  return {
    session: { name: `${prefix}session`, options },
    interaction: { name: `${prefix}interaction`, options: { ...options, maxAge: INTERACTION_LIFETIME_MS / 1000 } }
  }
}
