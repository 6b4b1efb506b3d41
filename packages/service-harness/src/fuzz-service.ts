import { setImmediate as nextTurn } from 'node:timers/promises'
import fc from 'fast-check'
import { fuzzOperations, fuzzRequests, type FuzzCredentials, type FuzzRequest } from './schema-fuzz.js'

export type { FuzzCredentials, FuzzRequest } from './schema-fuzz.js'

export interface FuzzTarget {
  /** The service's own OpenAPI document (`/docs/json`). */
  document: { paths: Record<string, Record<string, unknown>> }
  /** Sends one request (`app.inject`, say) and resolves with its status code. */
  send: (request: FuzzRequest) => Promise<number>
  /** Every line the service has logged so far; the fuzz reads the ones each request adds. */
  logLines: readonly string[]
  credentials?: FuzzCredentials
}

export interface FuzzSettings {
  seed: number
  runsPerOperation: number
  /** An answer slower than this fails the operation. */
  maxAnswerMs?: number
}

const MAX_ANSWER_MS = 5000
const SHOWN = 300

const clip = (text: string) => text.length > SHOWN ? `${text.slice(0, SHOWN)}… (${text.length} characters)` : text

/** The request, every long value cut short: a failure report stays readable after shrinking gave up. */
export function describeRequest ({ method, url, headers, body }: FuzzRequest): string {
  const shown = Object.entries(headers).map(([name, value]) => `${name}: ${clip(value)}`)
  return [`${method} ${clip(url)}`, ...shown, ...(body === undefined ? [] : ['', clip(body)])].join('\n  ')
}

/** Sends `request`, and says what is wrong with how it was answered and logged, if anything. */
async function problemWith (target: FuzzTarget, request: FuzzRequest, maxAnswerMs: number) {
  const from = target.logLines.length
  let deadline: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => { deadline = setTimeout(() => resolve('late'), maxAnswerMs) })
  try {
    const status = await Promise.race([target.send(request), late])
    if (status === 'late') return `no answer within ${maxAnswerMs} ms`
    if (status >= 500) return `answered ${status}`
  } catch (error) {
    return `the request threw: ${error instanceof Error ? error.message : String(error)}`
  } finally {
    clearTimeout(deadline)
  }
  // The response line is logged once the response has finished, after inject resolves.
  await nextTurn()
  await nextTurn()
  const lines = target.logLines.slice(from)
  for (const secret of request.secrets) {
    const line = lines.find((logged) => logged.includes(secret))
    if (line !== undefined) return `logged a secret it was sent (${clip(secret)}): ${clip(line.trim())}`
  }
  return undefined
}

/**
 * Runs `runsPerOperation` generated requests against every operation of the document, seeded, and
 * returns one report per operation that failed: any 5xx, any answer slower than 5 s, and any log line
 * that carries a secret the request sent. Each report names the (shrunk) request.
 */
export async function fuzzService (target: FuzzTarget, settings: FuzzSettings): Promise<string[]> {
  const { seed, runsPerOperation, maxAnswerMs = MAX_ANSWER_MS } = settings
  const failures: string[] = []
  for (const operation of fuzzOperations(target.document)) {
    let problem: string | undefined
    const property = fc.asyncProperty(fuzzRequests(operation, target.credentials), async (request) => {
      problem = await problemWith(target, request, maxAnswerMs)
      return problem === undefined
    })
    // No shrinking: each attempt is a request, and a few seconds per service is the budget. The
    // report clips long values instead.
    const details = await fc.check(property, { seed, numRuns: runsPerOperation, endOnFailure: true })
    const example = details.counterexample?.[0]
    if (details.failed && example !== undefined) {
      failures.push(`${operation.method} ${operation.path}: ${problem ?? 'failed'}\n  ${describeRequest(example)}`)
    }
  }
  return failures
}
