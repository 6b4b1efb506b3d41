import type { ServiceContainer } from '@repo/service-harness/compose-stack'

/**
 * The most memory the container has used so far, in MiB: cgroup v2's `memory.peak`, or v1's
 * `memory.max_usage_in_bytes`. It counts the page cache too (reclaimable, never a reason to kill).
 */
export async function peakMemoryMiB (container: Pick<ServiceContainer, 'exec'>): Promise<number> {
  const bytes = await container.exec([
    'sh', '-c',
    'cat /sys/fs/cgroup/memory.peak 2>/dev/null || cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes'
  ])
  return Math.round(Number(bytes.trim()) / 1048576)
}

/** The peak resident set size of the container's Node process (`VmHWM`), in MiB. */
export async function nodePeakRssMiB (container: Pick<ServiceContainer, 'exec'>): Promise<number> {
  // By its command line: Node names its main thread MainThread, so /proc/<pid>/status says so too.
  const line = await container.exec([
    'sh', '-c',
    'for p in /proc/[0-9]*; do ' +
      'if tr "\\0" " " < $p/cmdline 2>/dev/null | grep -q "^node "; then grep VmHWM $p/status; fi; ' +
    'done'
  ])
  const kib = /VmHWM:\s+(\d+) kB/.exec(line)?.[1]
  if (kib === undefined) throw new Error(`no node process found: ${line}`)
  return Math.round(Number(kib) / 1024)
}

/** Runs `connections` loops of `request` until `seconds` have passed; counts the answers by status. */
export async function sustain (connections: number, seconds: number, request: (i: number) => Promise<number>) {
  const statuses: Record<number, number> = {}
  const until = Date.now() + seconds * 1000
  let i = 0
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < until) {
      const status = await request(i++)
      statuses[status] = (statuses[status] ?? 0) + 1
    }
  }))
  return statuses
}
