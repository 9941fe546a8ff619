/**
 * The Zenodo API client against the Zenodo test server over real HTTP: each call, the shape it
 * returns, and the quirks it absorbs (new-version drafts, the file delete 500, record redirects).
 */
import { createHash } from 'node:crypto'
import { afterAll, afterEach, describe, expect, test } from '@jest/globals'
import {
  startZenodoServer,
  type ZenodoServerOptions,
  type ZenodoTestServer
} from '../test-server/zenodo-server.js'
import { HttpError } from '../src/http.js'
import { ZenodoClient } from '../src/zenodo/client.js'
import {
  captureOutput,
  closeTestClients,
  testClient,
  type OutputCapture
} from './helpers/http-client.js'

let server: ZenodoTestServer | undefined
let out: OutputCapture | undefined

afterEach(async () => {
  out?.restore()
  await server?.close()
  server = undefined
})

afterAll(closeTestClients)

/** A server and a client of it (waits recorded, not slept). */
async function setup(
  opts: ZenodoServerOptions = {}
): Promise<{ s: ZenodoTestServer; zenodo: ZenodoClient; sleeps: number[] }> {
  server = await startZenodoServer(opts)
  out = captureOutput()
  const { http, sleeps } = testClient(server.token)
  return { s: server, zenodo: new ZenodoClient({ apiUrl: `${server.apiUrl}/`, http }), sleeps }
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex')

const METADATA = {
  upload_type: 'software',
  title: 'octo-org/octo-repo: v1.0.0',
  creators: [{ name: 'Doe, Jane', affiliation: 'Example University' }],
  description: '<p>Release notes</p>',
  version: 'v1.0.0',
  license: 'MIT'
}

describe('drafts', () => {
  test('createDeposition without metadata makes an empty draft with a reserved DOI and a bucket', async () => {
    const { s, zenodo } = await setup()
    const dep = await zenodo.createDeposition()
    expect(dep.id).toBeGreaterThan(0)
    expect(dep.state).toBe('unsubmitted')
    expect(dep.submitted).toBe(false)
    expect(dep.links.bucket).toMatch(/\/api\/files\//)
    expect(dep.metadata.prereserve_doi?.doi).toBe(`10.5281/zenodo.${String(dep.id)}`)
    const post = s.requests.find(r => r.method === 'POST')
    expect(post?.headers['content-type']).toBe('application/json')
    expect(s.depositions().map(d => d.id)).toEqual([dep.id])
  })

  test('createDeposition with metadata and updateMetadata replace the draft metadata', async () => {
    const { s, zenodo } = await setup()
    const dep = await zenodo.createDeposition(METADATA)
    expect(dep.metadata.title).toBe(METADATA.title)
    const updated = await zenodo.updateMetadata(dep.id, { ...METADATA, title: 'Another title' })
    expect(updated.metadata.title).toBe('Another title')
    expect(updated.metadata.creators).toEqual([
      expect.objectContaining({ name: 'Doe, Jane', affiliation: 'Example University' })
    ])
    expect((await zenodo.getDeposition(dep.id)).title).toBe('Another title')
    expect(s.depositions()[0].metadata.title).toBe('Another title')
  })

  test('getDeposition of a missing id throws an HttpError 404 naming the request', async () => {
    const { zenodo } = await setup()
    const err = (await zenodo.getDeposition(987654).catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.status).toBe(404)
    expect(err.message).toMatch(/^Zenodo refused GET \/api\/deposit\/depositions\/987654 \(404 /)
  })

  test('listDepositions passes its query and returns the drafts', async () => {
    const { s, zenodo } = await setup()
    const a = await zenodo.createDeposition(METADATA)
    const b = await zenodo.createDeposition()
    const list = await zenodo.listDepositions({
      size: 50,
      page: 1,
      sort: 'mostrecent',
      allVersions: true
    })
    expect(list.map(d => d.id).sort()).toEqual([a.id, b.id].sort())
    const get = s.requests.filter(r => r.method === 'GET').at(-1)
    const query = new URLSearchParams(get?.url.split('?')[1])
    expect(Object.fromEntries(query)).toEqual({
      size: '50',
      page: '1',
      sort: 'mostrecent',
      all_versions: 'true'
    })
  })

  test('deleteDeposition deletes a draft; a 404 after a repeat of a failed delete counts as done', async () => {
    const { s, zenodo, sleeps } = await setup()
    const dep = await zenodo.createDeposition()
    s.faults.add({
      method: 'DELETE',
      path: `/deposit/depositions/${String(dep.id)}`,
      kind: { type: 'after', status: 502, html: true }
    })
    await zenodo.deleteDeposition(dep.id)
    expect(sleeps).toHaveLength(1)
    expect(s.depositions()).toHaveLength(0)
    expect(s.requests.filter(r => r.method === 'DELETE').map(r => r.status)).toEqual([502, 404])
  })

  test('deleteDeposition of a draft that does not exist is an error', async () => {
    const { zenodo } = await setup()
    await expect(zenodo.deleteDeposition(424242)).rejects.toMatchObject({ status: 404 })
  })

  test('discard removes a never-published draft', async () => {
    const { s, zenodo } = await setup()
    const dep = await zenodo.createDeposition()
    await zenodo.discard(dep.id)
    expect(s.depositions()).toHaveLength(0)
  })

  test('publish without required metadata reports Zenodo validation errors by field', async () => {
    const { zenodo } = await setup()
    const dep = await zenodo.createDeposition({
      title: 'No creators here',
      upload_type: 'software'
    })
    const err = (await zenodo.publish(dep.id).catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.status).toBe(400)
    expect(err.fieldErrors.map(f => f.field)).toContain('metadata.creators')
    expect(err.message).toContain(
      `Zenodo refused POST /api/deposit/depositions/${String(dep.id)}/actions/publish (400 A validation error occurred.): `
    )
    expect(err.message).toContain('metadata.creators: Missing data for required field.')
  })

  test('publish does not read its answer as the outcome: a 200 with a non-JSON body resolves', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({ version: 'v1.0.0', files: [{ name: 'a.txt', content: 'a' }] })
    const draft = s.seedStaleDraft(old.conceptrecid)
    s.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'after', status: 200, text: 'OK' }
    })
    await expect(zenodo.publish(draft.id)).resolves.toBeUndefined()
    expect((await zenodo.getDeposition(draft.id)).submitted).toBe(true)
  })
})

describe('versions and files', () => {
  test('newVersion returns the new draft with the previous version files', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({
      version: 'v1.0.0',
      files: [
        { name: 'tool-1.0.0.tar.gz', content: 'old sdist' },
        { name: 'notes.txt', content: 'old notes' }
      ]
    })
    const draft = await zenodo.newVersion(old.id)
    expect(draft.id).not.toBe(old.id)
    expect(draft.submitted).toBe(false)
    expect(draft.conceptrecid).toBe(String(old.conceptrecid))
    const files = await zenodo.listFiles(draft.id)
    expect(files.map(f => [f.filename, f.checksum]).sort()).toEqual(
      [
        ['notes.txt', md5('old notes')],
        ['tool-1.0.0.tar.gz', md5('old sdist')]
      ].sort()
    )
    expect(typeof files[0].id).toBe('string')
  })

  test('newVersion is not repeated after a 5xx (the draft may exist)', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({ files: [{ name: 'a.txt', content: 'a' }] })
    s.faults.add({ method: 'POST', path: /newversion$/, kind: { type: 'after', status: 500 } })
    await expect(zenodo.newVersion(old.id)).rejects.toMatchObject({ status: 500 })
    expect(s.requests.filter(r => r.url.endsWith('/newversion'))).toHaveLength(1)
  })

  test('deleteFile removes a file from a draft', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({
      files: [
        { name: 'a.txt', content: 'a' },
        { name: 'b.txt', content: 'b' }
      ]
    })
    const draft = await zenodo.newVersion(old.id)
    const [a] = (await zenodo.listFiles(draft.id)).filter(f => f.filename === 'a.txt')
    await zenodo.deleteFile(draft.id, a.id)
    expect((await zenodo.listFiles(draft.id)).map(f => f.filename)).toEqual(['b.txt'])
  })

  test('deleteFile answered 500 although Zenodo deleted the file is a success (quirk 4)', async () => {
    const { s, zenodo } = await setup({ bucketDeleteReturns500: true })
    const old = s.seedPublished({ files: [{ name: 'a.txt', content: 'a' }] })
    const draft = await zenodo.newVersion(old.id)
    const [a] = await zenodo.listFiles(draft.id)
    await zenodo.deleteFile(draft.id, a.id)
    expect(await zenodo.listFiles(draft.id)).toEqual([])
    expect(s.requests.filter(r => r.method === 'DELETE').map(r => r.status)).toEqual([500])
  })

  test('deleteFile answered 500 by a fault after the delete is a success', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({ files: [{ name: 'a.txt', content: 'a' }] })
    const draft = await zenodo.newVersion(old.id)
    const [a] = await zenodo.listFiles(draft.id)
    s.faults.add({ method: 'DELETE', path: /\/files\//, kind: { type: 'after', status: 500 } })
    await zenodo.deleteFile(draft.id, a.id)
    expect(await zenodo.listFiles(draft.id)).toEqual([])
  })

  test('deleteFile answered 500 while the file is still there fails', async () => {
    const { s, zenodo } = await setup()
    const old = s.seedPublished({ files: [{ name: 'a.txt', content: 'a' }] })
    const draft = await zenodo.newVersion(old.id)
    const [a] = await zenodo.listFiles(draft.id)
    s.faults.add({ method: 'DELETE', path: /\/files\//, kind: { type: 'status', status: 500 } })
    await expect(zenodo.deleteFile(draft.id, a.id)).rejects.toMatchObject({ status: 500 })
    expect((await zenodo.listFiles(draft.id)).map(f => f.id)).toEqual([a.id])
  })
})

describe('records', () => {
  test('getRecord of a version id returns that record', async () => {
    const { s, zenodo } = await setup()
    const rec = s.seedPublished({
      title: 'Seeded record',
      files: [{ name: 'a.txt', content: 'a' }]
    })
    const got = await zenodo.getRecord(rec.id)
    expect(got.id).toBe(rec.id)
    expect(got.doi).toBe(rec.doi)
    expect(got.conceptrecid).toBe(String(rec.conceptrecid))
    expect(got.files?.map(f => f.key)).toEqual(['a.txt'])
  })

  test('getRecord of a concept id follows the redirect to the latest version', async () => {
    const { s, zenodo } = await setup()
    const latest = s.seedPublished({ versions: 3 })
    const got = await zenodo.getRecord(latest.conceptrecid)
    expect(got.id).toBe(latest.id)
    expect(got.conceptdoi).toBe(latest.conceptdoi)
    const statuses = s.requests.filter(r => r.url.startsWith('/api/records/')).map(r => r.status)
    expect(statuses).toEqual([302, 200])
  })

  test('latestVersion of any version follows the 301 to the latest one', async () => {
    const { s, zenodo } = await setup()
    const latest = s.seedPublished({ versions: 2 })
    const first = s.records().find(r => r.id !== latest.id)
    expect(first).toBeDefined()
    const got = await zenodo.latestVersion(first?.id ?? 0)
    expect(got.id).toBe(latest.id)
    const statuses = s.requests.filter(r => r.url.startsWith('/api/records/')).map(r => r.status)
    expect(statuses).toEqual([301, 200])
  })

  test('getRecord of a draft-only id throws a 404', async () => {
    const { zenodo } = await setup()
    const dep = await zenodo.createDeposition()
    await expect(zenodo.getRecord(dep.id)).rejects.toMatchObject({ status: 404 })
  })
})
