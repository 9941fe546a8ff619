/**
 * Goals 5 and 6: requests per publish (from the test server's log, for a 1-file and a many-file
 * release) and the start-up of dist/index.js (spawn to its first request), with its size.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { BenchContext, SectionResult } from './context.js'
import { runCommand } from './proc.js'
import { missedNotes } from './notes.js'
import {
  alternate,
  bytes,
  failedNote,
  failureLines,
  median,
  ms,
  verdict,
  type Failure
} from './stats.js'
import {
  dropUploads,
  publishOnce,
  startBench,
  zenodoRequests,
  type ActionSample,
  type LoggedRequest
} from './zenodo.js'

/** Requests to Zenodo per publish: at most files + this. */
const OVERHEAD_GOAL = 6

interface Counts {
  zenodo: number
  github: number
  startupMs: number
  wallMs: number
}

/** Runs the publishes and renders the section. */
export async function requestsBenchmark(ctx: BenchContext): Promise<SectionResult> {
  const { parallelFiles: many, parallelFileBytes: size, startupRuns } = ctx.opts.sizes
  for (let i = 0; i < many; i++) {
    await ctx.randomFile(path.join('par', `file-${String(i).padStart(2, '0')}.bin`), size)
  }
  await ctx.randomFile('one/file.bin', size)
  const bench = await startBench(path.join(ctx.scratch, 'requests'))
  const logs: { one?: LoggedRequest[]; many?: LoggedRequest[] } = {}
  const variant = (name: string, files: string, key: 'one' | 'many') => ({
    name,
    run: async (): Promise<Counts> => {
      const a = await publishOnce(bench, ctx.scratch, { files })
      await dropUploads(bench)
      logs[key] ??= a.requests
      return counts(a)
    }
  })
  // The floor: a bare node process that makes one request to the same server.
  const bare = {
    name: 'bare node',
    run: async (): Promise<Counts> => {
      const url = `${bench.e2e.server.url}/api/bench-ping`
      const logStart = bench.e2e.server.requests.length
      const spawnedAt = Date.now()
      const script = `require('node:http').get(${JSON.stringify(url)}, r => r.resume())`
      const r = await runCommand(process.execPath, ['-e', script], { timeoutMs: 30_000 })
      const arrived = bench.e2e.server.requests
        .slice(logStart)
        .find(q => q.url === '/api/bench-ping')
      if (!arrived) throw new Error(`the bare node request never arrived (exit ${String(r.code)})`)
      return { zenodo: 0, github: 0, startupMs: arrived.startedAt - spawnedAt, wallMs: r.ms }
    }
  }
  const rounds = Math.max(startupRuns, ctx.opts.rounds)
  let result: Awaited<ReturnType<typeof alternate<Counts>>>
  try {
    result = await alternate<Counts>(
      rounds,
      [
        variant('1 file', 'data/one/*', 'one'),
        variant(`${String(many)} files`, 'data/par/*', 'many'),
        bare
      ],
      ctx.log
    )
  } finally {
    await bench.e2e.close()
    await dropUploads(bench)
  }
  const one = result.samples['1 file']
  const twenty = result.samples[`${String(many)} files`]
  const dist = path.join(ctx.root, 'dist', 'index.js')
  const distBytes = (await stat(dist)).size
  const distGzip = gzipSync(await readFile(dist)).length
  const bareStartup = median(result.samples['bare node'].map(c => c.startupMs))
  return render(
    ctx,
    many,
    { one, twenty, bareStartup, total: rounds * 3 },
    logs,
    distBytes,
    distGzip,
    result.failures
  )
}

function counts(s: ActionSample): Counts {
  const zenodo = zenodoRequests(s.requests).length
  const first = Math.min(...s.requests.map(r => r.startedAt))
  return {
    zenodo,
    github: s.requests.length - zenodo,
    startupMs: first - s.spawnedAt,
    wallMs: s.wallMs
  }
}

/** "GET /api/deposit/depositions/:id" with ids, buckets and queries folded, and how many. */
function breakdown(requests: LoggedRequest[]): string {
  const kinds = new Map<string, number>()
  for (const r of requests) {
    const p = r.url
      .split('?')[0]
      .replace(/\/[0-9a-f]{8}-[0-9a-f-]{27}(\/[^/]+)?$/, '/:bucket/:key')
      .replace(/\/\d+(?=\/|$)/g, '/:id')
      .replace(/\/tags\/[^/]+$/, '/tags/:tag')
    const key = `${r.method} ${p}`
    kinds.set(key, (kinds.get(key) ?? 0) + 1)
  }
  return [...kinds].map(([k, n]) => `\`${k}\`${n > 1 ? ` x${String(n)}` : ''}`).join(', ')
}

function render(
  ctx: BenchContext,
  many: number,
  runs: { one: Counts[]; twenty: Counts[]; bareStartup: number; total: number },
  logs: { one?: LoggedRequest[]; many?: LoggedRequest[] },
  distBytes: number,
  distGzip: number,
  failures: Failure[]
): SectionResult {
  const { one, twenty, bareStartup } = runs
  const z1 = median(one.map(c => c.zenodo))
  const zN = median(twenty.map(c => c.zenodo))
  const met1 = z1 <= 1 + OVERHEAD_GOAL
  const metN = zN <= many + OVERHEAD_GOAL
  const startup = median(one.map(c => c.startupMs))
  const range = (xs: number[]): string => `${String(Math.min(...xs))}-${String(Math.max(...xs))}`
  const lines = [
    '## 5. Requests per publish',
    '',
    `From the test server's request log: every request one run of dist/index.js made (a first release, new deposition, \`files\` only, no archive). Zenodo's requests count against its rate limit (100 a minute); the GitHub API requests go to the GitHub fixture of the same server.`,
    '',
    '| release | Zenodo requests (median, range) | goal (files + 6) | GitHub API requests | met |',
    '| --- | ---: | ---: | ---: | --- |',
    `| 1 file | ${String(z1)} (${range(one.map(c => c.zenodo))}) | <= ${String(1 + OVERHEAD_GOAL)} | ${String(median(one.map(c => c.github)))} | ${verdict(met1)} |`,
    `| ${String(many)} files | ${String(zN)} (${range(twenty.map(c => c.zenodo))}) | <= ${String(many + OVERHEAD_GOAL)} | ${String(median(twenty.map(c => c.github)))} | ${verdict(metN)} |`,
    '',
    ...failureLines(failures),
    ...(met1 && metN ? [] : missedNotes('requests')),
    `The requests of a 1-file publish: ${logs.one ? breakdown(logs.one) : '(none logged)'}.`,
    '',
    '## 6. Start-up and bundle size',
    '',
    `Spawn of \`node dist/index.js\` (as the runner starts it) to the first request the test server logs (its Date.now() on arrival), over the ${String(one.length)} 1-file publishes above: median **${ms(startup)}** (range ${range(one.map(c => Math.round(c.startupMs)))} ms). For comparison, a bare \`node -e\` process that only makes one request to the same server: median ${ms(bareStartup)}; so loading and starting the action adds about ${ms(startup - bareStartup)}. The whole 1-file publish, spawn to exit: median ${ms(median(one.map(c => c.wallMs)))}.`,
    '',
    `dist/index.js: ${bytes(distBytes)} (${String(distBytes)} bytes; ${bytes(distGzip)} gzipped).`,
    ''
  ]
  return {
    markdown: lines.join('\n'),
    goals: [
      {
        goal: `5. Zenodo requests per publish <= files + ${String(OVERHEAD_GOAL)}`,
        measured: `1 file: ${String(z1)}; ${String(many)} files: ${String(zN)}${failedNote(failures, runs.total)}`,
        met: met1 && metN
      },
      {
        goal: '6. start-up (spawn to first request), dist/index.js size',
        measured: `${ms(startup)} (bare node: ${ms(bareStartup)}); ${bytes(distBytes)}`
      }
    ],
    failures
  }
}
