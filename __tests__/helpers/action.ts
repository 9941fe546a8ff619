/**
 * Runs the built action (dist/index.js) the way the GitHub runner does: a separate node
 * process, inputs as INPUT_<NAME> variables (hyphens kept) with action.yml's defaults applied,
 * GITHUB_EVENT_PATH pointing at a real event payload, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
 * files read back afterwards. Shared by every end-to-end test.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import {
  describeRequests,
  startZenodoServer,
  writeRequests,
  type RequestLogEntry,
  type ZenodoServerOptions,
  type ZenodoTestServer
} from '../../test-server/zenodo-server.js'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DIST = join(ROOT, 'dist', 'index.js')
export const OWNER = 'octo-org'
export const REPO = 'octo-repo'
export const GITHUB_TOKEN = 'ghs_fakeGithubTokenForTests0123456789'
export const COMMIT = '0123456789abcdef0123456789abcdef01234567'

interface ActionYaml {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
}

/** action.yml as parsed YAML. */
export async function actionYaml(): Promise<ActionYaml> {
  return parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as ActionYaml
}

export type EventName = 'release' | 'workflow_dispatch' | 'push' | 'pull_request'

export interface EventSpec {
  name: EventName
  payload: Record<string, unknown>
  /** GITHUB_REF; defaults to refs/tags/<tag> for release events */
  ref?: string
}

const require = createRequire(import.meta.url)
interface WebhookExample {
  name: string
  examples: Record<string, unknown>[]
}
const examples = require('@octokit/webhooks-examples/api.github.com/index.json') as WebhookExample[]

function example(name: string, action?: string): Record<string, unknown> {
  const group = examples.find(e => e.name === name)
  const ex = group?.examples.find(e => action === undefined || e.action === action)
  if (!ex) throw new Error(`no webhook example ${name}/${String(action)}`)
  return structuredClone(ex)
}

function retargetRepository(
  payload: Record<string, unknown>,
  repoOverrides: Record<string, unknown>
): void {
  const repo = payload.repository as Record<string, unknown>
  Object.assign(repo, {
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    html_url: `https://github.com/${OWNER}/${REPO}`,
    owner: { ...(repo.owner as object), login: OWNER },
    ...repoOverrides
  })
}

/** A real release event payload (from @octokit/webhooks-examples) re-targeted at the test repository. */
export function releaseEvent(
  release: {
    tag: string
    name?: string | null
    body?: string | null
    publishedAt?: string
    author?: string
    assets?: unknown[]
  },
  opts: { action?: string; repository?: Record<string, unknown> } = {}
): EventSpec {
  const action = opts.action ?? 'published'
  const payload = example('release', action)
  const r = payload.release as Record<string, unknown>
  Object.assign(r, {
    tag_name: release.tag,
    name: release.name === undefined ? r.name : release.name,
    body: release.body === undefined ? r.body : release.body,
    published_at: release.publishedAt ?? '2026-11-20T10:00:00Z',
    html_url: `https://github.com/${OWNER}/${REPO}/releases/tag/${release.tag}`,
    author: { ...(r.author as object), login: release.author ?? 'octocat' },
    assets: release.assets ?? []
  })
  retargetRepository(payload, {
    description: 'A test repository',
    license: null,
    ...opts.repository
  })
  return { name: 'release', payload, ref: `refs/tags/${release.tag}` }
}

/** A real workflow_dispatch payload; ref is the branch or tag the workflow was run on. */
export function dispatchEvent(
  ref = 'refs/heads/main',
  inputs: Record<string, string> = {}
): EventSpec {
  const payload = example('workflow_dispatch')
  payload.ref = ref
  payload.inputs = inputs
  payload.repository = structuredClone(example('release', 'published').repository)
  retargetRepository(payload, { description: 'A test repository', license: null })
  return { name: 'workflow_dispatch', payload, ref }
}

/** A real tag push payload. */
export function tagPushEvent(tag: string): EventSpec {
  const payload = example('push')
  payload.ref = `refs/tags/${tag}`
  payload.after = COMMIT
  retargetRepository(payload, { description: 'A test repository', license: null })
  return { name: 'push', payload, ref: `refs/tags/${tag}` }
}

/** A real branch push payload (refs/heads/<branch>). */
export function branchPushEvent(branch = 'main'): EventSpec {
  const payload = example('push')
  payload.ref = `refs/heads/${branch}`
  payload.after = COMMIT
  retargetRepository(payload, { description: 'A test repository', license: null })
  return { name: 'push', payload, ref: `refs/heads/${branch}` }
}

/** A real pull_request (opened) payload, as a CI workflow on pull requests gets it. */
export function pullRequestEvent(number = 7): EventSpec {
  const payload = example('pull_request', 'opened')
  payload.number = number
  retargetRepository(payload, { description: 'A test repository', license: null })
  return { name: 'pull_request', payload, ref: `refs/pull/${String(number)}/merge` }
}

/** Workspaces made by makeWorkspace, removed by removeWorkspaces (E2E.close calls it). */
const workspaces = new Set<string>()

/** Removes every workspace made so far. */
export async function removeWorkspaces(): Promise<void> {
  for (const dir of workspaces) await rm(dir, { recursive: true, force: true })
  workspaces.clear()
}

/** A fresh workspace directory holding the given files (path -> content). */
export async function makeWorkspace(files: Record<string, string | Buffer> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zra-ws-'))
  workspaces.add(dir)
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}

export interface RunOptions {
  /** Inputs by name; those left out get action.yml's default. */
  inputs: Partial<Record<string, string>>
  event: EventSpec
  workspace: string
  /** GITHUB_API_URL (the test server's /github) */
  githubApiUrl: string
  env?: Record<string, string>
  /** Called with the child as soon as it is spawned (tests kill it from a server hook). */
  onSpawn?: (child: ChildProcess) => void
  timeoutMs?: number
}

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Every input's env var as given to the process (for leak checks). */
  env: Record<string, string>
}

/** Parses a GITHUB_OUTPUT file (name<<delimiter ... delimiter, or name=value). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const [, name, delim] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i])
      out[name] = value.join('\n')
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=')
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1)
    }
  }
  return out
}

/** Runs dist/index.js once, to completion (or until timeoutMs, when it is killed). */
export async function runAction(o: RunOptions): Promise<ActionRun> {
  const yml = await actionYaml()
  const runDir = await mkdtemp(join(tmpdir(), 'zra-run-'))
  const eventPath = join(runDir, 'event.json')
  const outputPath = join(runDir, 'output.txt')
  const summaryPath = join(runDir, 'summary.md')
  const runnerTemp = join(runDir, 'tmp')
  await mkdir(runnerTemp)
  await writeFile(eventPath, JSON.stringify(o.event.payload))
  await writeFile(outputPath, '')
  await writeFile(summaryPath, '')

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? runDir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: o.event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_REPOSITORY_OWNER: OWNER,
    GITHUB_SHA: COMMIT,
    GITHUB_REF: o.event.ref ?? 'refs/heads/main',
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_API_URL: o.githubApiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_GRAPHQL_URL: `${o.githubApiUrl}/graphql`,
    GITHUB_ACTION_REPOSITORY: 'zenodo-release-action/zenodo-release-action',
    GITHUB_RUN_ID: '1',
    RUNNER_TEMP: runnerTemp,
    RUNNER_DEBUG: '1'
  }
  for (const [name, spec] of Object.entries(yml.inputs)) {
    let value = o.inputs[name] ?? spec.default ?? ''
    if (value === '${{ github.token }}') value = GITHUB_TOKEN
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  for (const name of Object.keys(o.inputs)) {
    if (!(name in yml.inputs)) throw new Error(`input ${name} is not declared in action.yml`)
  }
  Object.assign(env, o.env)

  const child = spawn(process.execPath, [DIST], {
    cwd: o.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  o.onSpawn?.(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  const timer = setTimeout(() => {
    child.kill('SIGKILL')
  }, o.timeoutMs ?? 45_000)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(res => {
    child.on('close', (c, s) => {
      res([c, s])
    })
  })
  clearTimeout(timer)
  try {
    return {
      code,
      signal,
      stdout,
      stderr,
      outputs: parseOutputFile(await readFile(outputPath, 'utf8')),
      summary: await readFile(summaryPath, 'utf8'),
      env
    }
  } finally {
    await rm(runDir, { recursive: true, force: true })
  }
}

/** Everything an end-to-end test needs: a Zenodo test server and a way to run the action against it. */
export interface E2E {
  server: ZenodoTestServer
  /** Runs the action with the server's URL and token as inputs (unless overridden). */
  run(o: {
    inputs?: Record<string, string>
    event: EventSpec
    workspace: string
    env?: Record<string, string>
    onSpawn?: (c: ChildProcess) => void
    timeoutMs?: number
  }): Promise<ActionRun>
  close(): Promise<void>
}

/** Starts a Zenodo test server with a GitHub repository fixture (description, contributors). */
/**
 * The usual setup of an end-to-end test file: a fresh test server (and harness) for every test,
 * closed after it. Returns the current one; `e2e.server`, `e2e.run(...)` read the live instance.
 */
export function useE2E(opts: ZenodoServerOptions = {}): E2E {
  let current: E2E | undefined
  beforeEach(async () => {
    current = await startE2E(opts)
  })
  afterEach(async () => {
    await current?.close()
    current = undefined
  })
  return new Proxy({} as E2E, {
    get(_target, key) {
      if (!current) throw new Error('useE2E: the test server is used outside a test')
      const value: unknown = Reflect.get(current, key)
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(current)
        : value
    }
  })
}

export async function startE2E(opts: ZenodoServerOptions = {}): Promise<E2E> {
  const server = await startZenodoServer({ github: { owner: OWNER, repo: REPO }, ...opts })
  // A loopback zenodo-url is not zenodo.org, so `api: auto` would choose rdm: a server that
  // stands in for Zenodo is spoken to through the legacy API unless a test says otherwise; an
  // InvenioRDM instance through auto (which must choose rdm).
  const api = opts.rdm?.mode === 'instance' ? 'auto' : 'legacy'
  server.github.setRepo({ description: 'A test repository', license: 'MIT' })
  server.github.setContributors([
    { login: 'alice', contributions: 50, name: 'Alice Adams' },
    { login: 'bob', contributions: 10 },
    { login: 'dependabot[bot]', type: 'Bot', contributions: 99 }
  ])
  return {
    server,
    run: r =>
      runAction({
        inputs: { token: server.token, 'zenodo-url': server.url, api, ...r.inputs },
        event: r.event,
        workspace: r.workspace,
        githubApiUrl: server.githubApiUrl,
        env: r.env,
        onSpawn: r.onSpawn,
        timeoutMs: r.timeoutMs
      }),
    close: async () => {
      await server.close()
      await removeWorkspaces()
    }
  }
}

/** md5 (hex) of a string or bytes, as Zenodo reports checksums. */
export function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex')
}

/**
 * The places a secret must never appear (request URLs, the action's stdout and stderr, its
 * outputs and its summary) that hold one of `secrets`, with the ::add-mask:: commands that
 * register them set aside. An empty list means no leak.
 */
export function secretLeaks(
  run: ActionRun,
  requests: { url: string }[],
  secrets: string[]
): string[] {
  const surfaces = [
    ...requests.map(r => r.url),
    run.stdout,
    run.stderr,
    JSON.stringify(run.outputs),
    run.summary
  ].map(s => s.replace(/^::add-mask::.*$/gm, ''))
  return surfaces.filter(s => secrets.some(secret => secret !== '' && s.includes(secret)))
}

/** "METHOD /path" of every request that changed (or tried to change) something on Zenodo. */
export function writes(server: { requests: RequestLogEntry[] }): string[] {
  return describeRequests(writeRequests(server.requests))
}

/** Downloads a zip a published record holds and unzips it; returns the directory (removed by close()). */
export async function unzipRecordFile(
  server: ZenodoTestServer,
  recordId: number | string,
  name: string
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zra-ws-unzip-'))
  workspaces.add(dir)
  const res = await fetch(
    `${server.apiUrl}/records/${String(recordId)}/files/${encodeURIComponent(name)}/content`,
    { headers: { authorization: `Bearer ${server.token}` } }
  )
  if (!res.ok) throw new Error(`GET ${name} of record ${String(recordId)}: ${String(res.status)}`)
  const zip = join(dir, 'archive.zip')
  await writeFile(zip, Buffer.from(await res.arrayBuffer()))
  execFileSync('unzip', ['-q', zip, '-d', join(dir, 'x')])
  return join(dir, 'x')
}

/** The creator of sampleZenodoJson. */
export const SAMPLE_CREATOR = { name: 'Doe, Jane', affiliation: 'Example University' }

/**
 * A valid .zenodo.json (a software record with a title, one creator and the MIT license) with
 * `fields` laid over it; `indent` spreads it over lines (for tests of line numbers).
 */
export function sampleZenodoJson(fields: Record<string, unknown> = {}, indent?: number): string {
  return JSON.stringify(
    {
      title: 'My tool',
      upload_type: 'software',
      creators: [SAMPLE_CREATOR],
      license: 'MIT',
      ...fields
    },
    null,
    indent
  )
}

/** The workflow-command lines of one kind (`::error`, `::warning`) a run printed. */
export function annotationLines(run: ActionRun, kind: 'error' | 'warning'): string[] {
  return run.stdout.split('\n').filter(l => l.startsWith(`::${kind}`))
}

/**
 * Publishes release v1.0.0 of a workspace holding dist/a.txt and `files`, uploading dist/*
 * unless `inputs` say otherwise.
 */
export async function runRelease(
  e2e: E2E,
  files: Record<string, string | Buffer> = {},
  o: { inputs?: Record<string, string>; release?: Partial<Parameters<typeof releaseEvent>[0]> } = {}
): Promise<ActionRun> {
  const workspace = await makeWorkspace({ 'dist/a.txt': 'a', ...files })
  return e2e.run({
    event: releaseEvent({ tag: 'v1.0.0', ...o.release }),
    workspace,
    inputs: { files: 'dist/*', ...o.inputs }
  })
}

/** The metadata of the one record the run published (the run must have succeeded). */
export function publishedMetadata(e2e: E2E, run: ActionRun): Record<string, unknown> {
  expect([run.code, run.stderr]).toEqual([0, ''])
  const records = e2e.server.records()
  expect(records).toHaveLength(1)
  return records[0].metadata
}
