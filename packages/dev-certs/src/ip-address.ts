import { isIP } from 'node:net'

/** The 4 or 16 bytes of an IP address, as a certificate's iPAddress name holds them. */
export function ipAddressBytes (address: string): ArrayBuffer {
  const version = isIP(address)
  if (version === 4) return new Uint8Array(address.split('.').map(Number)).buffer
  if (version !== 6) throw new Error(`"${address.slice(0, 100)}" is not an IP address`)
  // An IPv4 tail (::ffff:10.0.0.1) is two more groups.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`)
  const [head = '', tail] = text.split('::')
  const groups = (part: string | undefined) => part ? part.split(':') : []
  const missing = 8 - groups(head).length - groups(tail).length
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array(missing).fill('0'), ...groups(tail)]
  const bytes = new Uint8Array(16)
  all.forEach((group, index) => {
    const value = parseInt(group, 16)
    bytes[index * 2] = value >> 8
    bytes[index * 2 + 1] = value & 0xff
  })
  return bytes.buffer
}
