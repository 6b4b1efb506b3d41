import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readNewPassword } from '../../src/cli/read-new-password.js'
import { FakeTerminal, screen } from './fake-terminal.js'

/**
 * Types the answers as separate keypresses, all at once: what arrives before a prompt waits in the
 * stream for it, as typed-ahead input waits in a terminal.
 */
function answerPrompts (answers: string[], run: (terminal: FakeTerminal, display: ReturnType<typeof screen>) => Promise<string>) {
  const terminal = new FakeTerminal()
  const display = screen()
  const result = run(terminal, display)
  for (const answer of answers) terminal.type(answer)
  return { result, display }
}

describe('readNewPassword', () => {
  it('asks twice at a terminal and returns the password when both match', async () => {
    const { result, display } = answerPrompts(['correct horse\r', 'correct horse\r'],
      (terminal, display) => readNewPassword('alice', terminal, display.stream))
    expect(await result).toBe('correct horse')
    expect(display.text()).toBe('New password for alice: \nType it again: \n')
  })

  it('refuses two different answers', async () => {
    const { result } = answerPrompts(['correct horse\r', 'correct hose\r'],
      (terminal, display) => readNewPassword('alice', terminal, display.stream))
    await expect(result).rejects.toThrow('the two passwords differ; nothing was changed')
  })

  it('refuses a too short password before asking for it again', async () => {
    const { result, display } = answerPrompts(['short\r'], (terminal, display) => readNewPassword('alice', terminal, display.stream))
    await expect(result).rejects.toThrow('the password must be at least 8 characters')
    expect(display.text()).toBe('New password for alice: \n')
  })

  it.each<[string, string, string]>([
    ['a valid first line', 'correct horse\nignored\n', 'correct horse'],
    ['a line ended by \\r\\n', 'correct horse\r\n', 'correct horse']
  ])('reads %s from a pipe without prompting', async (_case, piped, expected) => {
    const pipe = new PassThrough()
    const display = screen()
    pipe.end(piped)
    expect(await readNewPassword('alice', pipe, display.stream)).toBe(expected)
    expect(display.text()).toBe('')
  })

  it.each<[string, string, string]>([
    ['an empty pipe', '', 'no password on standard input: type it at a terminal, or pipe it in as the first line'],
    ['an empty first line', '\nsecond line\n', 'the password must be at least 8 characters'],
    ['a short password', 'x\n', 'the password must be at least 8 characters'],
    ['a password over 1024 characters', `${'x'.repeat(1025)}\n`, 'the password must be at most 1024 characters']
  ])('refuses %s from a pipe', async (_case, piped, message) => {
    const pipe = new PassThrough()
    pipe.end(piped)
    await expect(readNewPassword('alice', pipe, screen().stream)).rejects.toThrow(message)
  })
})
