import { FAULTS, Fault, isNetworkError } from './faults.js'

export interface Report {
  id: number
  title: string
  createdBy: string
  createdAt: string
}

/** What a request to the consumer may carry besides its URL. */
export interface SendInit {
  method?: string
  headers?: Record<string, string>
  body?: string | null
}

/**
 * Sends one request to the consumer with the access token (`AuthClient.sender`: with a DPoP proof for a
 * bound token), returning any answer, refusals included; rejects only when nothing answered.
 */
export type Send = (url: string, init?: SendInit) => Promise<Response>

/** The consumer refused the token: the page refreshes once and tries again before giving up. */
export class Unauthorized extends Error {
  readonly code = 'UNAUTHORIZED'
}

/** The `error` of a challenge (`Bearer error="insufficient_scope", …`, or `DPoP algs="…", error="…"`). */
function challengeError (response: Response): string | undefined {
  return /error="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1]
}

async function call (send: Send, url: string, init: SendInit = {}): Promise<Response> {
  let response: Response
  try {
    response = await send(url, init)
  } catch (error) {
    if (isNetworkError(error)) throw FAULTS.consumerDown()
    throw error
  }
  // Bearer or DPoP alike (`invalid_token`, `invalid_dpop_proof`): refresh once, then say the sign-in ended.
  if (response.status === 401) throw new Unauthorized()
  if (response.status >= 500) throw FAULTS.consumerDown()
  return response
}

export async function listReports (consumerUrl: string, send: Send): Promise<Report[]> {
  const response = await call(send, `${consumerUrl}/api/v1/reports`)
  if (response.status === 403) {
    throw new Fault('Your account may not read reports.', 'reload-reports')
  }
  if (!response.ok) throw FAULTS.consumerDown()
  return (await response.json() as { reports: Report[] }).reports
}

/** Creates a report; a refusal for scope comes back as the sentence to show, not an exception. */
export async function createReport (
  consumerUrl: string, send: Send, title: string
): Promise<Report | { refused: string }> {
  const response = await call(send, `${consumerUrl}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title })
  })
  if (response.status === 403 && challengeError(response) === 'insufficient_scope') {
    return { refused: 'Your account may read reports but not create them. Ask an administrator for write access.' }
  }
  if (response.status === 400) return { refused: 'A report needs a title of 1 to 200 characters.' }
  if (response.status === 429) return { refused: 'Too many requests just now. Please wait a moment and try again.' }
  if (!response.ok) return { refused: 'The reports service did not accept this report. Please try again.' }
  return await response.json() as Report
}
