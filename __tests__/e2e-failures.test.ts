/**
 * Zenodo's known failures, end to end through the built bundle: each run must end with exactly
 * one new published version holding exactly the right files (md5 checked), no unpublished draft
 * left over, and no token anywhere; or stop before writing anything.
 */
import type { ChildProcess } from 'node:child_process'
import {
  makeWorkspace,
  md5,
  releaseEvent,
  secretLeaks,
  startE2E,
  type ActionRun,
  type E2E
} from './helpers/action.js'

const FAST = { ZENODO_RELEASE_TIME_SCALE: '0.001' }

let e2e: E2E
beforeEach(async () => {
  e2e = await startE2E({ rateLimitPerMinute: 0 })
})
afterEach(async () => {
  await e2e.close()
})

const files = { 'dist/a.tar.gz': 'archive a', 'dist/b.whl': 'wheel b' }
const expected = { 'a.tar.gz': `md5:${md5('archive a')}`, 'b.whl': `md5:${md5('wheel b')}` }

/** Exactly one published version of the concept besides `previousIds`, with exactly the expected files; no draft left. */
function expectOnePublished(previousIds: number[] = []): void {
  const fresh = e2e.server.records().filter(r => !previousIds.includes(r.id))
  expect(fresh).toHaveLength(1)
  expect(Object.fromEntries(fresh[0].files.map(f => [f.key, f.checksum]))).toEqual(expected)
  expect(e2e.server.depositions().filter(d => !d.submitted)).toEqual([])
}

function expectNoTokenLeak(run: ActionRun): void {
  expect(secretLeaks(run, e2e.server.requests, [e2e.server.token])).toEqual([])
}

async function release(
  tag: string,
  inputs: Record<string, string> = {},
  extra: { onSpawn?: (c: ChildProcess) => void } = {}
): Promise<ActionRun> {
  const workspace = await makeWorkspace(files)
  return e2e.run({
    event: releaseEvent({ tag }),
    workspace,
    inputs: { files: 'dist/*', ...inputs },
    env: FAST,
    ...extra
  })
}

function seedConcept(): { id: number; conceptrecid: number; conceptdoi: string } {
  return e2e.server.seedPublished({
    version: 'v1.0.0',
    files: [{ name: 'old.txt', content: 'old' }]
  })
}

describe('retries', () => {
  test('a 429 with Retry-After is waited out and the release is published once', async () => {
    e2e.server.faults.add({
      method: 'PUT',
      path: /^\/api\/deposit\/depositions\/\d+$/,
      kind: {
        type: 'status',
        status: 429,
        body: { message: '100 per 1 minute', status: 429 },
        headers: { 'Retry-After': '2' }
      }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/429/)
    expectOnePublished()
    expectNoTokenLeak(run)
  })

  test('a 429 with only X-RateLimit-Reset is waited out', async () => {
    e2e.server.faults.add({
      method: 'POST',
      path: /^\/api\/deposit\/depositions$/,
      kind: {
        type: 'status',
        status: 429,
        body: { message: '100 per 1 minute', status: 429 },
        headers: { 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3) }
      }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expectOnePublished()
  })

  test('5xx answers with JSON and HTML bodies are retried', async () => {
    e2e.server.faults.add({
      method: 'PUT',
      path: /^\/api\/files\//,
      times: 2,
      kind: { type: 'status', status: 503, html: true }
    })
    e2e.server.faults.add({
      method: 'GET',
      path: /^\/api\/deposit\/depositions$/,
      kind: { type: 'status', status: 500 }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expect(run.stdout).not.toMatch(/<html/i)
    expectOnePublished()
  })

  test('an upload reset partway through its body is sent again from the start', async () => {
    e2e.server.faults.add({
      method: 'PUT',
      path: /^\/api\/files\/.*a\.tar\.gz$/,
      kind: { type: 'reset', afterBodyBytes: 3 }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expectOnePublished()
  })
})

describe('unknown outcomes are read back, never repeated blindly', () => {
  test('a publish that answers 504 but happened counts as published, and is not repeated', async () => {
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'after', status: 504, html: true }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expect(run.outputs.state).toBe('published')
    expect(e2e.server.requests.filter(r => r.url.endsWith('/actions/publish'))).toHaveLength(1)
    expectOnePublished()
    expect(run.outputs.doi).toBe(e2e.server.records()[0].doi)
  })

  test('a publish that answers 504 and did not happen is asked for once more', async () => {
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'status', status: 504, html: true }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expect(e2e.server.requests.filter(r => r.url.endsWith('/actions/publish'))).toHaveLength(2)
    expectOnePublished()
  })

  test('a create whose answer is lost adopts the deposition it made instead of making a second', async () => {
    e2e.server.faults.add({
      method: 'POST',
      path: /^\/api\/deposit\/depositions$/,
      kind: { type: 'after', status: 502, html: true }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expect(e2e.server.depositions()).toHaveLength(1)
    expectOnePublished()
  })

  test('a newversion whose answer is lost yields one draft, not two', async () => {
    const old = seedConcept()
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/newversion$/,
      kind: { type: 'after', status: 500 }
    })
    const run = await release('v2.0.0', { concept: old.conceptdoi })
    expect(run.code).toBe(0)
    expectOnePublished([old.id])
  })
})

describe('recovery from earlier runs', () => {
  test('a stale new-version draft holding part of this release is reused', async () => {
    const old = seedConcept()
    e2e.server.seedStaleDraft(old.conceptrecid, {
      files: [
        { name: 'old.txt', content: 'old' },
        { name: 'a.tar.gz', content: 'archive a' }
      ]
    })
    const run = await release('v2.0.0', { concept: String(old.conceptrecid) })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/left by an earlier run/)
    expectOnePublished([old.id])
  })

  test('rerunning a published release publishes nothing new and outputs the same DOI', async () => {
    const first = await release('v1.0.0')
    expect(first.code).toBe(0)
    const second = await release('v1.0.0')
    expect(second.code).toBe(0)
    expect(second.outputs.doi).toBe(first.outputs.doi)
    expectOnePublished()
  })

  test('a failure after the draft was made discards it, leaving nothing half-done', async () => {
    e2e.server.faults.add({
      method: 'PUT',
      path: /^\/api\/files\//,
      times: 20,
      kind: { type: 'status', status: 507, body: { status: 507, message: 'Insufficient storage' } }
    })
    const run = await release('v1.0.0')
    expect(run.code).not.toBe(0)
    expect(e2e.server.records()).toHaveLength(0)
    expect(e2e.server.depositions()).toEqual([])
    expect(run.stdout).toMatch(/Discarded the unpublished draft/)
  })
})

describe('a run killed between any two requests, then rerun, publishes exactly once', () => {
  const killPoints: [
    string,
    string | undefined,
    { method: string; path: RegExp; skip?: number }
  ][] = [
    [
      'after the deposition is created',
      undefined,
      { method: 'POST', path: /^\/api\/deposit\/depositions$/ }
    ],
    ['after the first upload', undefined, { method: 'PUT', path: /^\/api\/files\// }],
    ['after every upload', undefined, { method: 'PUT', path: /^\/api\/files\//, skip: 1 }],
    [
      'after the metadata is sent',
      undefined,
      { method: 'PUT', path: /^\/api\/deposit\/depositions\/\d+$/ }
    ],
    [
      'after publishing, before the answer',
      undefined,
      { method: 'POST', path: /\/actions\/publish$/ }
    ],
    [
      'after the new version is opened',
      'concept',
      { method: 'POST', path: /\/actions\/newversion$/ }
    ],
    [
      'after an inherited file is deleted',
      'concept',
      { method: 'DELETE', path: /\/files\/[^/]+$/ }
    ],
    [
      'after the first upload of a new version',
      'concept',
      { method: 'PUT', path: /^\/api\/files\// }
    ],
    ['after a new version is published', 'concept', { method: 'POST', path: /\/actions\/publish$/ }]
  ]
  test.each(killPoints)('killed %s', async (_name, mode, point) => {
    const old = mode === 'concept' ? seedConcept() : undefined
    const inputs: Record<string, string> = old ? { concept: old.conceptdoi } : {}
    let child: ChildProcess | undefined
    e2e.server.faults.add({
      method: point.method,
      path: point.path,
      skip: point.skip,
      kind: { type: 'hook', when: 'after', fn: () => void child?.kill('SIGKILL') }
    })
    const killed = await release('v2.0.0', inputs, { onSpawn: c => (child = c) })
    expect(killed.signal).toBe('SIGKILL')

    const rerun = await release('v2.0.0', inputs)
    expect(rerun.stderr).toBe('')
    expect(rerun.code).toBe(0)
    expectOnePublished(old ? [old.id] : [])
    expect(rerun.outputs.doi).toBe(e2e.server.records().find(r => r.id !== old?.id)?.doi)
  })
})
