/**
 * Command-line options of `npm run bench` and the sizes each variant (full or --quick) uses.
 */
import path from 'node:path'

const MiB = 1024 ** 2
const GiB = 1024 ** 3

/** The benchmarks, in the order they run and appear in BENCHMARKS.md. */
export const SUITES = ['upload', 'rss', 'archive', 'parallel', 'requests'] as const
export type Suite = (typeof SUITES)[number]

/** Sizes and counts of one variant of the benchmark. */
export interface Sizes {
  /** The file of the upload-throughput comparison. */
  uploadBytes: number
  /** One file of each size is published for the peak-RSS figure. */
  rssBytes: number[]
  /** The archive tree: small files (1-4 KiB each) and large ones (one of them .gz). */
  smallFiles: number
  /** The archive benchmark's scaling point: buildArchive on a tree with this many small files. */
  midFiles: number
  largeFiles: number
  largeBytes: number
  /** The parallel-upload comparison. */
  parallelFiles: number
  parallelFileBytes: number
  parallelLatencyMs: number
  /** Runs of the 1-file publish timed for start-up (at least rounds). */
  startupRuns: number
}

/** Everything the run was asked for. */
export interface Options {
  quick: boolean
  rounds: number
  suites: Suite[]
  /** Keep the scratch directory (GBs) instead of removing it at the end. */
  keep: boolean
  /** Run `npm run build` first so dist/index.js is the current source. */
  build: boolean
  /** Where the report is written. */
  out: string
  sizes: Sizes
}

const FULL: Sizes = {
  uploadBytes: 512 * MiB,
  rssBytes: [64 * MiB, 512 * MiB, 2 * GiB],
  smallFiles: 20_000,
  midFiles: 5_000,
  largeFiles: 3,
  largeBytes: 64 * MiB,
  parallelFiles: 20,
  parallelFileBytes: 1 * MiB,
  parallelLatencyMs: 100,
  startupRuns: 5
}

const QUICK: Sizes = {
  uploadBytes: 32 * MiB,
  rssBytes: [8 * MiB, 32 * MiB, 128 * MiB],
  smallFiles: 2_000,
  midFiles: 500,
  largeFiles: 3,
  largeBytes: 8 * MiB,
  parallelFiles: 20,
  parallelFileBytes: 256 * 1024,
  parallelLatencyMs: 100,
  startupRuns: 3
}

export const USAGE = `npm run bench -- [--quick] [--rounds N] [--only upload,rss,archive,parallel,requests]
                    [--build] [--keep] [--out FILE]
  --quick      small sizes (under a minute); writes .bench/BENCHMARKS.quick.md unless --out
  --rounds N   rounds per comparison, alternating the compared commands (default 5; 3 with --quick)
  --only LIST  run only these benchmarks (requests also measures start-up)
  --build      run \`npm run build\` first, so dist/index.js is built from the current src/
  --keep       keep the scratch directory under /tmp (several GB) instead of removing it
  --out FILE   write the report there (default BENCHMARKS.md at the repository root)`

/** Parses process.argv-style arguments; throws with the usage text on a mistake. */
export function parseOptions(args: string[], root: string): Options {
  let quick = false
  let rounds: number | undefined
  let suites: Suite[] = [...SUITES]
  let keep = false
  let build = false
  let out: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const value = (): string => {
      const v = args.at(++i)
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`)
      return v
    }
    if (arg === '--quick') quick = true
    else if (arg === '--keep') keep = true
    else if (arg === '--build') build = true
    else if (arg === '--rounds') rounds = Number(value())
    else if (arg === '--out') out = path.resolve(value())
    else if (arg === '--only') suites = parseSuites(value())
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE)
    else throw new Error(`unknown option ${arg}\n${USAGE}`)
  }
  rounds ??= quick ? 3 : 5
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    throw new Error(`--rounds must be an integer from 1 to 20\n${USAGE}`)
  }
  const sizes = { ...(quick ? QUICK : FULL) }
  sizes.startupRuns = Math.max(sizes.startupRuns, rounds)
  return {
    quick,
    rounds,
    suites,
    keep,
    build,
    out:
      out ??
      (quick ? path.join(root, '.bench', 'BENCHMARKS.quick.md') : path.join(root, 'BENCHMARKS.md')),
    sizes
  }
}

function parseSuites(list: string): Suite[] {
  const names = list.split(',').map(s => s.trim())
  for (const n of names) {
    if (!(SUITES as readonly string[]).includes(n)) {
      throw new Error(`unknown benchmark ${n} (one of ${SUITES.join(', ')})\n${USAGE}`)
    }
  }
  return SUITES.filter(s => names.includes(s))
}
