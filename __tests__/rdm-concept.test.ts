/**
 * Finding a release's record on an InvenioRDM repository (src/rdm/concept.ts) over real HTTP
 * against the test server: the `concept` input's forms, the parent's latest version and open
 * draft, discovery by repository link, and instances that mint no parent DOI.
 */
import { afterAll, afterEach, describe, expect, test } from '@jest/globals'
import { ActionError } from '../src/errors.js'
import { RdmClient } from '../src/rdm/client.js'
import { parseRecordRef, resolveConcept } from '../src/rdm/concept.js'
import {
  startZenodoServer,
  type RdmServerOptions,
  type ZenodoTestServer
} from '../test-server/zenodo-server.js'
import { closeTestClients, testClient } from './helpers/http-client.js'

let server: ZenodoTestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})
afterAll(closeTestClients)

async function setup(
  rdm: RdmServerOptions = { mode: 'instance' }
): Promise<{ s: ZenodoTestServer; client: RdmClient }> {
  server = await startZenodoServer({ rdm })
  return {
    s: server,
    client: new RdmClient({ apiUrl: server.apiUrl, http: testClient(server.token).http })
  }
}

describe('the concept input', () => {
  test.each([
    ['abcde-12345', { kind: 'id', id: 'abcde-12345' }],
    ['1234567', { kind: 'id', id: '1234567' }],
    ['10.22002/abcde-12345', { kind: 'doi', doi: '10.22002/abcde-12345' }],
    ['doi:10.5281/zenodo.42', { kind: 'doi', doi: '10.5281/zenodo.42' }],
    ['https://doi.org/10.22002/abcde-12345', { kind: 'doi', doi: '10.22002/abcde-12345' }],
    ['https://data.caltech.edu/records/abcde-12345', { kind: 'id', id: 'abcde-12345' }],
    [
      'https://repo.example/api/records/abcde-12345/versions/latest',
      { kind: 'id', id: 'abcde-12345' }
    ]
  ])('%s', (input, expected) => {
    expect(parseRecordRef(input)).toEqual(expected)
  })

  test('anything else is refused naming the accepted forms', () => {
    expect(() => parseRecordRef('not a record!')).toThrow(/record id, DOI, DOI URL or record URL/)
  })
})

describe('resolving and discovering', () => {
  test('any version id, the parent id, a version DOI, the parent DOI and the record URL find the same parent', async () => {
    const { s, client } = await setup()
    const seeded = await s.rdm?.seedPublished({ versions: 3 })
    if (!seeded?.parentDoi) throw new Error('seed failed')
    const draft = await s.rdm?.seedNewVersionDraft(seeded.id)
    const versions = await client.listVersions(seeded.id)
    const oldest = versions.hits[versions.hits.length - 1]
    for (const input of [
      oldest.id,
      seeded.parentId,
      seeded.doi,
      `https://doi.org/${seeded.parentDoi}`,
      `${s.url}/records/${oldest.id}`
    ]) {
      const found = await resolveConcept(client, input)
      expect(found.parentId).toBe(seeded.parentId)
      expect(found.parentDoi).toBe(seeded.parentDoi)
      expect(found.latest?.id).toBe(seeded.id)
      expect(found.draft?.id).toBe(draft?.id)
    }
    expect(s.requests.every(r => r.method === 'GET')).toBe(true)
  })

  test("an id or DOI of nobody's record is a clear error", async () => {
    const { client } = await setup()
    await expect(resolveConcept(client, 'zzzzz-99999')).rejects.toBeInstanceOf(ActionError)
    await expect(resolveConcept(client, '10.80001/nothing')).rejects.toThrow(/names no record/)
  })
})

describe('Zenodo answering both APIs', () => {
  test('a concept published through the legacy API gets its next version through the native one', async () => {
    const { s, client } = await setup({ mode: 'zenodo' })
    const legacy = s.seedPublished({ versions: 2, files: [{ name: 'old.zip', content: 'old' }] })
    const found = await resolveConcept(client, legacy.conceptdoi)
    expect(found.parentId).toBe(String(legacy.conceptrecid))
    expect(found.parentDoi).toBe(legacy.conceptdoi)
    expect(found.latest?.id).toBe(String(legacy.id))
    const nv = await client.newVersion(String(legacy.id))
    expect(await client.listDraftFiles(nv.id)).toEqual([])
    expect((await client.importFiles(nv.id)).map(f => f.key)).toEqual(['old.zip'])
    // plain JSON reads of a legacy record still answer in the legacy shape
    const plain = await fetch(`${s.apiUrl}/records/${String(legacy.id)}`)
    expect(((await plain.json()) as { conceptrecid?: string }).conceptrecid).toBe(
      String(legacy.conceptrecid)
    )
  })
})
