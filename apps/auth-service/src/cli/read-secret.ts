import type { Readable, Writable } from 'node:stream'

/** `process.stdin` as far as reading a secret needs it; a test passes a stream of its own. */
export interface SecretInput extends Readable {
  isTTY?: boolean
  isRaw?: boolean
  setRawMode?: (raw: boolean) => unknown
}

/** Ctrl-C at a prompt. */
export class InputAborted extends Error {
  override name = 'InputAborted'
  readonly code = 'INPUT_ABORTED'
}

export const isTerminal = (input: SecretInput): boolean =>
  input.isTTY === true && typeof input.setRawMode === 'function'

const ENTER = new Set(['\r', '\n', '\u0004'])
const INTERRUPT = '\u0003'
const BACKSPACE = new Set(['\u007f', '\b'])
const KILL_LINE = '\u0015'
const ESCAPE = '\u001b'

/**
 * Prompts on `output` and reads one line from a terminal without echoing it: raw mode, so the
 * terminal shows nothing while the secret is typed. Enter (or Ctrl-D) ends it, Backspace deletes a
 * character, Ctrl-U the whole line, Ctrl-C rejects with `InputAborted`. Nothing but the prompt and
 * the final newline is written. Raw mode is switched back off whatever happens.
 */
export function readHidden (prompt: string, input: SecretInput, output: Writable): Promise<string> {
  const setRaw = input.setRawMode?.bind(input)
  if (!setRaw) return Promise.reject(new Error('readHidden needs a terminal (setRawMode)'))
  const wasRaw = input.isRaw === true
  return new Promise((resolve, reject) => {
    const chars: string[] = []
    const finish = (error?: Error) => {
      input.off('data', onData)
      input.off('end', onEnd)
      setRaw(wasRaw)
      input.pause()
      output.write('\n')
      if (error) reject(error)
      else resolve(chars.join(''))
    }
    const onData = (chunk: string | Buffer) => {
      const text = String(chunk)
      // An arrow or function key arrives as one escape sequence; it is not part of a secret.
      if (text.startsWith(ESCAPE)) return
      for (const char of text) {
        if (char === INTERRUPT) return finish(new InputAborted('interrupted'))
        if (ENTER.has(char)) return finish()
        if (BACKSPACE.has(char)) chars.pop()
        else if (char === KILL_LINE) chars.length = 0
        else if (char >= ' ') chars.push(char)
      }
    }
    const onEnd = () => finish(new InputAborted('the terminal closed'))
    setRaw(true)
    input.setEncoding('utf8')
    output.write(prompt)
    input.on('data', onData)
    input.on('end', onEnd)
    input.resume()
  })
}

/**
 * The first line of a pipe (without its `\n` or `\r\n`), as soon as it has arrived: it does not wait
 * for the writer to close the pipe. `undefined` when the pipe closes without a character.
 */
export function readFirstLine (input: Readable): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let text = ''
    const finish = (line: string | undefined) => {
      input.off('data', onData)
      input.off('end', onEnd)
      input.off('error', reject)
      input.pause()
      resolve(line)
    }
    const onData = (chunk: string | Buffer) => {
      text += String(chunk)
      const end = text.indexOf('\n')
      if (end !== -1) finish(text.slice(0, end).replace(/\r$/, ''))
    }
    const onEnd = () => finish(text === '' ? undefined : text.replace(/\r$/, ''))
    input.setEncoding('utf8')
    input.on('data', onData)
    input.on('end', onEnd)
    input.on('error', reject)
    input.resume()
  })
}
