import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { InputAborted, readFirstLine, readHidden } from '../../src/cli/read-secret.js'
import { FakeTerminal, screen } from './fake-terminal.js'

describe('readHidden at a terminal', () => {
  it.each<[string, string[], string]>([
    ['one chunk ended by Enter', ['s3cret pw\r'], 's3cret pw'],
    ['a keypress per chunk', [...'abc', '\r'], 'abc'],
    ['a newline instead of a carriage return', ['abc\n'], 'abc'],
    ['Ctrl-D', ['abc\u0004'], 'abc'],
    ['backspace (DEL)', ['abcd', '\u007f', 'e\r'], 'abce'],
    ['backspace (BS)', ['abcd\b\r'], 'abc'],
    ['backspace over a character outside the BMP', ['ab🔑', '\u007f', '\r'], 'ab'],
    ['backspace on nothing', ['\u007f\u007fab\r'], 'ab'],
    ['Ctrl-U, which clears the line', ['wrong', '\u0015', 'right\r'], 'right'],
    ['an arrow key, which is not part of it', ['ab', '\u001b[D', 'c\r'], 'abc'],
    ['a tab, which is not part of it', ['a\tb\r'], 'ab'],
    ['spaces and any Unicode', [' grüße ✓ \r'], ' grüße ✓ '],
    ['Enter with nothing typed', ['\r'], '']
  ])('reads %s', async (_case, chunks, expected) => {
    const terminal = new FakeTerminal()
    const display = screen()
    const secret = readHidden('Password: ', terminal, display.stream)
    for (const chunk of chunks) terminal.type(chunk)
    expect(await secret).toBe(expected)
    // The prompt and the newline after Enter: not one character of the secret, not even an asterisk.
    expect(display.text()).toBe('Password: \n')
    expect(terminal.rawModes).toEqual([true, false])
  })

  it('rejects on Ctrl-C and leaves raw mode', async () => {
    const terminal = new FakeTerminal()
    const display = screen()
    const secret = readHidden('Password: ', terminal, display.stream)
    terminal.type('abc\u0003def\r')
    await expect(secret).rejects.toBeInstanceOf(InputAborted)
    expect(display.text()).toBe('Password: \n')
    expect(terminal.rawModes).toEqual([true, false])
  })

  it('rejects when the terminal closes before Enter', async () => {
    const terminal = new FakeTerminal()
    const secret = readHidden('Password: ', terminal, screen().stream)
    terminal.end('abc')
    await expect(secret).rejects.toBeInstanceOf(InputAborted)
    expect(terminal.isRaw).toBe(false)
  })

  it('reads a second secret after the first, as a confirmation prompt does', async () => {
    const terminal = new FakeTerminal()
    const display = screen()
    const first = readHidden('Password: ', terminal, display.stream)
    terminal.type('one\r')
    expect(await first).toBe('one')
    const second = readHidden('Again: ', terminal, display.stream)
    terminal.type('two\r')
    expect(await second).toBe('two')
    expect(display.text()).toBe('Password: \nAgain: \n')
  })
})

describe('readFirstLine from a pipe', () => {
  it.each<[string, string[], boolean, string | undefined]>([
    ['a line ended by \\n', ['secret pw\n'], true, 'secret pw'],
    ['a line ended by \\r\\n', ['secret pw\r\n'], true, 'secret pw'],
    ['a last line without a newline', ['secret pw'], true, 'secret pw'],
    ['only the first of several lines', ['one\ntwo\n'], true, 'one'],
    ['a line in pieces', ['sec', 'ret', '\n'], true, 'secret'],
    ['an empty first line', ['\nsecond\n'], true, ''],
    ['nothing at all', [], true, undefined]
  ])('reads %s', async (_case, chunks, close, expected) => {
    const pipe = new PassThrough()
    const line = readFirstLine(pipe)
    for (const chunk of chunks) pipe.write(chunk)
    if (close) pipe.end()
    expect(await line).toBe(expected)
  })

  it('answers as soon as the first line is there, without waiting for the pipe to close', async () => {
    const pipe = new PassThrough()
    const line = readFirstLine(pipe)
    pipe.write('secret pw\nmore to come')
    expect(await line).toBe('secret pw')
    pipe.destroy()
  })
})
