import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { freePort } from '@repo/service-harness/free-port'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import {
  CLOCK_TICKS, cpuMicros, listeningInodes, parseCpuTicks, parseMachineBusyTicks, parseParentPid, parseSchedstatNanos, pidListeningOn
} from '../src/proc-stats.js'

// proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
const stat = (comm: string) => `4242 (${comm}) S 17 4242 4242 0 -1 4194560 2631 0 0 0 1234 56 0 0 20 0 11 0 9000 1151336448 20000 18446744073709551615`

describe('parseCpuTicks', () => {
  it.each(['node', 'node server.js', 'a) b (c', ')'])('adds utime and stime whatever the command name (%s)', (comm) => {
    expect(parseCpuTicks(stat(comm))).toBe(1290)
    expect(parseParentPid(stat(comm))).toBe(17)
  })

  it('refuses a line that is not a stat line', () => {
    expect(() => parseCpuTicks('no parenthesis here')).toThrow(/not a \/proc/)
  })
})

describe('parseSchedstatNanos', () => {
  it('reads a thread\'s run time in nanoseconds, the first of schedstat\'s three fields', () => {
    expect(parseSchedstatNanos('296352268 453174782 312\n')).toBe(296352268)
    expect(() => parseSchedstatNanos('')).toThrow(/not a schedstat line/)
    expect(() => parseSchedstatNanos('x 1 2')).toThrow(/not a schedstat line/)
  })
})

describe('parseMachineBusyTicks', () => {
  it('adds every busy column of the all-CPUs line: not idle, not iowait, not a single CPU\'s line', () => {
    const stat = 'cpu  100 20 30 4000 50 6 7 8 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\nintr 5\n'
    expect(parseMachineBusyTicks(stat)).toBe(100 + 20 + 30 + 6 + 7 + 8)
    expect(() => parseMachineBusyTicks('intr 5\n')).toThrow(/no cpu line/)
  })
})

describe('listeningInodes', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:0BB8 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 20 4 30 10 -1',
    '   2: 0100007F:0BB9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31339 1 0000000000000000 100 0 0 10 0',
    ''
  ].join('\n')

  it('finds the listening socket of a port, not its connections or other ports', () => {
    expect(listeningInodes(table, 3000)).toEqual(['31337'])
    expect(listeningInodes(table, 3001)).toEqual(['31339'])
    expect(listeningInodes(table, 3002)).toEqual([])
  })
})

describe.runIf(process.platform === 'linux')('this machine\'s /proc', () => {
  it('counts this process\'s CPU time as it burns some', async () => {
    const before = await cpuMicros(process.pid)
    const started = process.cpuUsage()
    while (process.cpuUsage(started).user < 200_000);
    const used = await cpuMicros(process.pid) - before
    // Run time from schedstat is exact; /proc/<pid>/stat, where there is none, within two clock ticks.
    expect(used).toBeGreaterThanOrEqual(200_000 - 2e6 / CLOCK_TICKS)
  })

  it('finds the child process that listens on a port', async () => {
    const port = await freePort()
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`], { stdio: 'ignore' })
    onTestFinished(async () => {
      child.kill()
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
    })
    await vi.waitUntil(() => pidListeningOn(port).then(() => true, () => false), { timeout: 10_000, interval: 50 })
    expect(await pidListeningOn(port)).toBe(child.pid)
  })

  it('names no process when nothing listens', async () => {
    await expect(pidListeningOn(await freePort())).rejects.toThrow(/nothing listens/)
  })
})
