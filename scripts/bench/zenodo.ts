/**
 * The benchmark's side of the Zenodo test server: start it (with the GitHub fixture the action
 * needs), make a fresh draft for curl, run the built action once while sampling its memory, and
 * drop the uploaded bytes after each run (they are GBs).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { releaseEvent, startE2E, type ActionRun, type E2E } from '../../__tests__/helpers/action.js'
import { maxRssHook, sampleRss, type RssPeak } from './proc.js'

/** One request of the server's log (the fields the benchmark reads). */
export interface LoggedRequest {
  method: string
  url: string
  status: number
  startedAt: number
  durationMs: number
  bodyBytes: number
}

/** A test server for one benchmark, its uploads kept under storageDir. */
export interface Bench {
  e2e: E2E
  storageDir: string
  /** Run directory for the files of the exit hook. */
  dir: string
  hook: Awaited<ReturnType<typeof maxRssHook>>
  runs: number
}

/** Starts a test server (rate limit off: the benchmark makes hundreds of requests a minute). */
export async function startBench(dir: string, o: { latencyMs?: number } = {}): Promise<Bench> {
  const storageDir = await serverStorage(dir)
  const e2e = await startE2E({ rateLimitPerMinute: 0, storageDir, latencyMs: o.latencyMs ?? 0 })
  return { e2e, storageDir, dir, hook: await maxRssHook(dir), runs: 0 }
}

/**
 * Where the server keeps uploads: under /dev/shm (memory) when it exists, so the kernel's
 * write-back of one round's 512 MiB does not land in the next round's timings (it made curl's
 * own times vary 2x); else beside the scratch files.
 */
async function serverStorage(dir: string): Promise<string> {
  try {
    if ((await stat(SHM)).isDirectory()) {
      const shm = await mkdtemp(path.join(SHM, 'zra-bench-'))
      shmDirs.push(shm)
      return shm
    }
  } catch {
    // No /dev/shm: use the scratch directory.
  }
  return path.join(dir, 'storage')
}

const SHM = '/dev/shm'
const shmDirs: string[] = []

/** Removes the server storage made under /dev/shm (call at the end of the benchmark). */
export async function removeServerStorage(): Promise<void> {
  await Promise.all(shmDirs.splice(0).map(d => rm(d, { recursive: true, force: true })))
}

/** Removes every uploaded blob; the server never reads them again in a benchmark. */
export async function dropUploads(b: Bench): Promise<void> {
  let names: string[]
  try {
    names = await readdir(b.storageDir)
  } catch {
    return
  }
  await Promise.all(
    names
      .filter(n => n.startsWith('blob-'))
      .map(n => rm(path.join(b.storageDir, n), { force: true }))
  )
}

/** POST /deposit/depositions {} and the new draft's bucket URL (for curl and the uploader). */
export async function freshBucket(b: Bench): Promise<string> {
  const res = await fetch(`${b.e2e.server.apiUrl}/deposit/depositions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${b.e2e.server.token}`, 'content-type': 'application/json' },
    body: '{}'
  })
  const body = (await res.json()) as { links?: { bucket?: string } }
  if (res.status !== 201 || !body.links?.bucket) {
    throw new Error(`creating a draft answered ${String(res.status)}: ${JSON.stringify(body)}`)
  }
  return body.links.bucket
}

/** What one run of the built action did. */
export interface ActionSample {
  run: ActionRun
  /** Date.now() right after the process was spawned, and at its exit. */
  spawnedAt: number
  exitedAt: number
  /** Spawn to exit, milliseconds (performance.now). */
  wallMs: number
  /** Peak memory from /proc/<pid>/status, sampled every 20 ms. */
  rss: RssPeak
  /** VmHWM read by the process itself at exit (a preload hook). */
  maxRss?: number
  /** The server's log entries of this run, in arrival order. */
  requests: LoggedRequest[]
}

/**
 * Publishes a release with the built action (dist/index.js, run as the runner runs it) and a
 * fresh tag, so no earlier run's deposition is adopted, as a first release (`concept: new`:
 * otherwise the action would find the earlier runs' concept by its repository link and make a
 * new version of it). Throws when the action fails.
 */
export async function publishOnce(
  b: Bench,
  workspace: string,
  inputs: Record<string, string>,
  o: { timeoutMs?: number; nodeOptions?: string } = {}
): Promise<ActionSample> {
  const n = ++b.runs
  const logStart = b.e2e.server.requests.length
  const maxRssFile = path.join(b.dir, `maxrss-${String(n)}`)
  const env = b.hook.env(maxRssFile)
  if (o.nodeOptions) env.NODE_OPTIONS = `${env.NODE_OPTIONS} ${o.nodeOptions}`
  let sampler: ReturnType<typeof sampleRss> | undefined
  let spawnedAt = 0
  let spawnedPerf = 0
  let exitedAt = 0
  let exitedPerf = 0
  let rss: RssPeak | undefined
  const run = await b.e2e.run({
    event: releaseEvent({
      tag: `v1.${String(n)}.0`,
      name: `Benchmark release ${String(n)}`,
      body: 'Benchmark.'
    }),
    workspace,
    inputs: { concept: 'new', ...inputs },
    env,
    timeoutMs: o.timeoutMs ?? 300_000,
    onSpawn: child => {
      spawnedAt = Date.now()
      spawnedPerf = performance.now()
      if (child.pid !== undefined) sampler = sampleRss(child.pid)
      child.once('exit', () => {
        exitedPerf = performance.now()
        exitedAt = Date.now()
        rss = sampler?.stop()
      })
    }
  })
  rss ??= sampler?.stop()
  // The helper leaves its run directory (event, outputs, RUNNER_TEMP) behind: remove it.
  if (run.env.GITHUB_EVENT_PATH) {
    await rm(path.dirname(run.env.GITHUB_EVENT_PATH), { recursive: true, force: true })
  }
  const wallMs = (exitedPerf || performance.now()) - spawnedPerf
  if (run.code !== 0 || run.outputs.state !== 'published') {
    throw new Error(
      `the action failed (exit ${String(run.code)}, state ${run.outputs.state}):\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`
    )
  }
  const requests = b.e2e.server.requests.slice(logStart) as LoggedRequest[]
  return {
    run,
    spawnedAt,
    exitedAt,
    wallMs,
    rss: rss ?? { hwm: 0, rss: 0, samples: 0 },
    maxRss: b.hook.read(maxRssFile),
    requests
  }
}

/** Bucket PUTs of a run's log. */
export function bucketPuts(requests: LoggedRequest[]): LoggedRequest[] {
  return requests.filter(r => r.method === 'PUT' && r.url.startsWith('/api/files/'))
}

/** Requests to Zenodo's API (not the GitHub fixture the same server plays). */
export function zenodoRequests(requests: LoggedRequest[]): LoggedRequest[] {
  return requests.filter(r => r.url.startsWith('/api/'))
}
