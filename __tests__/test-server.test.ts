/**
 * The project's Zenodo test server, over real HTTP on 127.0.0.1: the legacy deposit API's rules
 * and quirks (as docs/zenodo-api.md describes them), faults, rate limits, and the GitHub
 * and OAuth fixtures.
 */
import { createHash, randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import { request } from 'undici'
import type { Deposition, DepositionFileView, PublishedRecordView } from '../test-server/types.js'
import {
  startZenodoServer,
  writeRequests,
  type ZenodoServerOptions,
  type ZenodoTestServer
} from '../test-server/zenodo-server.js'

const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex')

let server: ZenodoTestServer
const started: ZenodoTestServer[] = []

async function start(opts: ZenodoServerOptions = {}): Promise<ZenodoTestServer> {
  const s = await startZenodoServer(opts)
  started.push(s)
  return s
}

beforeEach(async () => {
  server = await start()
})
afterEach(async () => {
  await Promise.all(started.splice(0).map(s => s.close()))
})

interface CallOptions {
  json?: unknown
  body?: string | Buffer
  headers?: Record<string, string>
  /** null: no Authorization header. */
  token?: string | null
  on?: ZenodoTestServer
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The parsed JSON, or the text when it is not JSON. */
  body: unknown
}

/** An error body as Zenodo sends it. */
interface ApiError {
  status: number
  message: string
  error_id?: string
  errors: { field: string; messages: string[] }[]
}

// The body read as the shape the test expects; a different shape fails the test's expects.
const asDeposition = (a: Answer): Deposition => a.body as Deposition
const asDepositions = (a: Answer): Deposition[] => a.body as Deposition[]
const asError = (a: Answer): ApiError => a.body as ApiError
const asRecord = (a: Answer): PublishedRecordView => a.body as PublishedRecordView

/** One request; path relative to the API URL unless absolute. */
async function call(method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const s = o.on ?? server
  const token = o.token === undefined ? s.token : o.token
  const headers: Record<string, string> = {
    ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
    ...(o.json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...o.headers
  }
  const res = await request(path.startsWith('http') ? path : `${s.apiUrl}${path}`, {
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
  return { status: res.statusCode, headers: res.headers, text, body }
}

async function createDraft(metadata?: Record<string, unknown>, on = server) {
  const res = await call('POST', '/deposit/depositions', { json: metadata ? { metadata } : {}, on })
  expect(res.status).toBe(201)
  return res.body as { id: number; conceptrecid: string; links: Record<string, string> }
}

async function upload(bucket: string, key: string, content: string | Buffer, on = server) {
  return call('PUT', `${bucket}/${encodeURIComponent(key)}`, {
    body: content,
    headers: { 'content-type': 'application/octet-stream' },
    on
  })
}

const goodMetadata = {
  title: 'A test record',
  upload_type: 'software',
  creators: [{ name: 'Doe, Jane', affiliation: 'Uni' }],
  description: 'Hello'
}

/** A published record with the given files; returns its deposition body. */
async function publishedRecord(files: Record<string, string>) {
  const d = await createDraft(goodMetadata)
  for (const [k, v] of Object.entries(files)) await upload(d.links.bucket, k, v)
  const res = await call('POST', `/deposit/depositions/${String(d.id)}/actions/publish`)
  expect(res.status).toBe(202)
  return asDeposition(res)
}

describe('request rules', () => {
  test('a JSON body with a charset parameter is refused with 415 and the exact message', async () => {
    const res = await call('POST', '/deposit/depositions', {
      body: '{}',
      headers: { 'content-type': 'application/json; charset=utf-8' }
    })
    expect(res.status).toBe(415)
    expect(res.body).toEqual({
      status: 415,
      message: "Invalid 'Content-Type' header. Expected one of: application/json"
    })
    expect(server.depositions()).toEqual([])
  })

  test('a JSON body without Content-Type is accepted', async () => {
    const res = await call('POST', '/deposit/depositions', { body: '{}' })
    expect(res.status).toBe(201)
  })

  test('a bucket upload with a Content-Type other than octet-stream is refused with 415', async () => {
    const d = await createDraft()
    const res = await call('PUT', `${d.links.bucket}/a.txt`, {
      body: 'x',
      headers: { 'content-type': 'text/plain' }
    })
    expect(res.status).toBe(415)
    expect(asError(res).message).toBe(
      "Invalid 'Content-Type' header. Expected one of: application/octet-stream"
    )
    const ok = await call('PUT', `${d.links.bucket}/a.txt`, { body: 'x' })
    expect(ok.status).toBe(201)
  })

  test('a missing or wrong token gets 403 Permission denied, never 401', async () => {
    for (const token of [null, 'wrong-token']) {
      const res = await call('GET', '/deposit/depositions', { token })
      expect(res.status).toBe(403)
      expect(res.body).toEqual({ status: 403, message: 'Permission denied.' })
    }
  })

  test('the token is accepted as ?access_token= too', async () => {
    const res = await call('GET', `/deposit/depositions?access_token=${server.token}`, {
      token: null
    })
    expect(res.status).toBe(200)
  })

  test('an Accept other than JSON gets 406; */* and lists containing JSON pass', async () => {
    expect(
      (await call('GET', '/deposit/depositions', { headers: { accept: 'text/html' } })).status
    ).toBe(406)
    expect((await call('GET', '/deposit/depositions', { headers: { accept: '*/*' } })).status).toBe(
      200
    )
    const list = await call('GET', '/deposit/depositions', {
      headers: { accept: 'text/plain, application/json;q=0.9' }
    })
    expect(list.status).toBe(200)
  })

  test('unknown paths answer 404 Not found. with rate-limit headers', async () => {
    const res = await call('GET', '/nothing/here')
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ status: 404, message: 'Not found.' })
    expect(res.headers['x-ratelimit-limit']).toBe('100')
    expect(Number(res.headers['x-ratelimit-remaining'])).toBeLessThan(100)
    expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000)
  })
})

describe('depositions', () => {
  test('create, upload, PUT and publish give a record with md5 checksums, DOIs and links', async () => {
    const d = await createDraft()
    expect(d.links.bucket).toMatch(new RegExp(`^${server.apiUrl}/files/[0-9a-f-]{36}$`))
    const up = await upload(d.links.bucket, 'data.csv', 'a,b\n1,2\n')
    expect(up.status).toBe(201)
    expect(up.body).toMatchObject({
      key: 'data.csv',
      size: 8,
      checksum: `md5:${md5('a,b\n1,2\n')}`,
      mimetype: 'text/csv',
      is_head: true,
      delete_marker: false
    })
    const put = await call('PUT', `/deposit/depositions/${String(d.id)}`, {
      json: { metadata: { ...goodMetadata, license: 'MIT', unknown_key: 1 } }
    })
    expect(put.status).toBe(200)
    expect(asDeposition(put).metadata).toMatchObject({
      license: 'mit-license',
      imprint_publisher: 'Zenodo',
      access_right: 'open',
      publication_date: new Date().toISOString().slice(0, 10)
    })
    expect(asDeposition(put).metadata).not.toHaveProperty('unknown_key')
    expect(asDeposition(put).files[0].checksum).toBe(md5('a,b\n1,2\n'))
    expect(asDeposition(put).links.badge).toBe(`${server.url}/badge/doi/.svg`)

    const pub = await call('POST', `/deposit/depositions/${String(d.id)}/actions/publish`)
    expect(pub.status).toBe(202)
    expect(pub.body).toMatchObject({
      id: d.id,
      doi: `10.5281/zenodo.${String(d.id)}`,
      conceptdoi: `10.5281/zenodo.${d.conceptrecid}`,
      state: 'done',
      submitted: true
    })
    expect(Number(d.conceptrecid)).toBe(d.id - 1)
    expect(asDeposition(pub).links.html).toBe(`${server.url}/records/${String(d.id)}`)
    expect(asDeposition(pub).links.badge).toBe(
      `${server.url}/badge/doi/10.5281/zenodo.${String(d.id)}.svg`
    )
    expect(asDeposition(pub).links.conceptbadge).toBe(
      `${server.url}/badge/doi/10.5281/zenodo.${d.conceptrecid}.svg`
    )
    expect(asDeposition(pub).links.latest_draft).toBe(
      `${server.apiUrl}/deposit/depositions/${String(d.id)}`
    )

    const [record] = server.records()
    expect(record.files).toEqual([
      expect.objectContaining({ key: 'data.csv', size: 8, checksum: `md5:${md5('a,b\n1,2\n')}` })
    ])
    expect(record.metadata).toMatchObject({
      title: 'A test record',
      license: { id: 'mit' },
      resource_type: { type: 'software' }
    })
    expect(record.metadata).not.toHaveProperty('upload_type')
    const again = await call('POST', `/deposit/depositions/${String(d.id)}/actions/publish`)
    expect(again.status).toBe(404)
  })

  test('POST {} makes a draft with only access_right and prereserve_doi', async () => {
    const d = await call('POST', '/deposit/depositions', { json: {} })
    expect(asDeposition(d).metadata).toEqual({
      access_right: 'open',
      prereserve_doi: {
        doi: `10.5281/zenodo.${String(asDeposition(d).id)}`,
        recid: asDeposition(d).id
      }
    })
    expect(asDeposition(d).title).toBe('')
    expect(asDeposition(d).files).toEqual([])
    expect(asDeposition(d).state).toBe('unsubmitted')
    expect(d.body).not.toHaveProperty('doi')
  })

  test('an unknown top-level key is a 400; a body that is not an object is a 500', async () => {
    const bad = await call('POST', '/deposit/depositions', { json: { title: 'x' } })
    expect(bad.status).toBe(400)
    expect(asError(bad).errors).toEqual([{ field: 'title', messages: ['Unknown field.'] }])
    expect((await call('POST', '/deposit/depositions', { json: [] })).status).toBe(500)
    expect((await call('POST', '/deposit/depositions', { json: { metadata: 'x' } })).status).toBe(
      500
    )
    expect(server.depositions()).toEqual([])
  })

  test('licenses are matched by the rule of zenodo-licenses.json and echoed as legacy ids', async () => {
    const d = await createDraft()
    const put = (license: unknown) =>
      call('PUT', `/deposit/depositions/${String(d.id)}`, { json: { metadata: { license } } })
    expect(asDeposition(await put('Apache-2.0')).metadata.license).toBe('apache2.0')
    expect(asDeposition(await put({ id: 'CC0-1.0' })).metadata.license).toBe('cc-zero')
    expect(asDeposition(await put('mit-license')).metadata.license).toBe('mit-license')
    const bad = await put('Beerware-Plus')
    expect(bad.status).toBe(400)
    expect(asError(bad).errors).toEqual([
      { field: 'metadata.license', messages: ['Invalid license provided: Beerware-Plus'] }
    ])
    const list = await put(['MIT'])
    expect(asError(list).errors[0].messages[0]).toBe(
      "Invalid license value provided (expected string, or object with 'id' key)"
    )
  })

  test('the default license is cc-by-4.0, or cc-zero for a dataset', async () => {
    const d = await createDraft()
    const sw = await call('PUT', `/deposit/depositions/${String(d.id)}`, {
      json: { metadata: { upload_type: 'software' } }
    })
    expect(asDeposition(sw).metadata.license).toBe('cc-by-4.0')
    const ds = await call('PUT', `/deposit/depositions/${String(d.id)}`, {
      json: { metadata: { upload_type: 'dataset' } }
    })
    expect(asDeposition(ds).metadata.license).toBe('cc-zero')
  })

  test('unknown vocabulary ids fail at PUT with "Invalid value"; invalid scalars are dropped', async () => {
    const d = await createDraft()
    const put = (metadata: Record<string, unknown>) =>
      call('PUT', `/deposit/depositions/${String(d.id)}`, { json: { metadata } })
    const rel = await put({
      related_identifiers: [{ identifier: 'https://x.org', relation: 'isSupplementedByFoo' }]
    })
    expect(rel.status).toBe(400)
    expect(asError(rel).errors[0].messages).toEqual(['Invalid value issupplementedbyfoo.'])
    const type = await put({ upload_type: 'publication', publication_type: 'novel' })
    expect(asError(type).errors[0].messages).toEqual(['Invalid value publication-novel.'])
    const role = await put({ contributors: [{ name: 'A', type: 'Boss' }] })
    expect(asError(role).errors[0].messages).toEqual(['Invalid value boss.'])
    const embargo = await put({ access_right: 'embargoed' })
    expect(asError(embargo).errors).toEqual([
      { field: '_schema', messages: ['Unknown access type.'] }
    ])
    const lenient = await put({
      title: 42,
      related_identifiers: [{ identifier: '10.1234/abc', relation: 'IsSupplementTo' }]
    })
    expect(lenient.status).toBe(200)
    expect(asDeposition(lenient).metadata).not.toHaveProperty('title')
    expect(asDeposition(lenient).metadata.related_identifiers).toEqual([
      { identifier: '10.1234/abc', relation: 'isSupplementTo', scheme: 'doi' }
    ])
    expect((await put({ locations: [{ lat: 1 }] })).status).toBe(500)
    expect((await put({ creators: ['Doe, Jane'] })).status).toBe(500)
  })

  test('PUT replaces all metadata', async () => {
    const d = await createDraft({ ...goodMetadata, keywords: ['a'] })
    const put = await call('PUT', `/deposit/depositions/${String(d.id)}`, {
      json: { metadata: { title: 'Only' } }
    })
    expect(asDeposition(put).metadata.title).toBe('Only')
    expect(asDeposition(put).metadata).not.toHaveProperty('keywords')
    expect(asDeposition(put).metadata).not.toHaveProperty('creators')
  })

  test('publish reports missing fields with RDM names and zero files', async () => {
    const d = await createDraft()
    const put = await call('PUT', `/deposit/depositions/${String(d.id)}`, {
      json: { metadata: { title: 'ab', publication_date: '2020-13-45' } }
    })
    expect(put.status).toBe(200)
    expect(asDeposition(put).metadata).not.toHaveProperty('publication_date')
    const res = await call('POST', `/deposit/depositions/${String(d.id)}/actions/publish`)
    expect(res.status).toBe(400)
    expect(asError(res).message).toBe('A validation error occurred.')
    expect(asError(res).errors).toEqual(
      expect.arrayContaining([
        { field: 'metadata.resource_type', messages: ['Missing data for required field.'] },
        { field: 'metadata.creators', messages: ['Missing data for required field.'] },
        { field: 'metadata.title', messages: ['Title must be at least 3 characters long.'] },
        { field: 'metadata.publication_date', messages: ['Missing data for required field.'] },
        {
          field: 'files.enabled',
          messages: [
            'Missing uploaded files. To disable files for this record please mark it as metadata-only.'
          ]
        }
      ])
    )
    expect(server.records()).toEqual([])
  })

  test('DELETE removes a draft (204), a repeat is 404, and a published record cannot be deleted', async () => {
    const d = await createDraft()
    expect((await call('DELETE', `/deposit/depositions/${String(d.id)}`)).status).toBe(204)
    expect((await call('DELETE', `/deposit/depositions/${String(d.id)}`)).status).toBe(404)
    const pub = await publishedRecord({ 'a.txt': 'a' })
    expect((await call('DELETE', `/deposit/depositions/${String(pub.id)}`)).status).toBe(404)
    expect(server.records()).toHaveLength(1)
  })

  test('discard hard-deletes a never-published draft with 204', async () => {
    const d = await createDraft()
    const res = await call('POST', `/deposit/depositions/${String(d.id)}/actions/discard`)
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    expect(server.depositions()).toEqual([])
  })

  test('edit of a published record: metadata can change, files are locked', async () => {
    const pub = await publishedRecord({ 'a.txt': 'a' })
    const edit = await call('POST', `/deposit/depositions/${String(pub.id)}/actions/edit`)
    expect(edit.status).toBe(201)
    expect(edit.body).toMatchObject({ state: 'inprogress', submitted: true })
    const locked = await upload(pub.links.bucket, 'b.txt', 'b')
    expect(locked.status).toBe(403)
    expect(asError(locked).message).toBe('Bucket is locked for modifications.')
    const fileId = pub.files[0].id
    expect(
      (await call('DELETE', `/deposit/depositions/${String(pub.id)}/files/${fileId}`)).status
    ).toBe(403)
    await call('PUT', `/deposit/depositions/${String(pub.id)}`, {
      json: { metadata: { ...goodMetadata, title: 'New title' } }
    })
    expect(
      (await call('POST', `/deposit/depositions/${String(pub.id)}/actions/publish`)).status
    ).toBe(202)
    expect(server.records()[0].title).toBe('New title')
  })

  test('the list has no links.bucket, hides older versions unless all_versions, and lags', async () => {
    const lagging = await start({ listLagMs: 300 })
    const d = await createDraft(goodMetadata, lagging)
    expect((await call('GET', '/deposit/depositions', { on: lagging })).body).toEqual([])
    await new Promise(r => setTimeout(r, 350))
    const list = await call('GET', '/deposit/depositions?status=published', { on: lagging })
    expect(asDepositions(list).map(x => x.id)).toEqual([d.id])
    expect(asDepositions(list)[0].links).not.toHaveProperty('bucket')

    const seeded = server.seedPublished({ versions: 3, files: [{ name: 'a', content: 'a' }] })
    const latestOnly = await call('GET', '/deposit/depositions')
    expect(asDepositions(latestOnly).map(x => x.id)).toEqual([seeded.id])
    const all = await call('GET', '/deposit/depositions?all_versions=true&size=2&page=1')
    expect(all.body).toHaveLength(2)
    const page2 = await call('GET', '/deposit/depositions?all_versions=true&size=2&page=2')
    expect(page2.body).toHaveLength(1)
  })

  test('the files endpoints: multipart upload with secure_filename, duplicate 400, 405 on PUT', async () => {
    const d = await createDraft()
    const form = new FormData()
    form.append('name', 'my file (1).zip')
    form.append('file', new Blob(['zip bytes']), 'ignored.zip')
    const post = await fetch(`${server.apiUrl}/deposit/depositions/${String(d.id)}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: form
    })
    expect(post.status).toBe(201)
    const file = (await post.json()) as { id: string; filename: string; checksum: string }
    expect(file.filename).toBe('my_file_1.zip')
    expect(file.checksum).toBe(md5('zip bytes'))
    const dup = await fetch(`${server.apiUrl}/deposit/depositions/${String(d.id)}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: form
    })
    expect(dup.status).toBe(400)
    expect(((await dup.json()) as { message: string }).message).toBe(
      'File with key my_file_1.zip already exists.'
    )
    expect(
      (await call('PUT', `/deposit/depositions/${String(d.id)}/files`, { json: [] })).status
    ).toBe(405)
    const list = await call('GET', `/deposit/depositions/${String(d.id)}/files`)
    expect(list.body).toEqual([expect.objectContaining({ id: file.id, filesize: 9 })])
    expect(
      (await call('DELETE', `/deposit/depositions/${String(d.id)}/files/${file.id}`)).status
    ).toBe(204)
    expect((await call('GET', `/deposit/depositions/${String(d.id)}/files`)).body).toEqual([])
  })
  test('a multipart upload larger than one chunk streams through with the right md5', async () => {
    const d = await createDraft()
    const content = randomBytes(3 * 1024 * 1024 + 17)
    const form = new FormData()
    form.append('file', new Blob([content]), 'big data.bin')
    const post = await fetch(`${server.apiUrl}/deposit/depositions/${String(d.id)}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: form
    })
    expect(post.status).toBe(201)
    expect(await post.json()).toMatchObject({
      filename: 'big_data.bin',
      filesize: content.length,
      checksum: md5(content)
    })
  })
})

describe('legacy metadata as Zenodo reads it (docs/zenodo-api.md, "Sources of the metadata checks")', () => {
  /** Create a draft with the metadata, upload one file, publish; the publish answer. */
  async function publishWith(metadata: Record<string, unknown>) {
    const d = await createDraft({ ...goodMetadata, ...metadata })
    await upload(d.links.bucket, 'a.txt', 'a')
    return call('POST', `/deposit/depositions/${String(d.id)}/actions/publish`)
  }

  test('an embargo that has ended (today included) is kept at PUT and refused at publish', async () => {
    const today = new Date().toISOString().slice(0, 10)
    for (const until of ['2001-01-31', today, 'soon']) {
      const res = await publishWith({ access_right: 'embargoed', embargo_date: until })
      expect([until, res.status]).toEqual([until, 400])
      expect(asError(res).errors).toEqual([
        {
          field: 'access.embargo.until',
          messages: ['Embargo end date must be set to a future date.']
        }
      ])
    }
    const future = await publishWith({ access_right: 'embargoed', embargo_date: '2999-01-31' })
    expect(future.status).toBe(202)
    expect(asDeposition(future).metadata.embargo_date).toBe('2999-01-31')
  })

  test('subjects are not read (only keywords become subjects): dropped at PUT, in any shape', async () => {
    const res = await publishWith({
      keywords: ['astronomy'],
      subjects: [{ term: 'Astronomy' }, { term: 'Physics', identifier: 'http://x.org/p' }]
    })
    expect(res.status).toBe(202)
    expect(asDeposition(res).metadata).not.toHaveProperty('subjects')
    expect(asDeposition(res).metadata.keywords).toEqual(['astronomy'])
    expect((await publishWith({ subjects: 'Astronomy' })).status).toBe(202)
  })

  test('locations: any coordinates are taken, a point only when lat and lon are both non-zero numbers', async () => {
    const res = await publishWith({
      locations: [
        { place: 'Far', lat: 123, lon: -400 },
        { place: 'Equator', lat: 0, lon: 10 },
        { place: 'Half', lat: 5 },
        { place: 'Text', lat: '46.2', lon: '6.1' },
        { place: 'Text zero', lat: '51.48', lon: '0' },
        { place: 'Words', lat: 'north', lon: 6.1, description: 'd' }
      ]
    })
    expect(res.status).toBe(202)
    expect(asDeposition(res).metadata.locations).toEqual([
      { place: 'Far', lat: 123, lon: -400 },
      { place: 'Equator' },
      { place: 'Half' },
      { place: 'Text', lat: 46.2, lon: 6.1 },
      { place: 'Text zero', lat: 51.48, lon: 0 },
      { place: 'Words', description: 'd' }
    ])
  })

  test('a description shorter than 3 characters is dropped at PUT; publish goes on without one', async () => {
    for (const description of ['ok', '   ', undefined]) {
      const d = await createDraft({ ...goodMetadata, description })
      await upload(d.links.bucket, 'a.txt', 'a')
      const res = await call('POST', `/deposit/depositions/${String(d.id)}/actions/publish`)
      expect([description, res.status]).toEqual([description, 202])
      expect(asDeposition(res).metadata).not.toHaveProperty('description')
    }
    expect(asDeposition(await publishWith({ description: 'Hey' })).metadata.description).toBe('Hey')
  })

  test('a date needs a start or an end (400 otherwise); one alone is kept; a reversed period fails at publish', async () => {
    const single = await publishWith({
      dates: [
        { start: '2024-01-01', type: 'Collected' },
        { end: '2024-02', type: 'Valid' }
      ]
    })
    expect(single.status).toBe(202)
    expect(asDeposition(single).metadata.dates).toEqual([
      { start: '2024-01-01', type: 'Collected' },
      { end: '2024-02', type: 'Valid' }
    ])
    const d = await createDraft()
    const neither = await call('PUT', `/deposit/depositions/${String(d.id)}`, {
      json: { metadata: { dates: [{ type: 'Valid', description: 'x' }] } }
    })
    expect(neither.status).toBe(400)
    expect(asError(neither).errors).toEqual([
      { field: 'metadata.dates', messages: ['Invalid date provided.'] }
    ])
    const reversed = await publishWith({
      dates: [{ start: '2024-03-01', end: '2024-01-31', type: 'Valid' }]
    })
    expect(reversed.status).toBe(400)
    expect(asError(reversed).errors).toEqual([
      { field: 'metadata.dates.0.date', messages: ['Missing data for required field.'] }
    ])
  })
})

describe('newversion', () => {
  test('builds the new draft from the latest version and imports all its files', async () => {
    const seeded = server.seedPublished({
      versions: 2,
      version: 'v2',
      files: [
        { name: 'a.txt', content: 'aaa' },
        { name: 'b.txt', content: 'bbb' }
      ]
    })
    const first = seeded.id - 1
    const res = await call('POST', `/deposit/depositions/${String(first)}/actions/newversion`)
    expect(res.status).toBe(201)
    const draft = asDeposition(res)
    expect(draft.id).toBeGreaterThan(seeded.id)
    expect(draft.state).toBe('unsubmitted')
    expect(draft.conceptrecid).toBe(String(seeded.conceptrecid))
    expect(draft.metadata).not.toHaveProperty('version')
    expect(draft.metadata.publication_date).toBe(new Date().toISOString().slice(0, 10))
    expect(draft.files.map(f => [f.filename, f.checksum])).toEqual([
      ['a.txt', md5('aaa')],
      ['b.txt', md5('bbb')]
    ])
    const latest = server.depositions().find(d => d.id === seeded.id)
    expect(draft.links.bucket).not.toBe(latest?.links.bucket)
    // same key replaces in place
    const put = await upload(draft.links.bucket, 'a.txt', 'new a')
    expect(put.status).toBe(201)
    const files = (await call('GET', `/deposit/depositions/${String(draft.id)}/files`))
      .body as DepositionFileView[]
    expect(files.map(f => [f.filename, f.checksum])).toEqual([
      ['a.txt', md5('new a')],
      ['b.txt', md5('bbb')]
    ])
    // the published version keeps its bytes
    const old = await call('GET', `/records/${String(seeded.id)}/files/a.txt/content`)
    expect(old.text).toBe('aaa')
  })

  test('a stale draft holding files blocks newversion with "Please remove all files first."', async () => {
    const seeded = server.seedPublished({ files: [{ name: 'a.txt', content: 'a' }] })
    server.seedStaleDraft(seeded.conceptrecid, { files: [{ name: 'x.txt', content: 'x' }] })
    const res = await call('POST', `/deposit/depositions/${String(seeded.id)}/actions/newversion`)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      status: 400,
      message: 'A validation error occurred.',
      errors: [{ field: 'files.enabled', messages: ['Please remove all files first.'] }]
    })
  })

  test('an emptied stale draft is returned again (201) with the latest files re-imported', async () => {
    const seeded = server.seedPublished({ files: [{ name: 'a.txt', content: 'a' }] })
    const stale = server.seedStaleDraft(seeded.conceptrecid, { files: [] })
    const res = await call('POST', `/deposit/depositions/${String(seeded.id)}/actions/newversion`)
    expect(res.status).toBe(201)
    expect(asDeposition(res).id).toBe(stale.id)
    expect(asDeposition(res).files.map(f => f.filename)).toEqual(['a.txt'])
  })

  test('a concept id or a draft id is 404', async () => {
    const seeded = server.seedPublished({ files: [{ name: 'a.txt', content: 'a' }] })
    const concept = await call(
      'POST',
      `/deposit/depositions/${String(seeded.conceptrecid)}/actions/newversion`
    )
    expect(concept.status).toBe(404)
    const d = await createDraft()
    expect(
      (await call('POST', `/deposit/depositions/${String(d.id)}/actions/newversion`)).status
    ).toBe(404)
  })
})

describe('records', () => {
  test('a concept id redirects (302) and versions/latest (301) to the latest version', async () => {
    const seeded = server.seedPublished({ versions: 2, files: [{ name: 'a.txt', content: 'a' }] })
    const concept = await call('GET', `/records/${String(seeded.conceptrecid)}`)
    expect(concept.status).toBe(302)
    expect(concept.headers.location).toBe(`/api/records/${String(seeded.id)}`)
    const latest = await call('GET', `/records/${String(seeded.id - 1)}/versions/latest`)
    expect(latest.status).toBe(301)
    expect(latest.body).toEqual({
      status: 301,
      message: 'Redirecting...',
      location: `${server.apiUrl}/records/${String(seeded.id)}`
    })
    const rec = await call('GET', `/records/${String(seeded.id)}`, { token: null })
    expect(rec.status).toBe(200)
    expect(rec.body).toMatchObject({
      id: seeded.id,
      conceptrecid: String(seeded.conceptrecid),
      doi: seeded.doi,
      conceptdoi: seeded.conceptdoi,
      status: 'published'
    })
    const { relations } = asRecord(rec).metadata as { relations: { version: unknown[] } }
    expect(relations.version[0]).toMatchObject({
      index: 2,
      is_last: true
    })
  })

  test('a draft-only id is "not registered"; an unknown id is Not found.', async () => {
    const d = await createDraft()
    const res = await call('GET', `/records/${String(d.id)}`)
    expect(res.body).toEqual({
      status: 404,
      message: 'The persistent identifier is not registered.'
    })
    expect((await call('GET', '/records/999999')).body).toEqual({
      status: 404,
      message: 'Not found.'
    })
  })
})

describe('bucket', () => {
  test('uploads are checked against the quota from Content-Length before any byte is stored', async () => {
    const small = await start({ quotaBytes: 10 })
    const d = await createDraft(undefined, small)
    const big = await upload(d.links.bucket, 'big.bin', Buffer.alloc(11), small)
    expect(big.status).toBe(400)
    expect(asError(big).message).toBe('Maximum file size exceeded.')
    expect((await upload(d.links.bucket, 'a.bin', Buffer.alloc(6), small)).status).toBe(201)
    const full = await upload(d.links.bucket, 'b.bin', Buffer.alloc(6), small)
    expect(asError(full).message).toBe('Bucket quota exceeded.')
    // replacing a key frees its own bytes
    expect((await upload(d.links.bucket, 'a.bin', Buffer.alloc(10), small)).status).toBe(201)
    expect(small.depositions()[0].files).toHaveLength(1)
  })

  test('a body that ends short of its Content-Length is discarded', async () => {
    const d = await createDraft()
    const url = new URL(`${d.links.bucket}/short.bin`)
    await new Promise<void>((resolve, reject) => {
      const sock = connect(Number(url.port), '127.0.0.1', () => {
        sock.write(
          `PUT ${url.pathname} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.token}\r\nContent-Length: 100\r\n\r\n0123456789`
        )
        setTimeout(() => {
          sock.destroy()
          resolve()
        }, 100)
      })
      sock.on('error', reject)
    })
    await new Promise(r => setTimeout(r, 50))
    expect(server.requests.at(-1)).toMatchObject({ method: 'PUT', bodyBytes: 10, status: 0 })
    expect(server.depositions()[0].files).toEqual([])
  })

  test('keys with a slash do not route, unknown buckets are 404', async () => {
    const d = await createDraft()
    expect((await call('PUT', `${d.links.bucket}/a%2Fb.txt`, { body: 'x' })).status).toBe(404)
    expect((await call('PUT', `${d.links.bucket}/a/b.txt`, { body: 'x' })).status).toBe(404)
    const unknown = `${server.apiUrl}/files/00000000-0000-0000-0000-000000000000/a.txt`
    expect((await call('PUT', unknown, { body: 'x' })).status).toBe(404)
  })

  test('a delete answers 204, or 500 after deleting with bucketDeleteReturns500', async () => {
    const d = await createDraft()
    await upload(d.links.bucket, 'a.txt', 'a')
    expect((await call('DELETE', `${d.links.bucket}/a.txt`)).status).toBe(204)
    const quirky = await start({ bucketDeleteReturns500: true })
    const q = await createDraft(undefined, quirky)
    await upload(q.links.bucket, 'a.txt', 'a', quirky)
    const res = await call('DELETE', `${q.links.bucket}/a.txt`, { on: quirky })
    expect(res.status).toBe(500)
    expect(asError(res).error_id).toEqual(expect.any(String))
    expect(quirky.depositions()[0].files).toEqual([])
  })

  test('a large upload streams to disk with the right md5 and streams back', async () => {
    const d = await createDraft()
    const chunk = Buffer.alloc(1024 * 1024, 7)
    const total = 32
    const hash = createHash('md5')
    for (let i = 0; i < total; i++) hash.update(chunk)
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < total; i++) yield chunk
      })()
    )
    const res = await request(`${d.links.bucket}/big.bin`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${server.token}`,
        'content-length': String(total * chunk.length)
      },
      body
    })
    const json = (await res.body.json()) as { checksum: string; size: number }
    expect(json).toMatchObject({
      checksum: `md5:${hash.digest('hex')}`,
      size: total * chunk.length
    })
    const down = await request(`${d.links.bucket}/big.bin`, {
      headers: { authorization: `Bearer ${server.token}` }
    })
    let n = 0
    for await (const c of down.body) n += (c as Buffer).length
    expect(n).toBe(total * chunk.length)
    expect(server.requests.at(-2)?.bodyBytes).toBe(total * chunk.length)
  })
})

describe('faults', () => {
  test('status answers without doing the action (HTML like a proxy page when asked)', async () => {
    server.faults.add({
      method: 'POST',
      path: '/api/deposit/depositions',
      kind: { type: 'status', status: 502, html: true }
    })
    const res = await call('POST', '/deposit/depositions', { json: {} })
    expect(res.status).toBe(502)
    expect(res.headers['content-type']).toBe('text/html')
    expect(res.text).toMatch(/<html/)
    expect(server.depositions()).toEqual([])
    expect(server.faults.pending()).toEqual([])
  })

  test('after does the action, then answers the fault (publish, then 504)', async () => {
    const d = await createDraft(goodMetadata)
    await upload(d.links.bucket, 'a.txt', 'a')
    server.faults.add({
      path: /\/actions\/publish$/,
      kind: { type: 'after', status: 504, html: true }
    })
    const res = await call('POST', `/deposit/depositions/${String(d.id)}/actions/publish`)
    expect(res.status).toBe(504)
    expect(server.records()).toHaveLength(1)
    const read = await call('GET', `/deposit/depositions/${String(d.id)}`)
    expect(read.body).toMatchObject({ state: 'done', submitted: true })
  })

  test('reset destroys the socket after some body bytes; the upload is not stored', async () => {
    const d = await createDraft()
    server.faults.add({
      method: 'PUT',
      path: /^\/api\/files\//,
      kind: { type: 'reset', afterBodyBytes: 10 }
    })
    await expect(upload(d.links.bucket, 'a.bin', Buffer.alloc(100_000))).rejects.toThrow()
    expect(server.depositions()[0].files).toEqual([])
    expect(server.requests.at(-1)).toMatchObject({ status: 0, method: 'PUT' })
    expect((await upload(d.links.bucket, 'a.bin', 'ok')).status).toBe(201)
  })

  test('stall never answers until the client gives up, and close() still finishes', async () => {
    const d = await createDraft()
    server.faults.add({
      method: 'PUT',
      path: /a\.bin$/,
      kind: { type: 'stall', afterBodyBytes: 5 }
    })
    const aborted = request(`${d.links.bucket}/a.bin`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.token}` },
      body: Buffer.alloc(50_000),
      signal: AbortSignal.timeout(300)
    })
    await expect(aborted).rejects.toThrow()
    expect(server.depositions()[0].files).toEqual([])
  })

  test('delay, skip and times: only the matching requests are affected', async () => {
    server.faults.add({
      method: 'GET',
      path: '/deposit/depositions',
      skip: 1,
      times: 2,
      kind: { type: 'status', status: 503 }
    })
    server.faults.add({
      method: 'POST',
      path: '/deposit/depositions',
      kind: { type: 'delay', ms: 200 }
    })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await call('GET', '/deposit/depositions')).status)
    expect(statuses).toEqual([200, 503, 503, 200])
    const t0 = Date.now()
    expect((await call('POST', '/deposit/depositions', { json: {} })).status).toBe(201)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190)
    expect(server.faults.pending()).toEqual([])
  })

  test('hooks run before handling, and after the action but before the answer', async () => {
    const seen: string[] = []
    server.faults.add({
      method: 'POST',
      path: '/api/deposit/depositions',
      kind: {
        type: 'hook',
        when: 'before',
        fn: () => void seen.push(`before:${String(server.depositions().length)}`)
      }
    })
    server.faults.add({
      method: 'POST',
      path: '/api/deposit/depositions',
      kind: {
        type: 'hook',
        when: 'after',
        fn: r => void seen.push(`after:${String(server.depositions().length)}:${r.method}`)
      }
    })
    await call('POST', '/deposit/depositions', { json: {} })
    await call('POST', '/deposit/depositions', { json: {} })
    expect(seen).toEqual(['before:0', 'after:2:POST'])
  })

  test('writeRequests lists the non-GET API requests in order', async () => {
    const d = await createDraft()
    await call('GET', `/deposit/depositions/${String(d.id)}`)
    await upload(d.links.bucket, 'a.txt', 'abc')
    const writes = writeRequests(server.requests).map(
      r => `${r.method} ${r.url.replace(/[0-9a-f-]{36}/, 'B')}`
    )
    expect(writes).toEqual(['POST /api/deposit/depositions', 'PUT /api/files/B/a.txt'])
    expect(server.requests.at(-1)?.bodyBytes).toBe(3)
  })
})

describe('rate limits', () => {
  test('over the limit answers 429 with the limit headers', async () => {
    const limited = await start({ rateLimitPerMinute: 3 })
    const statuses: number[] = []
    let last: Answer | undefined
    for (let i = 0; i < 4; i++) {
      last = await call('GET', '/deposit/depositions', { on: limited })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    expect(last?.body).toEqual({ message: '3 per 1 minute', status: 429 })
    expect(last?.headers['x-ratelimit-limit']).toBe('3')
    expect(last?.headers['x-ratelimit-remaining']).toBe('0')
    expect(Number(last?.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000)
  })

  test('a 429 fault carries the given Retry-After beside the rate-limit headers', async () => {
    server.faults.add({
      path: '/deposit/depositions',
      kind: {
        type: 'status',
        status: 429,
        body: { message: '100 per 1 minute', status: 429 },
        headers: { 'Retry-After': '7' }
      }
    })
    const res = await call('GET', '/deposit/depositions')
    expect(res.status).toBe(429)
    expect(res.headers['retry-after']).toBe('7')
    expect(res.headers['x-ratelimit-limit']).toBe('100')
  })
})

describe('GitHub fixture', () => {
  const gh = (path: string, headers: Record<string, string> = {}) =>
    call('GET', `${server.githubApiUrl}${path}`, { token: null, headers })
  // The parts of GitHub's JSON these tests read.
  const asContributors = (a: Answer) => a.body as { login: string; type: string }[]
  const asNamed = (a: Answer) => a.body as { name: string | null }
  const asRelease = (a: Answer) =>
    a.body as { name: string; assets: { id: number; url: string; name: string; size: number }[] }

  test('serves the repository, paginated contributors and users', async () => {
    server.github.setRepo({ description: 'Desc', license: 'MIT' })
    server.github.setContributors([
      { login: 'alice', contributions: 5, name: 'Alice A' },
      { login: 'bot[bot]', type: 'Bot', contributions: 50 },
      { login: 'bob', contributions: 1 }
    ])
    const repo = await gh('/repos/octo-org/octo-repo')
    expect(repo.body).toMatchObject({
      full_name: 'octo-org/octo-repo',
      description: 'Desc',
      html_url: 'https://github.com/octo-org/octo-repo',
      license: { spdx_id: 'MIT' }
    })
    const page1 = await gh('/repos/octo-org/octo-repo/contributors?per_page=2')
    expect(asContributors(page1).map(c => c.login)).toEqual(['bot[bot]', 'alice'])
    expect(asContributors(page1)[0].type).toBe('Bot')
    expect(page1.headers.link).toContain('page=2>; rel="next"')
    const page2 = await gh('/repos/octo-org/octo-repo/contributors?per_page=2&page=2')
    expect(asContributors(page2).map(c => c.login)).toEqual(['bob'])
    expect(asNamed(await gh('/users/alice')).name).toBe('Alice A')
    expect(asNamed(await gh('/users/bob')).name).toBeNull()
    server.github.setContributors('error')
    expect((await gh('/repos/octo-org/octo-repo/contributors')).status).toBe(500)
  })

  test('serves releases by tag and their assets through a 302 download', async () => {
    expect((await gh('/repos/octo-org/octo-repo/releases/tags/v9')).body).toMatchObject({
      message: 'Not Found'
    })
    server.github.setRelease('release/2.0', { name: 'Slashed' })
    const slashed = await gh('/repos/octo-org/octo-repo/releases/tags/release%2F2.0')
    expect(asNamed(slashed).name).toBe('Slashed')
    server.github.setRelease('v1.0.0', {
      name: 'One',
      body: 'notes',
      assets: [{ name: 'a.bin', content: 'asset bytes' }]
    })
    const rel = await gh('/repos/octo-org/octo-repo/releases/tags/v1.0.0')
    expect(rel.body).toMatchObject({ tag_name: 'v1.0.0', name: 'One', body: 'notes' })
    const asset = asRelease(rel).assets[0]
    expect(asset).toMatchObject({ name: 'a.bin', size: 11 })
    const meta = await call('GET', asset.url, { token: null })
    expect((meta.body as { id: number }).id).toBe(asset.id)
    const redirect = await call('GET', asset.url, {
      token: null,
      headers: { accept: 'application/octet-stream' }
    })
    expect(redirect.status).toBe(302)
    const bytes = await call('GET', String(redirect.headers.location), { token: null })
    expect(bytes.text).toBe('asset bytes')
  })

  test('with a token set, requests without it get 401', async () => {
    server.github.token = 'ghs_x'
    expect((await gh('/repos/octo-org/octo-repo')).status).toBe(401)
    expect((await gh('/repos/octo-org/octo-repo', { authorization: 'token ghs_x' })).status).toBe(
      200
    )
    expect((await gh('/repos/octo-org/octo-repo', { authorization: 'Bearer ghs_x' })).status).toBe(
      200
    )
  })
})

describe('OAuth fixture', () => {
  const asTokens = (a: Answer) => a.body as { access_token: string; refresh_token: string }
  const exchange = (fields: Record<string, string>) =>
    call('POST', `${server.url}/oauth/token`, {
      token: null,
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' }
    })

  test('a refresh token buys an access token the API accepts until it is revoked', async () => {
    const { oauth } = server
    const creds = {
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret,
      grant_type: 'refresh_token'
    }
    const res = await exchange({ ...creds, refresh_token: oauth.refreshToken })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'deposit:write deposit:actions'
    })
    expect(asTokens(res).refresh_token).not.toBe(oauth.refreshToken)
    expect(oauth.issued).toEqual([asTokens(res).access_token])
    expect(
      (await call('GET', '/deposit/depositions', { token: asTokens(res).access_token })).status
    ).toBe(200)
    oauth.revokeAccessTokens()
    expect(
      (await call('GET', '/deposit/depositions', { token: asTokens(res).access_token })).status
    ).toBe(403)
    const rotated = await exchange({ ...creds, refresh_token: asTokens(res).refresh_token })
    expect(rotated.status).toBe(200)
    expect(
      (await call('GET', '/deposit/depositions', { token: asTokens(rotated).access_token })).status
    ).toBe(200)
  })

  test('a wrong client is 401 invalid_client, a wrong refresh token 400 invalid_grant', async () => {
    const { oauth } = server
    const bad = await exchange({
      grant_type: 'refresh_token',
      refresh_token: oauth.refreshToken,
      client_id: oauth.clientId,
      client_secret: 'nope'
    })
    expect(bad.status).toBe(401)
    expect(bad.body).toEqual({ error: 'invalid_client' })
    const grant = await exchange({
      grant_type: 'refresh_token',
      refresh_token: 'nope',
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret
    })
    expect(grant.status).toBe(400)
    expect(grant.body).toEqual({ error: 'invalid_grant' })
  })
})
