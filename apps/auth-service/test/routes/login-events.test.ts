import { describe, expect, it } from 'vitest'
import { LOGIN_PATH } from '@repo/contracts/login'
import { buildTestApp, captureLogs } from '../helper.js'

const IP = '203.0.113.1'

describe('POST /api/v1/auth: audit events', () => {
  it('logs each login, successful or not, at info with the user name and client IP, and never the password', async () => {
    const { lines, logger } = captureLogs()
    const app = await buildTestApp({ LOGIN_FAILURE_LIMIT: '1/15m' }, { logger })
    const attempt = (userName: string, password: string) => app.inject({ method: 'POST', url: LOGIN_PATH, payload: { userName, password }, remoteAddress: IP })

    const ok = await attempt('Jane', 'pass123')
    expect(ok.statusCode).toBe(200)
    expect((await attempt('John', 'wrong-password-xyz')).statusCode).toBe(401)
    expect((await attempt('nobody', 'another-guess-abc')).statusCode).toBe(401)
    // Refused by a limit: no password was checked, so no login event.
    expect((await attempt('John', 'testpass')).statusCode).toBe(429)

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    const events = records.filter((record) => typeof record.event === 'string' && String(record.event).startsWith('login_'))
      .map(({ level, event, userName, sub, ip, ...rest }) => ({ level, event, userName, sub, ip, keys: Object.keys(rest).sort() }))
    const sub = JSON.parse(Buffer.from(String(ok.json().access_token).split('.')[1] as string, 'base64url').toString()).sub as string
    const others = ['hostname', 'msg', 'pid', 'reqId', 'time']
    expect(events).toEqual([
      { level: 30, event: 'login_succeeded', userName: 'Jane', sub, ip: IP, keys: others },
      { level: 30, event: 'login_failed', userName: 'John', sub: undefined, ip: IP, keys: others },
      { level: 30, event: 'login_failed', userName: 'nobody', sub: undefined, ip: IP, keys: others }
    ])
    expect(records.filter((record) => record.event === 'rate_limited')).toMatchObject([{ limit: 'failures_per_name_and_ip', ip: IP, name: 'John' }])
    const logs = lines.join('')
    for (const password of ['pass123', 'wrong-password-xyz', 'another-guess-abc', 'testpass']) expect(logs).not.toContain(password)
  })
})
