import type { Subject } from '@repo/contracts/ssf'
import { bothKey, clientKey, sessionKey, userKey } from './not-before.js'

/**
 * The not-before key a CAEP subject names, or why it names none this service can enforce. A complex
 * subject is one principal: all its members must match, so the key is their conjunction; a user
 * beside a session adds nothing (the session is that user's). A user is only this issuer's.
 */
export function subjectKey (subject: Subject, issuer: string): { key: string } | { problem: string } {
  if (subject.format === 'iss_sub') {
    return subject.iss === issuer ? { key: userKey(subject.sub) } : { problem: 'iss_sub names another issuer' }
  }
  if (subject.format === 'opaque') return { problem: 'an opaque subject names nothing a token carries' }
  const { user, session, application } = subject
  if (user !== undefined && user.iss !== issuer) return { problem: 'the user member names another issuer' }
  const principal = session !== undefined
    ? sessionKey(session.id)
    : user !== undefined ? userKey(user.sub) : undefined
  if (principal === undefined) {
    return application !== undefined ? { key: clientKey(application.id) } : { problem: 'an empty complex subject' }
  }
  return { key: application !== undefined ? bothKey(principal, application.id) : principal }
}
