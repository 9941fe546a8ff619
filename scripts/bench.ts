/**
 * `npm run bench`: measures the action against curl and zip on this machine, side by side in
 * one run, and writes BENCHMARKS.md. See scripts/bench/options.ts for the options.
 *
 * 1 upload throughput (uploader, whole action, curl)   scripts/bench/upload.ts
 * 2 peak RSS publishing 64 MiB, 512 MiB, 2 GiB          scripts/bench/rss.ts
 * 3 archive build against zip -r -6                     scripts/bench/archive.ts
 * 4 parallel uploads, concurrency 3 against 1          scripts/bench/parallel.ts
 * 5, 6 requests per publish, start-up, bundle size     scripts/bench/requests.ts
 */
import { statSync } from 'node:fs'
import os from 'node:os'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { archiveBenchmark } from './bench/archive.js'
import {
  makeContext,
  type BenchContext,
  type GoalRow,
  type SectionResult
} from './bench/context.js'
import { describeMachine } from './bench/machine.js'
import { parseOptions, type Suite } from './bench/options.js'
import { parallelBenchmark } from './bench/parallel.js'
import { check, runCommand } from './bench/proc.js'
import { renderReport } from './bench/report.js'
import { requestsBenchmark } from './bench/requests.js'
import { rssBenchmark } from './bench/rss.js'
import { makeScratch, removeScratch } from './bench/scratch.js'
import { removeServerStorage } from './bench/zenodo.js'
import { ms, type Failure } from './bench/stats.js'
import { uploadBenchmark } from './bench/upload.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** Past this, the remaining benchmarks are skipped; past HARD_LIMIT_MS the process gives up. */
const SOFT_LIMIT_MS = 20 * 60_000
const HARD_LIMIT_MS = 30 * 60_000

const SUITES: Record<Suite, (ctx: BenchContext) => Promise<SectionResult>> = {
  upload: uploadBenchmark,
  rss: rssBenchmark,
  archive: archiveBenchmark,
  parallel: parallelBenchmark,
  requests: requestsBenchmark
}

const log = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

/** When dist/index.js was built, and the newest file of src/ if it is newer than that. */
async function distState(): Promise<{ built: string; staleAgainst?: string }> {
  const dist = path.join(ROOT, 'dist', 'index.js')
  const built = statSync(dist).mtimeMs
  let newest: { file: string; mtime: number } | undefined
  for (const entry of await readdir(path.join(ROOT, 'src'), { recursive: true })) {
    const file = path.join(ROOT, 'src', entry)
    const mtime = statSync(file).mtimeMs
    if (mtime > built && (!newest || mtime > newest.mtime)) newest = { file, mtime }
  }
  return {
    built: new Date(built).toISOString().replace(/\.\d+Z$/, 'Z'),
    staleAgainst: newest ? path.relative(ROOT, newest.file) : undefined
  }
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), ROOT)
  const startedAt = new Date()
  const started = performance.now()
  if (opts.build) {
    log('Building dist/ (npm run build)...')
    check(
      'npm run build',
      await runCommand('npm', ['run', 'build', '--silent'], { cwd: ROOT, timeoutMs: 300_000 })
    )
  }
  const dist = await distState()
  if (dist.staleAgainst)
    log(`Warning: dist/index.js is older than ${dist.staleAgainst}; --build rebuilds it.`)
  const machine = describeMachine()
  log(`${machine.cpu}, ${String(machine.cores)} cores, ${machine.memory}, node ${machine.node}`)
  const scratch = await makeScratch()
  log(`Scratch directory: ${scratch}`)
  const cleanUp = async (): Promise<void> => {
    await removeServerStorage()
    if (opts.keep) log(`Kept ${scratch}`)
    else await removeScratch(scratch)
  }
  const hardStop = setTimeout(() => {
    log(`Giving up after ${ms(HARD_LIMIT_MS)}.`)
    void cleanUp().finally(() => process.exit(2))
  }, HARD_LIMIT_MS)
  hardStop.unref()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: removing the scratch directory.`)
      void cleanUp().finally(() => process.exit(130))
    })
  }

  const ctx = makeContext(opts, ROOT, scratch, log)
  const sections: string[] = []
  const goals: GoalRow[] = []
  const failures: Failure[] = []
  let failed = false
  try {
    for (const suite of opts.suites) {
      if (performance.now() - started > SOFT_LIMIT_MS) {
        log(`Skipping ${suite}: past ${ms(SOFT_LIMIT_MS)}.`)
        sections.push(`## ${suite}\n\nSkipped: the run was past ${ms(SOFT_LIMIT_MS)}.\n`)
        continue
      }
      log(`\n== ${suite}`)
      const t = performance.now()
      const loadBefore = os.loadavg()[0].toFixed(2)
      try {
        const result = await SUITES[suite](ctx)
        const load = `_Load average (1 min) of the machine: ${loadBefore} when this benchmark started, ${os.loadavg()[0].toFixed(2)} when it ended (the benchmark itself keeps 1-2 of the 2 cores busy; more means other work was running)._\n`
        sections.push(`${result.markdown}\n${load}`)
        goals.push(...result.goals)
        failures.push(...result.failures)
        log(result.markdown)
      } catch (e) {
        failed = true
        const message = e instanceof Error ? (e.stack ?? e.message) : String(e)
        log(`${suite} failed: ${message}`)
        sections.push(`## ${suite}\n\nFailed:\n\n\`\`\`\n${message.slice(0, 4000)}\n\`\`\`\n`)
      }
      log(`(${suite}: ${ms(performance.now() - t)})`)
    }
  } finally {
    await cleanUp()
    clearTimeout(hardStop)
  }
  const totalMs = performance.now() - started
  const report = renderReport({
    machine,
    opts,
    startedAt,
    totalMs,
    dist,
    sections,
    goals,
    failures
  })
  await mkdir(path.dirname(opts.out), { recursive: true })
  // Formatted as `npm run lint` (prettier --check) wants it.
  const config = await prettier.resolveConfig(path.join(ROOT, 'BENCHMARKS.md'))
  await writeFile(opts.out, await prettier.format(report, { ...config, parser: 'markdown' }))
  log(`\nWrote ${path.relative(process.cwd(), opts.out) || opts.out} in ${ms(totalMs)} total.`)
  for (const g of goals) {
    log(
      `  ${g.met === undefined ? 'reported' : g.met ? 'met     ' : 'MISSED  '}  ${g.goal}: ${g.measured}`
    )
  }
  return failed ? 1 : 0
}

main().then(
  code => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  }
)
