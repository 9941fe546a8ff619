/**
 * Goal 1, upload throughput: the action's uploader (src/zenodo/upload.ts in its own process), the
 * whole built action, and `curl -T`, each sending the same file of random bytes to a fresh
 * draft's bucket on the same test server, alternating over the rounds.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchContext, SectionResult } from './context.js'
import { missedNotes } from './notes.js'
import { check, childResult, runCommandCpu, runTsChild } from './proc.js'
import {
  alternate,
  bytes,
  failedNote,
  failureLines,
  median,
  ms,
  rate,
  ratio,
  verdict,
  type Failure
} from './stats.js'
import { bucketPuts, dropUploads, freshBucket, publishOnce, startBench } from './zenodo.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
/** The goal: the action's uploader reaches at least this share of curl's throughput. */
const GOAL = 0.95

interface Sample {
  /** Time the upload itself took (uploadFile's await, curl's time_total, the server's PUT). */
  ms: number
  /** CPU time of the uploading process during the upload (uploader and curl). */
  cpuMs?: number
  /** Whole action only: spawn to exit. */
  wallMs?: number
  /** Bytes the uploading process read during the upload (uploader only). */
  readBytes?: number
}

/** Runs the comparison and renders its section. */
export async function uploadBenchmark(ctx: BenchContext): Promise<SectionResult> {
  const size = ctx.opts.sizes.uploadBytes
  const name = `upload-${String(size)}.bin`
  const file = await ctx.randomFile(name, size)
  const bench = await startBench(path.join(ctx.scratch, 'upload'))
  const token = bench.e2e.server.token
  try {
    const { samples, failures } = await alternate<Sample>(
      ctx.opts.rounds,
      [
        {
          name: 'uploader',
          run: async () => {
            const bucketUrl = await freshBucket(bench)
            const r = await runTsChild(
              path.join(HERE, 'upload-child.ts'),
              { bucketUrl, token, path: file, name },
              300_000
            )
            const out = childResult<{ ms: number; cpuMs: number; readBytes: number; size: number }>(
              r
            )
            if (out.size !== size) throw new Error(`uploader sent ${String(out.size)} bytes`)
            await dropUploads(bench)
            return { ms: out.ms, cpuMs: out.cpuMs, readBytes: out.readBytes }
          }
        },
        {
          name: 'curl',
          run: async () => {
            const bucketUrl = await freshBucket(bench)
            const r = check(
              'curl',
              await runCommandCpu(
                'curl',
                [
                  '-sS',
                  '-T',
                  file,
                  '-H',
                  `Authorization: Bearer ${token}`,
                  '-H',
                  'Content-Type: application/octet-stream',
                  '-o',
                  '/dev/null',
                  '-w',
                  '%{http_code} %{time_total} %{size_upload}',
                  `${bucketUrl}/${name}`
                ],
                { timeoutMs: 300_000, statFile: path.join(ctx.scratch, 'curl.stat') }
              )
            )
            const [status, seconds, sent] = r.stdout.trim().split(' ')
            if (status !== '201' || Number(sent) !== size) {
              throw new Error(`curl: status ${status}, ${sent} bytes sent`)
            }
            await dropUploads(bench)
            return { ms: Number(seconds) * 1000, cpuMs: r.cpuMs }
          }
        },
        {
          name: 'action',
          run: async () => {
            const s = await publishOnce(bench, ctx.scratch, { files: `data/${name}` })
            const puts = bucketPuts(s.requests).filter(p => p.bodyBytes === size)
            if (puts.length !== 1) throw new Error(`expected one PUT of ${String(size)} bytes`)
            await dropUploads(bench)
            return { ms: puts[0].durationMs, wallMs: s.wallMs }
          }
        }
      ],
      ctx.log
    )
    return render(ctx, size, samples, failures)
  } finally {
    await bench.e2e.close()
    await dropUploads(bench)
  }
}

function render(
  ctx: BenchContext,
  size: number,
  s: Record<string, Sample[]>,
  failures: Failure[]
): SectionResult {
  const curl = median(s.curl.map(x => x.ms))
  const uploader = median(s.uploader.map(x => x.ms))
  const actionPut = median(s.action.map(x => x.ms))
  const actionWall = median(s.action.map(x => x.wallMs ?? NaN))
  const readBytes = median(s.uploader.map(x => x.readBytes ?? NaN))
  const r = curl / uploader
  const cpu = (name: string): string => {
    const v = median(s[name].map(x => x.cpuMs ?? NaN))
    return Number.isNaN(v) ? '' : ms(v)
  }
  const row = (label: string, t: number, cpuTime: string, note: string): string =>
    `| ${label} | ${ms(t)} | ${rate(size, t)} | ${ratio(curl / t)} | ${cpuTime} | ${note} |`
  const lines = [
    `## 1. Upload throughput: one ${bytes(size)} file`,
    '',
    `Each round uploads the same file of random bytes to the bucket of a fresh draft on the test server (127.0.0.1, the server streams it to disk through md5), once with each tool, in a rotating order; ${String(ctx.opts.rounds)} rounds, medians. Throughput relative to curl is curl's time divided by the tool's.`,
    '',
    '| tool | median time | throughput | vs curl | CPU time | what is timed |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    row('curl -T', curl, cpu('curl'), "curl's own time_total; CPU: the curl process"),
    row(
      'action uploader (src/zenodo/upload.ts)',
      uploader,
      cpu('uploader'),
      'uploadFile() in its own node process: stream from disk, md5 on the way, PUT, checksum check; CPU: the whole process during uploadFile()'
    ),
    row(
      'whole action: the upload PUT',
      actionPut,
      '',
      "the server's duration of the bucket PUT made by dist/index.js"
    ),
    row(
      'whole action: spawn to exit',
      actionWall,
      '',
      'dist/index.js publishing the file: includes start-up, draft, metadata and publish requests'
    ),
    '',
    ...failureLines(failures),
    `Goal: the action's uploader reaches >= ${String(GOAL)}x curl's throughput: **${ratio(r)}**, ${verdict(r >= GOAL)}.`,
    `The uploader's process read ${bytes(readBytes)} from files during the upload (the file is ${bytes(size)}): each byte is read once, and hashed on its way out.`,
    ''
  ]
  return {
    markdown: [...lines, ...(r >= GOAL ? [] : missedNotes('upload'))].join('\n'),
    goals: [
      {
        goal: `1. upload throughput >= ${String(GOAL)}x curl (${bytes(size)})`,
        measured: `${ratio(r)} (uploader ${rate(size, uploader)}, curl ${rate(size, curl)}; whole action's PUT ${ratio(curl / actionPut)})${failedNote(failures, ctx.opts.rounds * 3)}`,
        met: r >= GOAL
      }
    ],
    failures
  }
}
