import { FAULTS, Fault, isNetworkError } from './faults.js'

export interface Report {
  id: number
  title: string
  createdBy: string
  createdAt: string
}

/** The consumer refused the token: the page refreshes once and tries again before giving up. */
export class Unauthorized extends Error {
  readonly code = 'UNAUTHORIZED'
}

/** The `error` of an RFC 6750 challenge (`Bearer error="insufficient_scope", …`). */
function challengeError (response: Response): string | undefined {
  return /error="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1]
}

async function call (url: string, accessToken: string, init: RequestInit = {}): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${accessToken}` } })
  } catch (error) {
    if (isNetworkError(error)) throw FAULTS.consumerDown()
    throw error
  }
  if (response.status === 401) throw new Unauthorized()
  if (response.status >= 500) throw FAULTS.consumerDown()
  return response
}

export async function listReports (consumerUrl: string, accessToken: string): Promise<Report[]> {
  const response = await call(`${consumerUrl}/api/v1/reports`, accessToken)
  if (response.status === 403) {
    throw new Fault('Your account may not read reports.', 'reload-reports')
  }
  if (!response.ok) throw FAULTS.consumerDown()
  return (await response.json() as { reports: Report[] }).reports
}

/** Creates a report; a refusal for scope comes back as the sentence to show, not an exception. */
export async function createReport (
  consumerUrl: string, accessToken: string, title: string
): Promise<Report | { refused: string }> {
  const response = await call(`${consumerUrl}/api/v1/reports`, accessToken, {
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
