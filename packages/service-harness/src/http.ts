import { setTimeout as sleep } from 'node:timers/promises'
import { LOGIN_PATH } from '@repo/contracts/login'

/** `POST /api/v1/auth` on the auth service, as the README walkthrough does (`init`: a TLS dispatcher, say). */
export async function login (authUrl: string, userName: string, password: string, init: RequestInit = {}) {
  const response = await fetch(`${authUrl}${LOGIN_PATH}`, {
    ...init,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName, password })
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

/** The access token from a successful login; throws on any other answer. */
export async function tokenFor (
  authUrl: string,
  userName: string,
  password: string,
  init: RequestInit = {}
): Promise<string> {
  const { status, body } = await login(authUrl, userName, password, init)
  if (status !== 200) throw new Error(`login as ${userName} answered ${status}`)
  return body.access_token as string
}

export interface CallResult {
  status: number
  headers: Headers
  body: Record<string, unknown> | undefined
}

/** A request with an optional bearer token; the body is parsed when there is one. */
export async function call (url: string, token: string | undefined, init: RequestInit = {}): Promise<CallResult> {
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

export interface WaitForReadyOptions {
  timeoutMs?: number
  isGone?: () => string | false
  init?: RequestInit
}

/**
 * Polls `GET <url>/health/ready` until it answers 200. `isGone` lets a caller give up early (a
 * process that exited); `init` goes to every fetch (a TLS dispatcher); the error says how long it waited.
 */
export async function waitForReady (
  url: string,
  { timeoutMs = 15_000, isGone = () => false, init = {} }: WaitForReadyOptions = {}
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const gone = isGone()
    if (gone) throw new Error(gone)
    try {
      if ((await fetch(`${url}/health/ready`, init)).status === 200) return
    } catch {
      // not listening yet, or restarting
    }
    await sleep(50)
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`)
}
