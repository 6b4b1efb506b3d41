import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, readFile, readlink } from 'node:fs/promises'

/**
 * What the kernel says about a server process, read from /proc by the bench: nothing runs inside
 * the process measured, so the consumer (whose code the bench doesn't touch) and the peers are
 * measured the same way, and all of a process's threads count (GC, libuv's pool).
 */

/** Clock ticks per second of the times in /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/**
 * The fields of /proc/<pid>/stat after the command name, which may hold spaces and parentheses:
 * everything after the last `)`. Index 0 is the state (field 3 in proc(5)).
 */
function statFields (stat: string): string[] {
  const end = stat.lastIndexOf(')')
  if (end < 0) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`)
  return stat.slice(end + 2).trim().split(/\s+/)
}

/** utime + stime (fields 14 and 15 of proc(5)), in clock ticks: the CPU time of every thread of the process so far. */
export function parseCpuTicks (stat: string): number {
  const fields = statFields(stat)
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`no utime/stime in: ${stat.slice(0, 80)}`)
  return utime + stime
}

/** The parent process id (field 4 of proc(5)). */
export function parseParentPid (stat: string): number {
  return Number(statFields(stat)[1])
}

/** The time a thread has run on a CPU so far, in nanoseconds: the first field of /proc/<pid>/task/<tid>/schedstat. */
export function parseSchedstatNanos (schedstat: string): number {
  const [first] = schedstat.trim().split(/\s+/)
  if (first === undefined || !/^\d+$/.test(first)) throw new Error(`not a schedstat line: ${schedstat.slice(0, 80)}`)
  return Number(first)
}

/** Whether the kernel keeps per-thread run times (CONFIG_SCHED_INFO); every Linux we run on does. */
const SCHEDSTAT = existsSync('/proc/self/schedstat')

/**
 * CPU time the process has used so far, in microseconds: the sum of its threads' run time in nanoseconds
 * (schedstat), so a short run is not rounded to the 10 ms clock ticks of /proc/<pid>/stat, which is read instead
 * where the kernel keeps no schedstat. A thread that exits takes its time with it: the servers measured keep
 * theirs (the main thread, V8's and libuv's pools) for their lifetime.
 */
export async function cpuMicros (pid: number): Promise<number> {
  if (!SCHEDSTAT) return parseCpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8')) * 1e6 / CLOCK_TICKS
  const tasks = await readdir(`/proc/${pid}/task`)
  // A thread gone between the listing and the read counts nothing (the servers' threads live as long as they do).
  const nanos = await Promise.all(tasks.map((tid) =>
    readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').then(parseSchedstatNanos, () => 0)))
  return nanos.reduce((sum, value) => sum + value, 0) / 1e3
}

/**
 * The CPU time every process of the machine has used so far (user, nice, system, irq, softirq, steal of the
 * `cpu` line of /proc/stat), in microseconds: what else ran beside a server is this minus the server's own and
 * the bench's.
 */
export async function machineBusyMicros (): Promise<number> {
  return parseMachineBusyTicks(await readFile('/proc/stat', 'utf8')) * 1e6 / CLOCK_TICKS
}

/** The busy ticks of the first (all CPUs) line of /proc/stat: every column but idle and iowait (proc(5)). */
export function parseMachineBusyTicks (stat: string): number {
  const line = stat.split('\n').find((candidate) => candidate.startsWith('cpu '))
  if (line === undefined) throw new Error('no cpu line in /proc/stat')
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
  return [user, nice, system, irq, softirq, steal].reduce((sum: number, value) => sum + (value ?? 0), 0)
}

/**
 * The socket inodes listening on `port`, from the text of /proc/net/tcp or /proc/net/tcp6
 * (local address `ADDR:PORT` in hex, state 0A is LISTEN, inode is the tenth column).
 */
export function listeningInodes (table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  return table.split('\n').slice(1).flatMap((line) => {
    const columns = line.trim().split(/\s+/)
    const [, local, , state, , , , , , inode] = columns
    return local?.endsWith(`:${hexPort}`) && state === '0A' && inode && inode !== '0' ? [inode] : []
  })
}

/**
 * The process among this one's children that listens on 127.0.0.1:`port`: the server a bench
 * started there, whatever started it (the harness doesn't hand out process ids).
 */
export async function pidListeningOn (port: number): Promise<number> {
  const readOrEmpty = (file: string) => readFile(file, 'utf8').catch(() => '')
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map(readOrEmpty))
  const sockets = new Set(tables.flatMap((table) => listeningInodes(table, port)).map((inode) => `socket:[${inode}]`))
  if (sockets.size === 0) throw new Error(`nothing listens on port ${port}`)
  for (const pid of await childPids()) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [])
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
      if (sockets.has(target)) return pid
    }
  }
  throw new Error(`no child process of ${process.pid} listens on port ${port}`)
}

async function childPids (): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name))
  const children = await Promise.all(pids.map(async (pid) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
    return stat !== undefined && parseParentPid(stat) === process.pid ? [Number(pid)] : []
  }))
  return children.flat()
}
