import Fastify from 'fastify'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { loggerOptions, probeLogLevel } from '../src/logger.js'

describe('loggerOptions', () => {
  it('redacts credentials wherever a log line carries them', async () => {
    const lines: string[] = []
    const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
    const options = loggerOptions({ level: 'info', pretty: false }) as object
    const app = Fastify({ logger: { ...options, stream } })
    app.get('/', async (request) => {
      request.log.info({ req: { headers: request.headers }, password: 'hunter2', token: 'eyJ.x.y', body: { password: 'p4ss' } }, 'seen')
      return 'ok'
    })
    await app.inject({ url: '/', headers: { authorization: 'Bearer eyJ.secret.sig' } })
    await app.close()

    const logs = lines.join('')
    expect(logs).toContain('"msg":"seen"')
    expect(logs).toContain('[Redacted]')
    for (const secret of ['hunter2', 'eyJ.x.y', 'p4ss', 'eyJ.secret.sig']) expect(logs).not.toContain(secret)
  })

  it('pretty-prints only when asked', () => {
    expect(loggerOptions({ level: 'info', pretty: true })).toHaveProperty('transport')
    expect(loggerOptions({ level: 'info', pretty: false })).not.toHaveProperty('transport')
  })

  it('writes JSON lines to stdout synchronously, so a crash loses none (the pretty worker is for terminals)', () => {
    expect(loggerOptions({ level: 'info', pretty: false })).toMatchObject({ stream: { fd: 1, sync: true } })
    expect(loggerOptions({ level: 'info', pretty: true })).not.toHaveProperty('stream')
  })

  it.each([['info', 'warn'], ['warn', 'warn'], ['silent', 'warn'], ['debug', 'debug'], ['trace', 'trace']])(
    'logs probe requests at LOG_LEVEL=%s only from %s up', (level, expected) => {
      expect(probeLogLevel(level)).toBe(expected)
    })
})
