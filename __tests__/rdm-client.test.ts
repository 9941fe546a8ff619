/**
 * The InvenioRDM client (src/rdm/client.ts) against the test server's native API over real
 * HTTP: the whole release flow, the behaviours it relies on (no files copied into a new version,
 * the same new-version draft on a repeat, files-import, reserved DOIs), streamed uploads with
 * the md5 checked, ambiguous outcomes read back, community requests, and Zenodo's media type.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import { HttpError } from '../src/http.js'
import { RdmClient, RDM_MEDIA_TYPE } from '../src/rdm/client.js'
import {
  startZenodoServer,
  type RdmServerOptions,
  type ZenodoTestServer
} from '../test-server/zenodo-server.js'
import { closeTestClients, testClient } from './helpers/http-client.js'

const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex')

let server: ZenodoTestServer | undefined
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdm-client-'))
})
afterEach(async () => {
  await server?.close()
  server = undefined
})
afterAll(async () => {
  await closeTestClients()
  await rm(dir, { recursive: true, force: true })
})

async function setup(
  rdm: RdmServerOptions = {
    mode: 'instance',
    communities: [{ slug: 'lab' }, { slug: 'closed', refuses: true }]
  }
): Promise<{ s: ZenodoTestServer; rdmc: RdmClient; sleeps: number[] }> {
  server = await startZenodoServer({ rdm })
  const { http, sleeps } = testClient(server.token)
  return { s: server, rdmc: new RdmClient({ apiUrl: `${server.apiUrl}/`, http }), sleeps }
}

async function file(
  name: string,
  content: string | Buffer
): Promise<{ path: string; name: string }> {
  const path = join(dir, `${String(Math.random()).slice(2)}-${name}`)
  await writeFile(path, content)
  return { path, name }
}

const body = {
  metadata: {
    resource_type: { id: 'software' },
    title: 'My tool',
    publication_date: '2026-03-04',
    creators: [{ person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane' } }]
  },
  access: { record: 'public', files: 'public' },
  files: { enabled: true }
}

describe('the release flow', () => {
  test('create, reserve DOI, upload with md5, publish, read back', async () => {
    const { rdmc, s } = await setup()
    const { draft, errors } = await rdmc.createDraft(body)
    expect(errors).toEqual([])
    expect(draft.is_draft).toBe(true)
    const doi = await rdmc.reserveDoi(draft.id)
    expect(doi).toBe(`10.80001/${draft.id}`)
    const content = Buffer.alloc(3 * 1024 * 1024 + 7, 'x')
    const up = await rdmc.uploadFile(draft.id, await file('tool.zip', content))
    expect(up).toEqual({
      name: 'tool.zip',
      size: content.length,
      md5: md5(content),
      checksum: md5(content)
    })
    const rec = await rdmc.publish(draft.id)
    expect(rec.pids.doi?.identifier).toBe(doi)
    expect(rec.parent.pids?.doi?.identifier).toBe(`10.80001/${rec.parent.id}`)
    expect((await rdmc.getRecord(draft.id)).is_published).toBe(true)
    expect((await rdmc.getLatestVersion(draft.id)).id).toBe(draft.id)
    // every record call asked for InvenioRDM's media type; the token only in the header
    const recordCalls = s.requests.filter(r => r.url.startsWith('/api/records'))
    expect(
      recordCalls.every(r => r.headers.accept === RDM_MEDIA_TYPE || r.url.endsWith('/content'))
    ).toBe(true)
    expect(s.requests.every(r => !r.url.includes(s.token))).toBe(true)
  })

  test('a lenient save reports the errors the server listed; publish refuses them with field errors', async () => {
    const { rdmc } = await setup()
    const { draft } = await rdmc.createDraft(body)
    const saved = await rdmc.saveDraft(draft.id, {
      ...body,
      metadata: { ...body.metadata, publication_date: 'next week' }
    })
    expect(saved.errors).toEqual([
      { field: 'metadata.publication_date', messages: ['Please provide a valid date or interval.'] }
    ])
    await rdmc.uploadFile(draft.id, await file('a.txt', 'a'))
    const err = await rdmc.publish(draft.id).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HttpError)
    expect((err as HttpError).fieldErrors.map(f => f.field)).toContain('metadata.publication_date')
  })

  test('a new version carries no files; files-import brings them; same-name replaced on request', async () => {
    const { rdmc, s } = await setup()
    const seeded = await s.rdm?.seedPublished({
      files: [
        { name: 'a.txt', content: 'old a' },
        { name: 'b.txt', content: 'b' }
      ]
    })
    const id = String(seeded?.id)
    const nv = await rdmc.newVersion(id)
    expect(await rdmc.listDraftFiles(nv.id)).toEqual([])
    expect((await rdmc.newVersion(id)).id).toBe(nv.id)
    const imported = await rdmc.importFiles(nv.id)
    expect(imported.map(f => f.key).sort()).toEqual(['a.txt', 'b.txt'])
    const refused = await rdmc
      .uploadFile(nv.id, await file('a.txt', 'new a'))
      .catch((e: unknown) => e)
    expect(String(refused)).toContain('already has a file named a.txt')
    await rdmc.uploadFile(nv.id, await file('a.txt', 'new a'), { replace: true })
    await rdmc.saveDraft(nv.id, { ...body, metadata: { ...body.metadata, version: '2.0' } })
    const rec = await rdmc.publish(nv.id)
    const entries = rec.files?.entries as Record<string, { checksum: string }>
    expect(entries['a.txt'].checksum).toBe(`md5:${md5('new a')}`)
    expect(entries['b.txt'].checksum).toBe(`md5:${md5('b')}`)
    const versions = await rdmc.listVersions(id)
    expect(versions.hits.map(h => h.id)).toEqual([nv.id, id])
  })

  test('discard deletes a never-published draft; a repeat after a 5xx that did it is a success', async () => {
    const { rdmc, s } = await setup()
    const { draft } = await rdmc.createDraft(body)
    s.faults.add({
      method: 'DELETE',
      path: `/api/records/${draft.id}/draft`,
      kind: { type: 'after', status: 502 }
    })
    await rdmc.discardDraft(draft.id)
    expect(await rdmc.findDraft(draft.id)).toBeUndefined()
  })
})

describe('ambiguous outcomes and retries', () => {
  test('a 504 after publish is read back as published', async () => {
    const { rdmc, s } = await setup()
    const { draft } = await rdmc.createDraft(body)
    await rdmc.uploadFile(draft.id, await file('a.txt', 'a'))
    s.faults.add({
      method: 'POST',
      path: /actions\/publish$/,
      kind: { type: 'after', status: 504, html: true }
    })
    const err = await rdmc.publish(draft.id).catch((e: unknown) => e)
    expect((err as HttpError).status).toBe(504)
    // unsafe: never repeated
    expect(s.requests.filter(r => r.url.endsWith('/actions/publish'))).toHaveLength(1)
    const outcome = await rdmc.readPublishOutcome(draft.id)
    expect(outcome?.is_published).toBe(true)
  })

  test('a publish that failed before it happened reads back as still a draft', async () => {
    const { rdmc, s } = await setup()
    const { draft } = await rdmc.createDraft(body)
    s.faults.add({
      method: 'POST',
      path: /actions\/publish$/,
      kind: { type: 'status', status: 504 }
    })
    await expect(rdmc.publish(draft.id)).rejects.toBeInstanceOf(HttpError)
    expect(await rdmc.readPublishOutcome(draft.id)).toBeUndefined()
  })

  test('a content upload reset midway is retried from the start, and md5 matches', async () => {
    const { rdmc, s, sleeps } = await setup()
    const { draft } = await rdmc.createDraft(body)
    s.faults.add({
      method: 'PUT',
      path: /\/content$/,
      kind: { type: 'reset', afterBodyBytes: 1000 }
    })
    const content = Buffer.alloc(200_000, 'z')
    const up = await rdmc.uploadFile(draft.id, await file('big.bin', content))
    expect(up.checksum).toBe(md5(content))
    expect(sleeps.length).toBeGreaterThan(0)
  })

  test('a commit answered 500 after it happened is read back from the listing', async () => {
    const { rdmc, s } = await setup()
    const { draft } = await rdmc.createDraft(body)
    s.faults.add({ method: 'POST', path: /\/commit$/, kind: { type: 'after', status: 500 } })
    const up = await rdmc.uploadFile(draft.id, await file('c.txt', 'c'))
    expect(up.checksum).toBe(md5('c'))
  })

  test('a new version asked again after a 502 returns the one draft', async () => {
    const { rdmc, s } = await setup()
    const seeded = await s.rdm?.seedPublished({})
    s.faults.add({ method: 'POST', path: /\/versions$/, kind: { type: 'after', status: 502 } })
    const nv = await rdmc.newVersion(String(seeded?.id))
    expect(s.rdm?.drafts().map(d => d.id)).toEqual([nv.id])
  })
})

describe('finding records, communities, vocabularies', () => {
  test('user records are paged and filtered with q; a draft-only id is no record', async () => {
    const { rdmc } = await setup()
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          await rdmc.createDraft({
            ...body,
            metadata: { ...body.metadata, title: `T${String(i)}` }
          })
        ).draft.id
      )
    const all: string[] = []
    for await (const r of rdmc.userRecords({ size: 2 })) all.push(r.id)
    expect(all.sort()).toEqual([...ids].sort())
    const page = await rdmc.searchUserRecords({ q: 'metadata.title:T3' })
    expect(page.hits.map(h => h.id)).toEqual([ids[3]])
    const err = await rdmc.getRecord(ids[0]).catch((e: unknown) => e)
    expect((err as HttpError).status).toBe(404)
  })

  test('inclusion requests: one processed, one refused without throwing', async () => {
    const { rdmc, s } = await setup()
    const seeded = await s.rdm?.seedPublished({})
    const lab = await rdmc.getCommunity('lab')
    const out = await rdmc.requestInclusion(String(seeded?.id), [lab.id, 'closed'])
    expect(out.processed).toEqual([
      expect.objectContaining({ communityId: lab.id, status: 'submitted' })
    ])
    expect(out.refused).toEqual([
      { communityId: 'closed', message: 'Submission to this community is not allowed.' }
    ])
  })

  test('vocabulary pages and single ids', async () => {
    const { rdmc } = await setup()
    const p = await rdmc.vocabularyPage('licenses', 1, 2)
    expect(p.items).toHaveLength(2)
    expect(p.total).toBe(5)
    expect(p.next).toBe(true)
    expect(await rdmc.vocabularyHas('licenses', 'mit')).toBe(true)
    expect(await rdmc.vocabularyHas('licenses', 'cc-by-sa-4.0')).toBe(false)
  })

  test('against Zenodo in both-APIs mode, the client gets RDM shapes', async () => {
    const { rdmc, s } = await setup({ mode: 'zenodo' })
    const legacy = s.seedPublished({ title: 'Legacy' })
    const { draft } = await rdmc.createDraft(body)
    expect(draft.id).toMatch(/^\d+$/)
    expect(draft.id).not.toBe(String(legacy.id))
    await rdmc.uploadFile(draft.id, await file('a.txt', 'a'))
    const rec = await rdmc.publish(draft.id)
    expect(rec.pids.doi?.identifier).toBe(`10.5281/zenodo.${draft.id}`)
  })
})
