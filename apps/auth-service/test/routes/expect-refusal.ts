import { expect } from 'vitest'

/** A userinfo refusal: its status, its `WWW-Authenticate` challenge, its body. */
export interface Refusal { status: number, challenge: string, body: Record<string, unknown> }

/** Checks `response` is exactly `refusal`, and not cacheable. */
export function expectRefusal (
  response: { statusCode: number, headers: Record<string, unknown>, body: string, json: () => unknown },
  { status, challenge, body }: Refusal
) {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.headers['www-authenticate']).toBe(challenge)
  expect(response.headers['cache-control']).toBe('no-store')
  expect(response.json()).toEqual(body)
}
