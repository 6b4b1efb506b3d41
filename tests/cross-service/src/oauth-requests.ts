import { REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'

/** What the token or revocation endpoint answered: the status and the JSON body, if any. */
export interface OAuthAnswer {
  status: number
  body: Record<string, unknown>
  headers: Headers
}

async function postForm (
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {}
): Promise<OAuthAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form)
  })
  const text = await response.text()
  const body = text ? JSON.parse(text) as Record<string, unknown> : {}
  return { status: response.status, body, headers: response.headers }
}

/** The refresh-token grant of the login's public client (`demo-client`), at `authUrl`. */
export const refresh = (authUrl: string, refreshToken: string, clientId = 'demo-client') =>
  postForm(`${authUrl}${TOKEN_PATH}`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId })

/** RFC 7009 revocation of a refresh token by the login's public client, at `authUrl`. */
export const revoke = (authUrl: string, token: string, clientId = 'demo-client') =>
  postForm(`${authUrl}${REVOCATION_PATH}`, { token, client_id: clientId })

/** The client_credentials grant with client_secret_basic, at `authUrl`. */
export function clientCredentials (authUrl: string, clientId: string, secret: string) {
  const credentials = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')
  return postForm(`${authUrl}${TOKEN_PATH}`, { grant_type: 'client_credentials' }, {
    authorization: `Basic ${credentials}`
  })
}
