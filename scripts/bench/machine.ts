/**
 * The machine the figures were measured on: CPU model, cores, memory, and the versions of
 * node and of the compared tools (curl, zip).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'

/** What BENCHMARKS.md says about the machine. */
export interface Machine {
  cpu: string
  cores: number
  memory: string
  kernel: string
  node: string
  curl: string
  zip: string
}

/** Reads /proc/cpuinfo and asks the tools for their versions. */
export function describeMachine(): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    curl: firstLine('curl', ['--version']).split(' ').slice(0, 2).join(' '),
    zip: /Zip [\d.]+ \([^)]*\)/.exec(firstLine('zip', ['-v'], 1))?.[0] ?? 'unknown'
  }
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8')
    const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim()
    const mhz = /^cpu MHz\s*:\s*(.+)$/m.exec(info)?.[1]?.trim()
    if (model) return mhz ? `${model} (${String(Math.round(Number(mhz)))} MHz)` : model
  } catch {
    // Not Linux: fall through.
  }
  return os.cpus()[0]?.model ?? 'unknown'
}

function firstLine(cmd: string, args: string[], index = 0): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return out.split('\n')[index]?.trim() ?? 'unknown'
  } catch {
    return 'not installed'
  }
}
