/** The two halves of `Authorization: Basic` credentials; a half that is not valid form encoding is undefined. */
export interface BasicCredentials {
  id: string | undefined
  secret: string | undefined
}

function unform (value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/**
 * Reads `Authorization: Basic` credentials. RFC 6749 §2.3.1: the client id and secret are
 * form-encoded before they are joined by `:` and base64-encoded. Undefined when the header is not
 * Basic credentials at all.
 */
export function readBasicCredentials (authorization: string | undefined): BasicCredentials | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(authorization ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) }
}
