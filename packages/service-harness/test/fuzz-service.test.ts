import { describe, expect, it } from 'vitest'
import { fuzzService, type FuzzRequest } from '../src/fuzz-service.js'

/** One operation of each kind the fuzz generates for: no body, and a JSON body with a secret field. */
const DOCUMENT = {
  paths: {
    '/items': {
      get: {},
      post: {
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name', 'password'],
                properties: { name: { type: 'string' }, password: { type: 'string' } }
              }
            }
          }
        }
      }
    }
  }
}
const SETTINGS = { seed: 18, runsPerOperation: 30, maxAnswerMs: 200 }

/** A target that answers 200 and logs what `log` says about each request. */
type Answer = (request: FuzzRequest) => Promise<number> | number

function target (answer: Answer, log: (request: FuzzRequest) => string = () => 'ok') {
  const logLines: string[] = []
  return {
    document: DOCUMENT,
    logLines,
    send: async (request: FuzzRequest) => {
      logLines.push(log(request))
      return answer(request)
    }
  }
}

describe('fuzzService', () => {
  it('passes a service that answers every request in time and logs no secret', async () => {
    const clean = target(() => 400, (request) => `${request.method} ${request.url.split('?')[0]}`)
    expect(await fuzzService(clean, SETTINGS)).toEqual([])
  })

  it('reports a 5xx', async () => {
    const failures = await fuzzService(target((request) => request.method === 'POST' ? 500 : 200), SETTINGS)
    expect(failures).toEqual([expect.stringMatching(/^POST \/items: answered 500\n/)])
  })

  it('reports an answer slower than the bound', async () => {
    const never = () => new Promise<number>(() => {})
    const failures = await fuzzService(target((request) => request.method === 'GET' ? never() : 200), SETTINGS)
    expect(failures).toEqual([expect.stringMatching(/^GET \/items: no answer within 200 ms\n/)])
  })

  it.each([
    { where: 'the query string', log: (request: FuzzRequest) => request.url },
    { where: 'a header', log: (request: FuzzRequest) => JSON.stringify(request.headers) },
    { where: 'the body', log: (request: FuzzRequest) => request.body ?? '' }
  ])('reports a log line carrying a secret sent in $where', async ({ log }) => {
    const failures = await fuzzService(target(() => 200, log), SETTINGS)
    expect(failures.length).toBeGreaterThan(0)
    for (const failure of failures) {
      expect(failure).toMatch(/^(GET|POST) \/items: logged a secret it was sent \(S3cr3t[A-Za-z0-9]{20}/)
    }
  })

  it('reports a valid credential in a log line (a password given in `credentials`)', async () => {
    const logged = target(() => 200, (request) => request.body ?? '')
    const credentials = { fields: { password: ['hunter2-but-longer'] } }
    const failures = await fuzzService({ ...logged, credentials }, SETTINGS)
    expect(failures.join('\n')).toContain('logged a secret it was sent')
  })
})
