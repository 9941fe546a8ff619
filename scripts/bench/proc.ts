/**
 * Processes: run a command with a time limit and time it, sample a process's peak RSS from
 * /proc/<pid>/status, and read a process's I/O counters from /proc/<pid>/io.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** The line a benchmark child prints its JSON result after (its own log lines go to stdout too). */
export const RESULT_MARK = 'BENCH_RESULT '

/** The JSON a child printed after RESULT_MARK. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape its own child script prints (upload.ts, archive.ts); returning unknown means changing them
export function childResult<T>(r: CommandResult): T {
  const line = r.stdout.split('\n').find(l => l.startsWith(RESULT_MARK))
  if (r.code !== 0 || !line) {
    const cause = /^\w*Error\b.*$/m.exec(r.stderr)?.[0] ?? ''
    throw new Error(
      `benchmark child failed (exit ${String(r.code)}): ${cause}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`
    )
  }
  return JSON.parse(line.slice(RESULT_MARK.length)) as T
}

/** Runs a TypeScript file of scripts/bench in a child node, with the same tsx loader as this one. */
export function runTsChild(file: string, arg: unknown, timeoutMs: number): Promise<CommandResult> {
  return runCommand(process.execPath, [...process.execArgv, file, JSON.stringify(arg)], {
    timeoutMs,
    env: process.env
  })
}

/** A finished command. */
export interface CommandResult {
  code: number | null
  stdout: string
  stderr: string
  /** Spawn to exit, milliseconds. */
  ms: number
}

/** Runs a command to completion (killed after timeoutMs); never throws for a non-zero exit. */
export function runCommand(
  cmd: string,
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ms: performance.now() - started })
    })
  })
}

/**
 * Runs a command through sh and also returns the CPU time (user + system, milliseconds, 10 ms
 * resolution) it used: sh's cutime + cstime from /proc/<sh>/stat once the command was waited.
 */
export async function runCommandCpu(
  cmd: string,
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; statFile: string }
): Promise<CommandResult & { cpuMs: number }> {
  const script = '"$@"; s=$?; cat /proc/$$/stat > "$STAT_FILE"; exit $s'
  const r = await runCommand('sh', ['-c', script, 'sh', cmd, ...args], {
    ...o,
    env: { ...(o.env ?? process.env), STAT_FILE: o.statFile }
  })
  const fields = readFileSync(o.statFile, 'utf8').split(')').pop()?.trim().split(/\s+/) ?? []
  // After "pid (comm)": field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14.
  const ticks = Number(fields[13]) + Number(fields[14])
  return { ...r, cpuMs: ticks * 10 }
}

/** Throws with the command's output when it failed. */
export function check<R extends CommandResult>(what: string, r: R): R {
  if (r.code !== 0) {
    throw new Error(
      `${what} failed (exit ${String(r.code)}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`
    )
  }
  return r
}

/** Peak memory of a process as /proc/<pid>/status reported it, in bytes. */
export interface RssPeak {
  /** VmHWM: the kernel's own high-water mark of the resident set. */
  hwm: number
  /** The largest VmRSS seen by the sampler. */
  rss: number
  samples: number
}

/**
 * Samples /proc/<pid>/status every intervalMs until stop() is called or the process is gone.
 * VmHWM is the kernel's high-water mark, so a late sample still sees an earlier peak.
 */
export function sampleRss(pid: number, intervalMs = 20): { stop: () => RssPeak } {
  const peak: RssPeak = { hwm: 0, rss: 0, samples: 0 }
  const sample = (): void => {
    let status: string
    try {
      status = readFileSync(`/proc/${String(pid)}/status`, 'utf8')
    } catch {
      return
    }
    const hwm = kib(status, 'VmHWM')
    const rss = kib(status, 'VmRSS')
    if (hwm === undefined && rss === undefined) return // a zombie: no memory left
    peak.samples++
    peak.hwm = Math.max(peak.hwm, hwm ?? 0)
    peak.rss = Math.max(peak.rss, rss ?? 0)
  }
  sample()
  const timer = setInterval(sample, intervalMs)
  return {
    stop: () => {
      clearInterval(timer)
      sample()
      return { ...peak }
    }
  }
}

function kib(status: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s*(\\d+)\\s*kB`, 'm').exec(status)
  return m ? Number(m[1]) * 1024 : undefined
}

/** Bytes a process has read and written through syscalls (rchar/wchar of /proc/<pid>/io). */
export function ioCounters(pid: number | 'self' = 'self'): { rchar: number; wchar: number } {
  const io = readFileSync(`/proc/${String(pid)}/io`, 'utf8')
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(io)?.[1] ?? NaN)
  return { rchar: field('rchar'), wchar: field('wchar') }
}

/** VmHWM of a process (default this one): the peak resident set of its own address space. */
export function peakRss(pid: number | 'self' = 'self'): number {
  return kib(readFileSync(`/proc/${String(pid)}/status`, 'utf8'), 'VmHWM') ?? NaN
}

/**
 * Writes a preload script (for NODE_OPTIONS=--require) that records the process's VmHWM in a
 * file when it exits: a cross-check of the /proc sampler that cannot miss a peak in the last
 * milliseconds. (Not ru_maxrss: Linux keeps the forking parent's peak in it across exec.)
 * Returns the environment to give the process and the reader of the figure.
 */
export async function maxRssHook(dir: string): Promise<{
  env: (outFile: string) => Record<string, string>
  read: (outFile: string) => number | undefined
}> {
  const preload = path.join(dir, 'maxrss-preload.cjs')
  await mkdir(dir, { recursive: true })
  await writeFile(
    preload,
    `'use strict'
const out = process.env.BENCH_MAXRSS_FILE
if (out) process.on('exit', () => {
  const fs = require('node:fs')
  const m = /^VmHWM:\\s*(\\d+)\\s*kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))
  if (m) fs.writeFileSync(out, String(Number(m[1]) * 1024))
})
`
  )
  return {
    env: outFile => ({ NODE_OPTIONS: `--require ${preload}`, BENCH_MAXRSS_FILE: outFile }),
    read: outFile => {
      try {
        return Number(readFileSync(outFile, 'utf8'))
      } catch {
        return undefined
      }
    }
  }
}

/**
 * Node's own baseline: the peak RSS (VmHWM, read by the process itself as it ends) of an
 * empty node process of the same binary that runs the benchmark (Node 24), median of `runs`.
 */
export async function nodeBaseline(runs = 3): Promise<number> {
  const script =
    "process.stdout.write(/^VmHWM:\\s*(\\d+)/m.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])"
  const peaks: number[] = []
  for (let i = 0; i < runs; i++) {
    const r = check(
      'node -e',
      await runCommand(process.execPath, ['-e', script], { timeoutMs: 30_000 })
    )
    peaks.push(Number(r.stdout.trim()) * 1024)
  }
  return peaks.sort((a, b) => a - b)[Math.floor(peaks.length / 2)]
}
