/** The two calls of the README walkthrough, as functions. */
export async function login (authUrl: string, userName: string, password: string) {
  const response = await fetch(`${authUrl}/api/v1/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName, password })
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

export async function call (url: string, token: string | undefined, init: RequestInit = {}) {
  const headers = new Headers(init.headers)
  if (token) headers.set('authorization', `Bearer ${token}`)
  const response = await fetch(url, { ...init, headers })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) as Record<string, unknown> : undefined
  }
}

/** The access token from a successful login. */
export async function tokenFor (authUrl: string, userName: string, password: string): Promise<string> {
  const { status, body } = await login(authUrl, userName, password)
  if (status !== 200) throw new Error(`login as ${userName} answered ${status}`)
  return body.access_token as string
}
