/**
 * The test server's InvenioRDM native API (test-server/rdm-routes.ts), over real HTTP on
 * 127.0.0.1: lenient draft saves, strict publish, versions that copy no files, files-import,
 * reserved DOIs, streamed uploads with md5, user records, vocabularies, community inclusion
 * requests, and the legacy server's auth, faults and modes applying to it.
 */
import { createHash } from 'node:crypto'
import { request } from 'undici'
import {
  startZenodoServer,
  type RdmServerOptions,
  type ZenodoTestServer
} from '../test-server/zenodo-server.js'

const RDM = 'application/vnd.inveniordm.v1+json'
const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex')

const started: ZenodoTestServer[] = []
let server: ZenodoTestServer

async function start(rdm: RdmServerOptions = { mode: 'instance' }): Promise<ZenodoTestServer> {
  const s = await startZenodoServer({ rdm })
  started.push(s)
  return s
}

beforeEach(async () => {
  server = await start({
    mode: 'instance',
    communities: [{ slug: 'lab' }, { slug: 'closed', refuses: true }]
  })
})
afterEach(async () => {
  await Promise.all(started.splice(0).map(s => s.close()))
})

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** The parsed JSON, or the text when it is not JSON. */
  body: unknown
}

/** The parts of InvenioRDM's JSON these tests read. */
interface RdmRecord {
  id: string
  is_draft: boolean
  status: string
  metadata: Record<string, unknown>
  pids: { doi: { identifier: string } }
  parent: { id: string; pids: { doi?: { identifier: string } } }
  links: Record<string, string | undefined>
  files: { entries: Record<string, { checksum: string }> }
}
interface RdmErrors {
  message: string
  errors?: unknown[]
}
interface RdmList<T> {
  hits: { total: number; hits: T[] }
  links: { next?: string }
}

// The body read as the shape the test expects; a different shape fails the test's expects.
const asRecord = (a: Answer): RdmRecord => a.body as RdmRecord
const asErrors = (a: Answer): RdmErrors => a.body as RdmErrors
const asHits = (a: Answer): RdmList<{ id: string }> => a.body as RdmList<{ id: string }>
const asEntries = (a: Answer): { entries: { key: string }[] } =>
  a.body as { entries: { key: string }[] }

async function call(
  method: string,
  path: string,
  o: {
    json?: unknown
    body?: string | Buffer
    token?: string | null
    accept?: string
    contentType?: string
    on?: ZenodoTestServer
  } = {}
): Promise<Answer> {
  const s = o.on ?? server
  const token = o.token === undefined ? s.token : o.token
  const headers: Record<string, string> = {
    ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
    ...(o.json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(o.contentType ? { 'content-type': o.contentType } : {}),
    ...(o.accept ? { accept: o.accept } : {})
  }
  const res = await request(`${s.apiUrl}${path}`, {
    method: method as 'GET',
    headers,
    body: o.json !== undefined ? JSON.stringify(o.json) : o.body
  })
  const text = await res.body.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.statusCode, headers: res.headers, body }
}

const goodMetadata = {
  resource_type: { id: 'software' },
  title: 'A release',
  publication_date: '2026-01-02',
  creators: [{ person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane' } }]
}

async function draftWith(metadata: Record<string, unknown> = goodMetadata): Promise<string> {
  const res = await call('POST', '/records', { json: { metadata } })
  expect(res.status).toBe(201)
  return asRecord(res).id
}

async function addFile(id: string, key: string, content: string): Promise<Answer> {
  expect((await call('POST', `/records/${id}/draft/files`, { json: [{ key }] })).status).toBe(201)
  const put = await call('PUT', `/records/${id}/draft/files/${encodeURIComponent(key)}/content`, {
    body: content,
    contentType: 'application/octet-stream'
  })
  expect(put.status).toBe(200)
  return call('POST', `/records/${id}/draft/files/${encodeURIComponent(key)}/commit`)
}

async function publishedRecord(files: Record<string, string> = { 'a.txt': 'A' }): Promise<string> {
  const id = await draftWith()
  for (const [k, v] of Object.entries(files)) await addFile(id, k, v)
  const res = await call('POST', `/records/${id}/draft/actions/publish`)
  expect(res.status).toBe(202)
  return id
}

describe('drafts', () => {
  test('create and PUT save leniently: bad values dropped and listed in errors', async () => {
    const res = await call('POST', '/records', {
      json: { metadata: { ...goodMetadata, publication_date: 'soon', colour: 'red' } }
    })
    expect(res.status).toBe(201)
    expect(asErrors(res).errors).toEqual(
      expect.arrayContaining([
        {
          field: 'metadata.publication_date',
          messages: ['Please provide a valid date or interval.']
        },
        { field: 'metadata.colour', messages: ['Unknown field.'] }
      ])
    )
    expect(asRecord(res).metadata.publication_date).toBeUndefined()
    expect(asRecord(res).is_draft).toBe(true)
    expect(asRecord(res).links.self).toBe(`${server.apiUrl}/records/${asRecord(res).id}/draft`)
    const put = await call('PUT', `/records/${asRecord(res).id}/draft`, {
      json: { metadata: { title: 'x' } }
    })
    expect(put.status).toBe(200)
    expect(asRecord(put).metadata).toEqual({ title: 'x' })
    expect(asErrors(put).errors).toBeUndefined()
  })

  test('a vocabulary id the instance lacks is refused at create (400 Invalid value) and nothing is saved', async () => {
    const res = await call('POST', '/records', {
      json: { metadata: { ...goodMetadata, resource_type: { id: 'publication-thesis' } } }
    })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ status: 400, message: 'Invalid value publication-thesis.' })
    expect(server.rdm?.drafts()).toHaveLength(0)
    const id = await draftWith()
    const put = await call('PUT', `/records/${id}/draft`, {
      json: { metadata: { ...goodMetadata, rights: [{ id: 'wtfpl' }] } }
    })
    expect(put.status).toBe(400)
    expect(asRecord(await call('GET', `/records/${id}/draft`)).metadata).toEqual(goodMetadata)
  })

  test('publish is strict: missing fields and no files answer 400 with RDM field names', async () => {
    const id = await draftWith({ title: 'ab' })
    const res = await call('POST', `/records/${id}/draft/actions/publish`)
    expect(res.status).toBe(400)
    expect(asErrors(res).message).toBe('A validation error occurred.')
    const fields = (asErrors(res).errors as { field: string }[]).map(e => e.field)
    expect(fields).toEqual(
      expect.arrayContaining([
        'metadata.resource_type',
        'metadata.creators',
        'metadata.title',
        'metadata.publication_date',
        'files.enabled'
      ])
    )
  })

  test('an active embargo must end after today (EmbargoSchema), else publish answers 400', async () => {
    const today = new Date().toISOString().slice(0, 10)
    for (const [until, status] of [
      ['2001-01-31', 400],
      [today, 400],
      ['2999-01-31', 202]
    ] as const) {
      const res = await call('POST', '/records', {
        json: {
          metadata: goodMetadata,
          access: { record: 'public', files: 'restricted', embargo: { active: true, until } }
        }
      })
      const id = asRecord(res).id
      await addFile(id, 'a.txt', 'A')
      const published = await call('POST', `/records/${id}/draft/actions/publish`)
      expect([until, published.status]).toEqual([until, status])
      if (status === 400) {
        expect(asErrors(published).errors).toEqual([
          {
            field: 'access.embargo.until',
            messages: ['Embargo end date must be set to a future date.']
          }
        ])
      }
    }
  })

  test('publish answers 202 with DOI and parent DOI; an uncommitted file blocks publish', async () => {
    const id = await draftWith()
    await call('POST', `/records/${id}/draft/files`, { json: [{ key: 'p.txt' }] })
    const blocked = await call('POST', `/records/${id}/draft/actions/publish`)
    expect(blocked.status).toBe(400)
    const commit = await addFile(id, 'a.txt', 'hello')
    expect(commit.body).toMatchObject({
      key: 'a.txt',
      status: 'completed',
      checksum: `md5:${md5('hello')}`,
      size: 5
    })
    expect((await call('DELETE', `/records/${id}/draft/files/p.txt`)).status).toBe(204)
    const res = await call('POST', `/records/${id}/draft/actions/publish`)
    expect(res.status).toBe(202)
    expect(asRecord(res).pids.doi.identifier).toBe(`10.80001/${id}`)
    expect(asRecord(res).parent.pids.doi?.identifier).toBe(`10.80001/${asRecord(res).parent.id}`)
    expect(asRecord(res).links.self_html).toBe(`${server.url}/records/${id}`)
    const rec = await call('GET', `/records/${id}`, { token: null })
    expect(rec.status).toBe(200)
    expect(asRecord(rec).files.entries['a.txt'].checksum).toBe(`md5:${md5('hello')}`)
    const content = await request(`${server.apiUrl}/records/${id}/files/a.txt/content`)
    expect(await content.body.text()).toBe('hello')
  })

  test('a draft-only id is not registered as a record; discard deletes it', async () => {
    const id = await draftWith()
    const rec = await call('GET', `/records/${id}`)
    expect(rec.status).toBe(404)
    expect(asErrors(rec).message).toBe('The persistent identifier is not registered.')
    expect((await call('DELETE', `/records/${id}/draft`)).status).toBe(204)
    expect((await call('GET', `/records/${id}/draft`)).status).toBe(404)
  })

  test('a reserved DOI is kept through publish', async () => {
    const id = await draftWith()
    const res = await call('POST', `/records/${id}/draft/pids/doi`)
    expect(res.status).toBe(201)
    const doi = asRecord(res).pids.doi.identifier
    await addFile(id, 'a.txt', 'x')
    const pub = await call('POST', `/records/${id}/draft/actions/publish`)
    expect(asRecord(pub).pids.doi.identifier).toBe(doi)
  })

  test('init of an existing key is refused; content on a committed file is refused', async () => {
    const id = await draftWith()
    await addFile(id, 'a.txt', 'x')
    const again = await call('POST', `/records/${id}/draft/files`, { json: [{ key: 'a.txt' }] })
    expect(again.status).toBe(400)
    const put = await call('PUT', `/records/${id}/draft/files/a.txt/content`, {
      body: 'y',
      contentType: 'application/octet-stream'
    })
    expect(put.status).toBe(400)
    const bad = await call('PUT', `/records/${id}/draft/files/a.txt/content`, {
      body: 'y',
      contentType: 'text/plain'
    })
    expect(bad.status).toBe(415)
  })
})

describe('versions', () => {
  test('a new version copies no files, and asking again returns the same draft', async () => {
    const first = await publishedRecord({ 'old.txt': 'old' })
    const nv = await call('POST', `/records/${first}/versions`)
    expect(nv.status).toBe(201)
    expect(asRecord(nv).status).toBe('new_version_draft')
    expect(asRecord(nv).metadata.publication_date).toBeUndefined()
    const files = await call('GET', `/records/${asRecord(nv).id}/draft/files`)
    expect(asEntries(files).entries).toEqual([])
    const again = await call('POST', `/records/${first}/versions`)
    expect(asRecord(again).id).toBe(asRecord(nv).id)
  })

  test('files-import links the previous files once; a second import is refused', async () => {
    const first = await publishedRecord({ 'old.txt': 'old', 'keep.txt': 'keep' })
    const nv = asRecord(await call('POST', `/records/${first}/versions`)).id
    const imp = await call('POST', `/records/${nv}/draft/actions/files-import`)
    expect(imp.status).toBe(201)
    expect(
      asEntries(imp)
        .entries.map(e => e.key)
        .sort()
    ).toEqual(['keep.txt', 'old.txt'])
    const again = await call('POST', `/records/${nv}/draft/actions/files-import`)
    expect(again.status).toBe(400)
    expect(asErrors(again).errors).toEqual([
      { field: 'files.enabled', messages: ['Please remove all files first.'] }
    ])
    // replacing a same-name file: delete from the draft, upload anew; the old version keeps its own
    expect((await call('DELETE', `/records/${nv}/draft/files/old.txt`)).status).toBe(204)
    await addFile(nv, 'old.txt', 'new')
    // the new version's draft has no publication_date: publish needs one
    expect((await call('POST', `/records/${nv}/draft/actions/publish`)).status).toBe(400)
    await call('PUT', `/records/${nv}/draft`, { json: { metadata: goodMetadata } })
    const pub = await call('POST', `/records/${nv}/draft/actions/publish`)
    expect(pub.status).toBe(202)
    expect(asRecord(pub).files.entries['old.txt'].checksum).toBe(`md5:${md5('new')}`)
    const prev = await call('GET', `/records/${first}/files/old.txt/content`)
    expect(prev.status).toBe(200)
    const latest = await call('GET', `/records/${first}/versions/latest`)
    expect(asRecord(latest).id).toBe(nv)
    const versions = await call('GET', `/records/${nv}/versions`)
    expect(asHits(versions).hits.hits.map(h => h.id)).toEqual([nv, first])
  })

  test('an instance without parent DOIs mints none', async () => {
    const s = await start({ mode: 'instance', parentDoi: false })
    const seeded = await s.rdm?.seedPublished({ title: 'Seeded' })
    expect(seeded?.parentDoi).toBeUndefined()
    const rec = await call('GET', `/records/${String(seeded?.id)}`, { on: s })
    expect(asRecord(rec).parent.pids).toEqual({})
    expect(asRecord(rec).links.parent_doi).toBeUndefined()
  })
})

describe('user records, vocabularies, communities', () => {
  test('/api/user/records lists drafts and records, paged, with q', async () => {
    await publishedRecord()
    const draft = await draftWith({ ...goodMetadata, title: 'Findable draft' })
    for (let i = 0; i < 3; i++) await draftWith({ ...goodMetadata, title: `Other ${String(i)}` })
    const page1 = await call('GET', '/user/records?size=2&page=1')
    expect(asHits(page1).hits.total).toBe(5)
    expect(asHits(page1).hits.hits).toHaveLength(2)
    expect(asHits(page1).links.next).toContain('page=2')
    const found = await call(
      'GET',
      `/user/records?q=${encodeURIComponent('metadata.title:"Findable draft"')}`
    )
    expect(asHits(found).hits.hits.map(h => h.id)).toEqual([draft])
    expect((await call('GET', '/user/records', { token: null })).status).toBe(403)
  })

  test('vocabularies are served paged and by id, per the configured set', async () => {
    const page = await call('GET', '/vocabularies/resourcetypes?size=3', { token: null })
    expect(page.status).toBe(200)
    expect(asHits(page).hits.total).toBe(7)
    expect(asHits(page).hits.hits).toHaveLength(3)
    expect(asHits(page).links.next).toBeDefined()
    expect((await call('GET', '/vocabularies/licenses/mit')).status).toBe(200)
    expect((await call('GET', '/vocabularies/licenses/wtfpl')).status).toBe(404)
    const z = await start({ mode: 'zenodo' })
    const langs = await call('GET', '/vocabularies/languages?size=1', { on: z })
    expect(asHits(langs).hits.total).toBeGreaterThan(7000)
  })

  test('community inclusion: a request per community; a refusal is listed, 400 when none is processed', async () => {
    const id = await publishedRecord()
    const both = await call('POST', `/records/${id}/communities`, {
      json: { communities: [{ id: 'lab' }, { id: 'closed' }] }
    })
    expect(both.status).toBe(200)
    const review = both.body as { processed: { request: { status: string } }[] }
    expect(review.processed).toHaveLength(1)
    expect(review.processed[0].request.status).toBe('submitted')
    expect(asErrors(both).errors).toEqual([
      { community_id: 'closed', message: 'Submission to this community is not allowed.' }
    ])
    const again = await call('POST', `/records/${id}/communities`, {
      json: { communities: [{ id: 'lab' }] }
    })
    expect(again.status).toBe(400)
    expect(server.rdm?.requests()).toEqual([
      expect.objectContaining({ community: 'lab', status: 'submitted' })
    ])
  })
})

describe('modes, auth and faults', () => {
  test('writes need the token (403 Permission denied), records read without', async () => {
    const res = await call('POST', '/records', { json: { metadata: goodMetadata }, token: null })
    expect(res.status).toBe(403)
    expect(res.body).toEqual({ status: 403, message: 'Permission denied.' })
    const id = await publishedRecord()
    expect((await call('GET', `/records/${id}`, { token: null })).status).toBe(200)
  })

  test('the rate limit counts native requests and answers 429 with its headers', async () => {
    const s = await startZenodoServer({ rdm: { mode: 'instance' }, rateLimitPerMinute: 2 })
    started.push(s)
    expect((await call('GET', '/vocabularies/licenses', { on: s })).status).toBe(200)
    const second = await call('GET', '/user/records', { on: s })
    expect(second.headers['x-ratelimit-remaining']).toBe('0')
    const third = await call('POST', '/records', { json: { metadata: goodMetadata }, on: s })
    expect(third.status).toBe(429)
    expect(s.rdm?.drafts()).toHaveLength(0)
  })

  test('an instance has no legacy deposit API', async () => {
    expect((await call('GET', '/deposit/depositions')).status).toBe(404)
  })

  test('Zenodo answers RDM shapes on /api/records only to the InvenioRDM media type', async () => {
    const z = await start({ mode: 'zenodo' })
    const legacy = z.seedPublished({ title: 'Legacy' })
    const plain = await call('GET', `/records/${String(legacy.id)}`, { on: z })
    expect(plain.status).toBe(200)
    expect((plain.body as { conceptrecid?: string }).conceptrecid).toBeDefined()
    const created = await call('POST', '/records', {
      json: { metadata: goodMetadata },
      accept: RDM,
      on: z
    })
    expect(created.status).toBe(201)
    expect(asRecord(created).id).toMatch(/^\d+$/)
    expect((await call('GET', '/deposit/depositions', { on: z })).status).toBe(200)
  })

  test('fault switches apply to the native endpoints: a 504 after publish still publishes', async () => {
    const id = await draftWith()
    await addFile(id, 'a.txt', 'x')
    server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'after', status: 504, html: true }
    })
    const res = await call('POST', `/records/${id}/draft/actions/publish`)
    expect(res.status).toBe(504)
    expect((await call('GET', `/records/${id}`)).status).toBe(200)
    expect(server.requests.some(r => r.url.endsWith('/actions/publish') && r.status === 504)).toBe(
      true
    )
  })
})
