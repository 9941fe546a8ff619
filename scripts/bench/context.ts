/**
 * What every benchmark gets (options, scratch directory, log, shared data files) and what it
 * gives back (a section of BENCHMARKS.md and one row per goal of the summary table).
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { Options } from './options.js'
import type { Failure } from './stats.js'
import { writeRandomFile } from './scratch.js'

/** One goal's line in the summary table. */
export interface GoalRow {
  goal: string
  measured: string
  /** Undefined for a figure that is reported without a goal. */
  met?: boolean
}

/** A benchmark's contribution to BENCHMARKS.md. */
export interface SectionResult {
  /** Markdown, starting with its "## " heading. */
  markdown: string
  goals: GoalRow[]
  /** Runs that failed (left out of the figures). */
  failures: Failure[]
}

/** Shared by the benchmarks of one run. */
export interface BenchContext {
  opts: Options
  root: string
  scratch: string
  log: (line: string) => void
  /** A file of random bytes under scratch/data, generated on first use and shared after. */
  randomFile: (name: string, size: number) => Promise<string>
}

/** The context of one run; random files are made once and reused by every benchmark. */
export function makeContext(
  opts: Options,
  root: string,
  scratch: string,
  log: (line: string) => void
): BenchContext {
  const made = new Map<string, Promise<string>>()
  const randomFile = (name: string, size: number): Promise<string> => {
    const file = path.join(scratch, 'data', name)
    let p = made.get(file)
    if (!p) {
      p = (async () => {
        const started = performance.now()
        await writeRandomFile(file, size)
        log(
          `  generated ${name} (${String(size)} bytes) in ${String(Math.round(performance.now() - started))} ms`
        )
        return file
      })()
      made.set(file, p)
    }
    return p.then(async f => {
      if ((await stat(f)).size !== size) throw new Error(`${f} is not ${String(size)} bytes`)
      return f
    })
  }
  return { opts, root, scratch, log, randomFile }
}
