import { PassThrough, Writable } from 'node:stream'

/** A terminal's input as the secret reader sees it: a stream with `isTTY` and raw mode. */
export class FakeTerminal extends PassThrough {
  readonly isTTY = true
  isRaw = false
  /** Every raw-mode switch, in order. */
  readonly rawModes: boolean[] = []

  setRawMode (raw: boolean) {
    this.isRaw = raw
    this.rawModes.push(raw)
    return this
  }

  /** Types `keys` as one chunk, as a terminal delivers a keypress (or a paste). */
  type (keys: string) {
    this.write(keys)
  }
}

/** A stream collecting everything written to it, as the terminal would display it. */
export function screen () {
  let text = ''
  const stream = new Writable({
    write (chunk, _encoding, done) {
      text += String(chunk)
      done()
    }
  })
  return { stream, text: () => text }
}
