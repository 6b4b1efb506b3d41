import { describe, expect, it } from 'vitest'
import { listenProblem } from '../src/start-server.js'

/** What `net.Server#listen` rejects with (Node sets `syscall`, `address` and `port` on it). */
const listenError = (code: string) => Object.assign(new Error(`listen ${code}: 127.0.0.1:3001`), { code, syscall: 'listen', address: '127.0.0.1', port: 3001 })

describe('listenProblem', () => {
  it.each([
    ['EADDRINUSE', 'port 3001 on 127.0.0.1 is already in use (another instance running? set PORT, or METRICS_PORT, to a free port)'],
    ['EACCES', 'cannot listen on port 3001 on 127.0.0.1 (EACCES)'],
    ['EADDRNOTAVAIL', 'cannot listen on port 3001 on 127.0.0.1 (EADDRNOTAVAIL)']
  ])('says %s in one line', (code, line) => {
    expect(listenProblem(listenError(code))).toBe(line)
  })

  it('leaves anything else to the stack trace: it would be a bug', () => {
    expect(listenProblem(new Error('boom'))).toBeUndefined()
    expect(listenProblem(Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'open' }))).toBeUndefined()
  })
})
