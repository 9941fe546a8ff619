/**
 * Goal 4, parallel uploads: the built action publishing many small files from a test server
 * that adds latency to every request, with the default concurrency (3) against one at a time.
 */
import path from 'node:path'
import type { BenchContext, SectionResult } from './context.js'
import { missedNotes } from './notes.js'
import {
  alternate,
  bytes,
  failedNote,
  failureLines,
  median,
  ms,
  ratio,
  verdict,
  type Failure
} from './stats.js'
import { bucketPuts, dropUploads, publishOnce, startBench, type LoggedRequest } from './zenodo.js'

/** The goal: concurrency 3 takes at most this share of the one-by-one time ("well under"). */
const GOAL = 0.6

interface Sample {
  wallMs: number
  /** First bucket PUT's arrival to the last one's answer, from the server's log. */
  uploadMs: number
  /** Most bucket PUTs the server had in progress at once. */
  inFlight: number
}

/** Runs the comparison and renders its section. */
export async function parallelBenchmark(ctx: BenchContext): Promise<SectionResult> {
  const {
    parallelFiles: count,
    parallelFileBytes: size,
    parallelLatencyMs: latencyMs
  } = ctx.opts.sizes
  for (let i = 0; i < count; i++) {
    await ctx.randomFile(path.join('par', `file-${String(i).padStart(2, '0')}.bin`), size)
  }
  const bench = await startBench(path.join(ctx.scratch, 'parallel'), { latencyMs })
  try {
    const variant = (concurrency: number) => ({
      name: `concurrency ${String(concurrency)}`,
      run: async (): Promise<Sample> => {
        const s = await publishOnce(bench, ctx.scratch, {
          files: 'data/par/*',
          concurrency: String(concurrency)
        })
        await dropUploads(bench)
        const puts = bucketPuts(s.requests)
        if (puts.length !== count)
          throw new Error(`expected ${String(count)} bucket PUTs, got ${String(puts.length)}`)
        return { wallMs: s.wallMs, uploadMs: span(puts), inFlight: maxInFlight(puts) }
      }
    })
    const { samples, failures } = await alternate<Sample>(
      ctx.opts.rounds,
      [variant(3), variant(1)],
      ctx.log
    )
    return render(ctx, count, size, latencyMs, samples, failures)
  } finally {
    await bench.e2e.close()
    await dropUploads(bench)
  }
}

function span(requests: LoggedRequest[]): number {
  const start = Math.min(...requests.map(r => r.startedAt))
  const end = Math.max(...requests.map(r => r.startedAt + r.durationMs))
  return end - start
}

function maxInFlight(requests: LoggedRequest[]): number {
  const events = requests.flatMap(r => [
    { t: r.startedAt, d: 1 },
    { t: r.startedAt + r.durationMs, d: -1 }
  ])
  events.sort((a, b) => a.t - b.t || a.d - b.d)
  let now = 0
  let most = 0
  for (const e of events) {
    now += e.d
    most = Math.max(most, now)
  }
  return most
}

function render(
  ctx: BenchContext,
  count: number,
  size: number,
  latencyMs: number,
  s: Record<string, Sample[]>,
  failures: Failure[]
): SectionResult {
  const c3 = s['concurrency 3']
  const c1 = s['concurrency 1']
  const wall3 = median(c3.map(x => x.wallMs))
  const wall1 = median(c1.map(x => x.wallMs))
  const up3 = median(c3.map(x => x.uploadMs))
  const up1 = median(c1.map(x => x.uploadMs))
  const r = wall3 / wall1
  const lines = [
    `## 4. Parallel uploads: ${String(count)} files of ${bytes(size)}, ${String(latencyMs)} ms latency per request`,
    '',
    `The test server waits ${String(latencyMs)} ms before answering every request (a stand-in for the round trip to Zenodo). dist/index.js publishes the ${String(count)} files with \`concurrency: 3\` (the default) and with \`concurrency: 1\`, alternating, ${String(ctx.opts.rounds)} rounds, medians. The upload phase is the server's view: the first bucket PUT's arrival to the last one's answer.`,
    '',
    '| concurrency | whole action (spawn to exit) | upload phase | most PUTs in flight |',
    '| ---: | ---: | ---: | ---: |',
    `| 3 | ${ms(wall3)} | ${ms(up3)} | ${String(median(c3.map(x => x.inFlight)))} |`,
    `| 1 | ${ms(wall1)} | ${ms(up1)} | ${String(median(c1.map(x => x.inFlight)))} |`,
    `| 3 vs 1 | ${ratio(r)} | ${ratio(up3 / up1)} | |`,
    '',
    ...failureLines(failures),
    `Goal: with the default concurrency the whole publish takes well under the one-by-one time (at most ${String(GOAL)}x): **${ratio(r)}**, ${verdict(r <= GOAL)}. With 3 in flight the upload phase alone is ${ratio(up3 / up1)} of the one-by-one time (ideal: ${ratio(Math.ceil(count / 3) / count)}).`,
    ''
  ]
  return {
    markdown: [...lines, ...(r <= GOAL ? [] : missedNotes('parallel'))].join('\n'),
    goals: [
      {
        goal: `4. ${String(count)} files, concurrency 3 vs 1 (whole action) <= ${String(GOAL)}x`,
        measured: `${ratio(r)} (${ms(wall3)} vs ${ms(wall1)}; upload phase ${ratio(up3 / up1)})${failedNote(failures, ctx.opts.rounds * 2)}`,
        met: r <= GOAL
      }
    ],
    failures
  }
}
