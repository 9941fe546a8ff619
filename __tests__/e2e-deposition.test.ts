/**
 * Which deposition a release goes into, end to end through dist/index.js: a release is
 * recognised by its tree link across every version, a person's draft is never touched, two
 * runs of one release publish once, and an unknown publish outcome is read back, never
 * followed by a discard.
 */
import {
  makeWorkspace,
  md5,
  releaseEvent,
  startE2E,
  writes,
  type ActionRun,
  type E2E
} from './helpers/action.js'

const FAST = { ZENODO_RELEASE_TIME_SCALE: '0.001' }
/**
 * For two runs at once: the server's list lags 100 ms of real time, so the scaled waits for a
 * run's own draft to show in the list (20 reads, 3 s apart in real use) must add up to more than
 * that even on a loaded machine: 20 x 60 ms.
 */
const RACE = { ZENODO_RELEASE_TIME_SCALE: '0.02' }
const files = { 'dist/a.tar.gz': 'archive a', 'dist/b.whl': 'wheel b' }

let e2e: E2E
afterEach(async () => {
  await e2e.close()
})

async function start(opts: Parameters<typeof startE2E>[0] = {}): Promise<void> {
  e2e = await startE2E({ rateLimitPerMinute: 0, ...opts })
}

async function release(
  tag: string,
  inputs: Record<string, string> = {},
  timeoutMs?: number,
  env: Record<string, string> = FAST
): Promise<ActionRun> {
  const workspace = await makeWorkspace(files)
  return e2e.run({
    event: releaseEvent({ tag }),
    workspace,
    inputs: { files: 'dist/*', ...inputs },
    env,
    timeoutMs
  })
}

function seedConcept(): { id: number; conceptrecid: number; conceptdoi: string } {
  return e2e.server.seedPublished({
    version: 'v1.0.0',
    files: [{ name: 'old.txt', content: 'old' }]
  })
}

function publishRequests(): string[] {
  return writes(e2e.server).filter(w => w.endsWith('/actions/publish'))
}

function discardsOrDeletes(): string[] {
  return writes(e2e.server).filter(
    w => w.endsWith('/actions/discard') || /^DELETE \/api\/deposit\/depositions\/\d+$/.test(w)
  )
}

describe('a release is recognised by its repository link and tag, across every version', () => {
  beforeEach(() => start())

  test('rerunning an older release (v2.0.0 after v2.1.0) publishes nothing and outputs v2.0.0’s DOIs', async () => {
    const old = seedConcept()
    const v200 = await release('v2.0.0', { concept: old.conceptdoi })
    expect(v200.code).toBe(0)
    const v210 = await release('v2.1.0', { concept: old.conceptdoi })
    expect(v210.code).toBe(0)
    expect(v210.outputs.doi).not.toBe(v200.outputs.doi)
    const before = writes(e2e.server).length

    const rerun = await release('v2.0.0', { concept: old.conceptdoi })
    expect(rerun.code).toBe(0)
    expect(writes(e2e.server)).toHaveLength(before)
    expect(rerun.outputs.doi).toBe(v200.outputs.doi)
    expect(rerun.outputs['record-id']).toBe(v200.outputs['record-id'])
    expect(rerun.outputs['concept-doi']).toBe(old.conceptdoi)
    expect(rerun.summary).toContain(v200.outputs.doi)
    expect(rerun.summary).toContain('already published')
    expect(e2e.server.records()).toHaveLength(3)
  })

  test('a version or title given in the metadata or version input does not change the identity: a rerun publishes nothing', async () => {
    const first = await release('v1.0.0', {
      metadata: JSON.stringify({ version: '1.0', title: 'First title' })
    })
    expect(first.code).toBe(0)
    const before = writes(e2e.server).length
    const rerun = await release('v1.0.0', {
      metadata: JSON.stringify({ version: '1.0-final', title: 'Another title' })
    })
    expect(rerun.code).toBe(0)
    expect(writes(e2e.server)).toHaveLength(before)
    expect(rerun.outputs.doi).toBe(first.outputs.doi)
    const byInput = await release('v1.0.0', { version: '1.0.0-renamed' })
    expect(byInput.code).toBe(0)
    expect(writes(e2e.server)).toHaveLength(before)
    expect(byInput.outputs.doi).toBe(first.outputs.doi)
    expect(e2e.server.records()).toHaveLength(1)
  })
})

describe("a person's draft is never changed or discarded", () => {
  beforeEach(() => start())

  test('a run stops before any write, naming the draft and how to go on', async () => {
    const old = seedConcept()
    const draft = e2e.server.seedStaleDraft(old.conceptrecid, {
      metadata: { title: 'My thesis, final' },
      files: [{ name: 'thesis-final.pdf', content: 'months of work' }]
    })
    const run = await release('v2.0.0', { concept: old.conceptdoi })
    expect(run.code).not.toBe(0)
    expect(writes(e2e.server)).toEqual([])
    expect(run.stdout).toContain(`deposition ${String(draft.id)}`)
    expect(run.stdout).toContain('My thesis, final')
    expect(run.stdout).toContain(`${e2e.server.url}/deposit/${String(draft.id)}`)
    expect(run.stdout).toMatch(/Publish or discard that draft on Zenodo/)
    expect(run.summary).toContain(`deposition ${String(draft.id)}`)
    const kept = e2e.server.depositions().find(d => d.id === draft.id)
    expect(kept?.files.map(f => f.filename)).toEqual(['thesis-final.pdf'])
    expect(kept?.metadata.title).toBe('My thesis, final')
  })

  test('a draft with the same files but edited metadata also stops the run (dry run too)', async () => {
    const old = seedConcept()
    const draft = e2e.server.seedStaleDraft(old.conceptrecid, {
      metadata: { description: 'Rewritten by hand on Zenodo.' }
    })
    const dry = await release('v2.0.0', { concept: old.conceptdoi, 'dry-run': 'true' })
    expect(dry.code).not.toBe(0)
    expect(dry.stdout).toContain(`deposition ${String(draft.id)}`)
    expect(writes(e2e.server)).toEqual([])
  })

  test('a failing run does not discard a person’s draft it only found late (list lag)', async () => {
    await e2e.close()
    await start({ listLagMs: 60_000 })
    const old = seedConcept()
    const draft = e2e.server.seedStaleDraft(old.conceptrecid, {
      metadata: { title: 'My thesis, final' },
      files: [{ name: 'thesis-final.pdf', content: 'months of work' }]
    })
    const run = await release('v2.0.0', { concept: old.conceptdoi })
    expect(run.code).not.toBe(0)
    expect(discardsOrDeletes()).toEqual([])
    expect(publishRequests()).toEqual([])
    const kept = e2e.server.depositions().find(d => d.id === draft.id)
    expect(kept?.files.map(f => [f.filename, f.checksum])).toEqual([
      ['thesis-final.pdf', md5('months of work')]
    ])
  })

  test('an untouched new-version copy left by a killed run is adopted and published', async () => {
    const old = seedConcept()
    const draft = e2e.server.seedStaleDraft(old.conceptrecid)
    const run = await release('v2.0.0', { concept: old.conceptdoi })
    expect(run.code).toBe(0)
    expect(run.outputs['record-id']).toBe(String(draft.id))
    expect(e2e.server.depositions().filter(d => !d.submitted)).toEqual([])
  })
})

describe('a run that cannot see its own draft in the list', () => {
  beforeEach(() => start({ listLagMs: 2000 }))

  test('publishes nothing and leaves the draft, which the next run of the release reuses', async () => {
    const first = await release('v1.0.0')
    expect(first.code).toBe(1)
    expect(first.stdout).toMatch(/did not show in your list of depositions in time/)
    expect(e2e.server.records()).toHaveLength(0)
    expect(discardsOrDeletes()).toEqual([])
    const left = e2e.server.depositions().filter(d => !d.submitted)
    expect(left).toHaveLength(1)
    await new Promise(resolve => setTimeout(resolve, 2100))
    const second = await release('v1.0.0', {}, undefined, RACE)
    expect(second.code).toBe(0)
    expect(second.outputs['record-id']).toBe(String(left[0].id))
    expect(e2e.server.records()).toHaveLength(1)
  })
})

describe('two runs of one release at the same moment publish exactly one version', () => {
  beforeEach(() => start({ listLagMs: 100 }))

  test('both runs spawned at once: one version, the same DOI (or a clear message)', async () => {
    const [a, b] = await Promise.all([
      release('v1.0.0', {}, undefined, RACE),
      release('v1.0.0', {}, undefined, RACE)
    ])
    const records = e2e.server.records()
    expect(records).toHaveLength(1)
    expect(e2e.server.depositions().filter(d => !d.submitted)).toEqual([])
    for (const run of [a, b]) {
      if (run.code === 0) expect(run.outputs.doi).toBe(records[0].doi)
      else expect(run.stdout).toMatch(/Another run of this release/)
    }
    expect([a.code, b.code]).toContain(0)
  })

  test('two runs of a new version of a concept at once: one version with this release’s files', async () => {
    const old = seedConcept()
    const [a, b] = await Promise.all([
      release('v2.0.0', { concept: old.conceptdoi }, undefined, RACE),
      release('v2.0.0', { concept: old.conceptdoi }, undefined, RACE)
    ])
    const fresh = e2e.server.records().filter(r => r.id !== old.id)
    expect(fresh).toHaveLength(1)
    expect(Object.fromEntries(fresh[0].files.map(f => [f.key, f.checksum]))).toEqual({
      'a.tar.gz': `md5:${md5('archive a')}`,
      'b.whl': `md5:${md5('wheel b')}`
    })
    expect(e2e.server.depositions().filter(d => !d.submitted)).toEqual([])
    for (const run of [a, b]) {
      if (run.code === 0) expect(run.outputs.doi).toBe(fresh[0].doi)
      else expect(run.stdout).toMatch(/Another run of this release|not in your list/)
    }
    expect([a.code, b.code]).toContain(0)
  })
})

describe('an unknown publish outcome is read back, never treated as a failure', () => {
  beforeEach(() => start())

  test('a publish that stalls past the client timeout but happens is published, with no discard', async () => {
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'stall-after' }
    })
    const run = await release('v1.0.0', {}, 60_000)
    expect(run.code).toBe(0)
    expect(run.outputs.state).toBe('published')
    expect(publishRequests()).toHaveLength(1)
    expect(discardsOrDeletes()).toEqual([])
    expect(run.outputs.doi).toBe(e2e.server.records()[0].doi)
  }, 70_000)

  test('a publish that never answers, twice, leaves the draft in place and says to look at it', async () => {
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      times: 2,
      kind: { type: 'stall' }
    })
    const run = await release('v1.0.0', {}, 60_000)
    expect(run.code).not.toBe(0)
    expect(publishRequests()).toHaveLength(2)
    expect(discardsOrDeletes()).toEqual([])
    expect(e2e.server.depositions().filter(d => !d.submitted)).toHaveLength(1)
    expect(run.stdout).toMatch(/may still be published/)
  }, 70_000)

  test('a 200 with a non-JSON body on publish is judged by reading the deposition back', async () => {
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'after', status: 200, text: 'OK' }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expect(run.outputs.state).toBe('published')
    expect(run.outputs.doi).toBe(e2e.server.records()[0].doi)
  })

  test('a 2xx saying submitted: false is reported as published when the deposition is', async () => {
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'after', status: 202, body: { id: 1, submitted: false, state: 'unsubmitted' } }
    })
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expect(run.outputs.state).toBe('published')
    expect(run.summary).toContain('Published on Zenodo')
  })
})

describe('the job summary', () => {
  beforeEach(() => start())

  test('a first release says a new record was made and how later releases continue it; no empty header row', async () => {
    const run = await release('v1.0.0')
    expect(run.code).toBe(0)
    expect(run.summary).toContain('made a new Zenodo record')
    expect(run.summary).toContain(`concept: ${run.outputs['concept-doi']}`)
    expect(run.summary).not.toMatch(/^\|\s*\|\s*\|$/m)
  })

  test('a failed run writes its problems into the summary', async () => {
    const workspace = await makeWorkspace({
      'dist/a.txt': 'a',
      '.zenodo.json': '{"license": "nope"}'
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'dist/*' },
      env: FAST
    })
    expect(run.code).not.toBe(0)
    expect(run.summary).toContain('Zenodo release failed')
    expect(run.summary).toMatch(/license/)
  })
})
