/**
 * The deposition rules (src/target.ts) on plain records, and the legacy deposit API's side of
 * them (src/zenodo/deposition.ts) against the test server over real HTTP: read-only resolution
 * makes no write, and a publish is judged by reading the deposition back. Also the structure
 * that keeps a dry run away from write code.
 */
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { afterAll, afterEach, describe, expect, test } from '@jest/globals'
import {
  startZenodoServer,
  writeRequests,
  type ZenodoTestServer
} from '../test-server/zenodo-server.js'
import { judgeDraft, rivalWinner, carriesIdentity, type Entry } from '../src/target.js'
import { ZenodoClient } from '../src/zenodo/client.js'
import {
  publishAndConfirm,
  resolveTarget,
  PublishOutcomeUnknown
} from '../src/zenodo/deposition.js'
import {
  captureOutput,
  closeTestClients,
  testClient,
  type OutputCapture
} from './helpers/http-client.js'
import { ROOT } from './helpers/action.js'

const identity = { link: 'https://github.com/octo-org/octo-repo/tree/v2.0.0' }

function entry(over: Partial<Entry>): Entry {
  return {
    id: 10,
    conceptId: '9',
    published: false,
    title: 'T',
    pageUrl: 'https://zenodo.org/deposit/10',
    relatedLinks: [],
    metadata: { title: 'T', version: 'v1', publication_date: '2026-01-01' },
    files: [],
    ...over
  }
}

describe('rules', () => {
  test('the identity is the tree link, compared case-insensitively, whatever the version', () => {
    expect(
      carriesIdentity(
        { relatedLinks: ['https://GitHub.com/Octo-Org/octo-repo/tree/V2.0.0/'] },
        identity
      )
    ).toBe(true)
    expect(
      carriesIdentity(
        { relatedLinks: ['https://github.com/octo-org/octo-repo/tree/v2.0.1'] },
        identity
      )
    ).toBe(false)
  })

  const previous = entry({
    id: 8,
    published: true,
    files: [{ name: 'old.txt', md5: 'aaa' }]
  })

  test('an untouched new-version copy (inherited files, partial uploads) is owned', () => {
    const draft = entry({
      metadata: { title: 'T', publication_date: '2026-11-29' },
      files: [
        { name: 'old.txt', md5: 'aaa' },
        { name: 'a.zip', md5: 'bbb' }
      ]
    })
    expect(
      judgeDraft(draft, { identity, previous, planned: [{ name: 'a.zip', md5: 'bbb' }] }).owned
    ).toBe(true)
  })

  test('a file a person added, or edited metadata, makes a draft not owned', () => {
    const withThesis = entry({
      metadata: { title: 'T' },
      files: [{ name: 'thesis.pdf', md5: 'ccc' }]
    })
    expect(judgeDraft(withThesis, { identity, previous, planned: [] })).toMatchObject({
      owned: false,
      why: expect.stringContaining('thesis.pdf')
    })
    const sameName = entry({ metadata: { title: 'T' }, files: [{ name: 'a.zip', md5: 'zzz' }] })
    expect(
      judgeDraft(sameName, { identity, previous, planned: [{ name: 'a.zip', md5: 'bbb' }] }).owned
    ).toBe(false)
    const retitled = entry({ metadata: { title: 'My thesis' } })
    expect(judgeDraft(retitled, { identity, previous, planned: [] }).owned).toBe(false)
  })

  test('a draft carrying this release’s identity is owned unless it holds a foreign file', () => {
    const ours = entry({ metadata: { title: 'Other' }, relatedLinks: [identity.link] })
    expect(judgeDraft(ours, { identity, planned: [] }).owned).toBe(true)
    const touched = { ...ours, files: [{ name: 'notes.pdf', md5: 'x' }] }
    expect(judgeDraft(touched, { identity, planned: [] }).owned).toBe(false)
  })

  test('of two runs, a published version wins, else the lowest id', () => {
    expect(rivalWinner(5, [{ id: 5, published: false }])).toBeUndefined()
    expect(rivalWinner(5, [{ id: 7, published: false }])).toBeUndefined()
    expect(rivalWinner(7, [{ id: 5, published: false }])).toEqual({ id: 5, published: false })
    expect(rivalWinner(5, [{ id: 9, published: true }])).toEqual({ id: 9, published: true })
  })
})

describe('legacy deposit API', () => {
  let server: ZenodoTestServer | undefined
  let out: OutputCapture | undefined
  afterEach(async () => {
    out?.restore()
    await server?.close()
    server = undefined
  })
  afterAll(closeTestClients)

  async function setup(): Promise<{ s: ZenodoTestServer; zenodo: ZenodoClient }> {
    server = await startZenodoServer()
    out = captureOutput()
    const { http } = testClient(server.token)
    return { s: server, zenodo: new ZenodoClient({ apiUrl: server.apiUrl, http }) }
  }

  test('resolution finds an older published version of the release and writes nothing', async () => {
    const { s, zenodo } = await setup()
    const first = s.seedPublished({ version: 'v1.0.0', versions: 2 })
    const old = s.seedPublished({
      version: 'v2.0.0',
      conceptrecid: first.conceptrecid,
      metadata: { related_identifiers: [{ identifier: identity.link, relation: 'isSupplementTo' }] }
    })
    // a later version on top, so the release is not the latest
    const later = s.seedPublished({ version: 'v2.1.0', conceptrecid: old.conceptrecid })
    expect(later.conceptrecid).toBe(old.conceptrecid)
    const target = await resolveTarget(zenodo, {
      conceptId: old.conceptrecid,
      identity,
      planned: () => Promise.resolve([])
    })
    expect(target).toMatchObject({ kind: 'published', recordId: old.id })
    expect(writeRequests(s.requests)).toEqual([])
  })

  test('resolution stops at a person’s draft of the concept, naming it', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({ version: 'v1.0.0', files: [{ name: 'old.txt', content: 'old' }] })
    const draft = s.seedStaleDraft(old.conceptrecid, { metadata: { title: 'Mine' } })
    const target = await resolveTarget(zenodo, {
      conceptId: old.id,
      identity,
      planned: () => Promise.resolve([])
    })
    expect(target).toMatchObject({ kind: 'blocked', draft: { id: draft.id, title: 'Mine' } })
    expect(writeRequests(s.requests)).toEqual([])
  })

  test('a publish whose 2xx body says submitted:false is judged by the deposition read back', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({ version: 'v1.0.0', files: [{ name: 'old.txt', content: 'old' }] })
    const draft = s.seedStaleDraft(old.conceptrecid)
    s.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'after', status: 202, body: { id: draft.id, submitted: false } }
    })
    const dep = await publishAndConfirm(zenodo, draft.id, async () => {})
    expect(dep.submitted).toBe(true)
  })

  test('a 2xx that left the deposition unpublished is an unknown outcome (never discarded)', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({ version: 'v1.0.0', files: [{ name: 'old.txt', content: 'old' }] })
    const draft = s.seedStaleDraft(old.conceptrecid)
    s.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'status', status: 200, body: {} }
    })
    await expect(publishAndConfirm(zenodo, draft.id, async () => {})).rejects.toBeInstanceOf(
      PublishOutcomeUnknown
    )
  })

  test('a refusal after an attempt whose outcome was unknown stays unknown (the draft is not discarded)', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({ version: 'v1.0.0', files: [{ name: 'old.txt', content: 'old' }] })
    const draft = s.seedStaleDraft(old.conceptrecid)
    s.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      times: 1,
      kind: { type: 'status', status: 504, body: { message: 'Gateway Time-out' } }
    })
    s.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      times: 5,
      kind: { type: 'status', status: 400, body: { status: 400, message: 'Bad request' } }
    })
    const outcome = publishAndConfirm(zenodo, draft.id, async () => {})
    await expect(outcome).rejects.toBeInstanceOf(PublishOutcomeUnknown)
    await expect(outcome).rejects.toThrow(
      /again was refused .*after an attempt whose outcome is unknown/
    )
  })
})

describe('a dry run cannot reach write code', () => {
  /** Relative imports of a module, transitively. */
  async function reachable(entryFile: string): Promise<Set<string>> {
    const seen = new Set<string>()
    const queue = [resolve(ROOT, entryFile)]
    while (queue.length) {
      const file = queue.pop() as string
      if (seen.has(file)) continue
      seen.add(file)
      const text = await readFile(file, 'utf8')
      for (const m of text.matchAll(/^import\s+(?!type\b)[^'"]*['"](\.[^'"]+)['"]/gm)) {
        queue.push(join(dirname(file), m[1].replace(/\.js$/, '.ts')))
      }
    }
    return new Set([...seen].map(f => f.slice(ROOT.length + 1)))
  }

  test('plan and the dry-run report import neither execute, uploads nor the archive builder', async () => {
    for (const start of ['src/plan.ts', 'src/report.ts']) {
      const mods = await reachable(start)
      expect([...mods].filter(m => /execute|upload|archive\//.test(m))).toEqual([])
    }
  })

  test('plan.ts takes only resolveTarget from the deposition module, which has no dryRun flag', async () => {
    const plan = await readFile(join(ROOT, 'src/plan.ts'), 'utf8')
    expect(/import \{([^}]*)\} from '\.\/zenodo\/deposition\.js'/.exec(plan)?.[1].trim()).toBe(
      'resolveTarget'
    )
    const deposition = await readFile(join(ROOT, 'src/zenodo/deposition.ts'), 'utf8')
    expect(deposition).not.toMatch(/dryRun/i)
  })
})
