/**
 * End to end through the built bundle against the test server's InvenioRDM native API: an
 * institutional repository (not Zenodo, a small vocabulary, `api: auto` choosing rdm) and Zenodo
 * spoken to with `api: rdm`. The same release scenarios run through the legacy API in
 * e2e-publish.test.ts, e2e-validation.test.ts, e2e-failures.test.ts and e2e-deposition.test.ts.
 */
import {
  makeWorkspace,
  md5,
  releaseEvent,
  secretLeaks,
  startE2E,
  unzipRecordFile,
  writes,
  type ActionRun,
  type E2E
} from './helpers/action.js'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { RdmServerOptions } from '../test-server/zenodo-server.js'

const FAST = { ZENODO_RELEASE_TIME_SCALE: '0.001' }
const TREE = (tag: string): string => `https://github.com/octo-org/octo-repo/tree/${tag}`

let e2e: E2E
async function start(rdm: RdmServerOptions): Promise<E2E> {
  e2e = await startE2E({ rdm })
  return e2e
}
afterEach(async () => {
  await e2e.close()
})

type Json = Record<string, unknown>
const recordsOf = (server: E2E['server']): Json[] => server.rdm?.records() ?? []
const draftsOf = (server: E2E['server']): Json[] =>
  (server.rdm?.drafts() ?? []).filter(d => d.is_published !== true)
function rdmOf(server: E2E['server']): NonNullable<E2E['server']['rdm']> {
  if (!server.rdm) throw new Error('the test server was started without rdm')
  return server.rdm
}
const parentOf = (r: Json): Json => r.parent as Json
const fileKeys = (r: Json): string[] => Object.keys((r.files as Json).entries ?? {}).sort()
const checksums = (r: Json): Record<string, string> =>
  Object.fromEntries(
    Object.entries((r.files as Json).entries as Record<string, Json>).map(([k, v]) => [
      k,
      String(v.checksum)
    ])
  )

const instance: RdmServerOptions = {
  mode: 'instance',
  communities: [
    { slug: 'lab', autoAccept: true },
    { slug: 'closed', refuses: true }
  ]
}

describe('an institutional InvenioRDM repository (api: auto)', () => {
  test('a first release on a non-Zenodo instance with a small vocabulary is published through the native API', async () => {
    await start(instance)
    const workspace = await makeWorkspace({
      'dist/tool-1.0.0.tar.gz': 'sdist bytes',
      'src/a.py': 'print(1)\n',
      '.zenodo.json': JSON.stringify({
        upload_type: 'software',
        license: 'MIT',
        keywords: ['testing'],
        creators: [{ name: 'Doe, Jane', affiliation: 'Caltech' }]
      })
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0', name: 'First release' }),
      workspace,
      inputs: { files: 'dist/*', archive: 'src/**' }
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const records = recordsOf(e2e.server)
    expect(records).toHaveLength(1)
    const record = records[0]
    const meta = record.metadata as Json
    expect(meta.resource_type).toMatchObject({ id: 'software' })
    expect(meta.rights).toEqual([expect.objectContaining({ id: 'mit' })])
    expect(meta.version).toBe('v1.0.0')
    expect(meta.related_identifiers).toEqual(
      expect.arrayContaining([expect.objectContaining({ identifier: TREE('v1.0.0') })])
    )
    expect(fileKeys(record)).toEqual(['octo-repo-v1.0.0.zip', 'tool-1.0.0.tar.gz'])
    expect(checksums(record)['tool-1.0.0.tar.gz']).toBe(`md5:${md5('sdist bytes')}`)
    expect(run.outputs.state).toBe('published')
    expect(run.outputs.doi).toBe((record.pids as { doi: { identifier: string } }).doi.identifier)
    expect(run.outputs['record-id']).toBe(record.id)
    expect(run.outputs['record-url']).toBe(`${e2e.server.url}/records/${String(record.id)}`)
    const parentDoi = ((parentOf(record).pids as Json).doi as Json).identifier
    expect(run.outputs['concept-doi']).toBe(parentDoi)
    expect(run.outputs['concept-record-id']).toBe(parentOf(record).id)
    // nothing went to the legacy API, and nothing is left unpublished
    expect(e2e.server.requests.some(r => r.url.startsWith('/api/deposit'))).toBe(false)
    expect(draftsOf(e2e.server)).toHaveLength(0)
    expect(run.summary).toContain(`Published on the repository at 127.0.0.1`)
    expect(secretLeaks(run, e2e.server.requests, [e2e.server.token])).toEqual([])
  })

  test('a new version carries only the new files (nothing copied from the previous version)', async () => {
    await start(instance)
    const old = await rdmOf(e2e.server).seedPublished({
      title: 'octo-org/octo-repo: v1.0.0',
      version: 'v1.0.0',
      files: [
        { name: 'tool-1.0.0.tar.gz', content: 'old sdist' },
        { name: 'notes.txt', content: 'old notes' }
      ]
    })
    const workspace = await makeWorkspace({ 'dist/tool-2.0.0.tar.gz': 'new sdist' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v2.0.0' }),
      workspace,
      inputs: { files: 'dist/*', concept: old.parentId }
    })
    expect(run.code).toBe(0)
    const versions = recordsOf(e2e.server).filter(r => parentOf(r).id === old.parentId)
    expect(versions).toHaveLength(2)
    const latest = versions.find(r => r.id !== old.id) as Json
    expect(fileKeys(latest)).toEqual(['tool-2.0.0.tar.gz'])
    expect(run.outputs['concept-doi']).toBe(old.parentDoi)
    expect(run.outputs['record-id']).toBe(latest.id)
    // no files-import without keep-previous-files, and no file deleted (none was copied)
    expect(writes(e2e.server).some(w => w.endsWith('/files-import'))).toBe(false)
    expect(writes(e2e.server).some(w => w.startsWith('DELETE'))).toBe(false)
    expect(draftsOf(e2e.server)).toHaveLength(0)
  })

  test('keep-previous-files imports the previous files and replaces same-name ones with the upload', async () => {
    await start(instance)
    const old = await rdmOf(e2e.server).seedPublished({
      version: 'v1.0.0',
      files: [
        { name: 'data.csv', content: 'a,b\n1,2\n' },
        { name: 'tool.tar.gz', content: 'old' }
      ]
    })
    const workspace = await makeWorkspace({ 'tool.tar.gz': 'new' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v2.0.0' }),
      workspace,
      inputs: { files: 'tool.tar.gz', concept: old.doi, 'keep-previous-files': 'true' }
    })
    expect(run.code).toBe(0)
    const latest = recordsOf(e2e.server).find(r => r.id !== old.id) as Json
    expect(checksums(latest)).toEqual({
      'data.csv': `md5:${md5('a,b\n1,2\n')}`,
      'tool.tar.gz': `md5:${md5('new')}`
    })
    expect(writes(e2e.server).filter(w => w.endsWith('/files-import'))).toHaveLength(1)
    // the previous version keeps its own file
    const previous = recordsOf(e2e.server).find(r => r.id === old.id) as Json
    expect(checksums(previous)['tool.tar.gz']).toBe(`md5:${md5('old')}`)
  })

  test('a CITATION.cff-only repository is mapped to InvenioRDM metadata (names, ORCID, affiliation, license, keywords)', async () => {
    await start(instance)
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      'CITATION.cff': [
        'cff-version: 1.2.0',
        'message: Please cite this software.',
        'title: Stellar Pipeline',
        'license: Apache-2.0',
        'keywords: [astronomy, pipeline]',
        'authors:',
        '  - family-names: Doe',
        '    given-names: Jane',
        '    orcid: https://orcid.org/0000-0002-1825-0097',
        '    affiliation: Bonn University',
        '  - name: The Stellar Consortium',
        ''
      ].join('\n')
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v2.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(run.code).toBe(0)
    const m = recordsOf(e2e.server)[0].metadata as Json
    expect(m.title).toBe('Stellar Pipeline')
    expect(m.rights).toEqual([expect.objectContaining({ id: 'apache-2.0' })])
    expect(m.subjects).toEqual([{ subject: 'astronomy' }, { subject: 'pipeline' }])
    const creators = m.creators as { person_or_org: Json; affiliations?: Json[] }[]
    expect(creators[0].person_or_org).toMatchObject({
      type: 'personal',
      family_name: 'Doe',
      given_name: 'Jane',
      identifiers: [{ scheme: 'orcid', identifier: '0000-0002-1825-0097' }]
    })
    expect(creators[0].affiliations).toEqual([expect.objectContaining({ name: 'Bonn University' })])
    // legacy creators carry a name only: Zenodo's deserializer makes each a person (nameparser)
    expect(creators[1].person_or_org).toMatchObject({ family_name: 'Stellar Consortium' })
  })

  /** Publishes a dataset release to the instance with these communities in .zenodo.json. */
  async function publishWithCommunities(identifiers: string[]): Promise<ActionRun> {
    await start(instance)
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      '.zenodo.json': JSON.stringify({
        upload_type: 'dataset',
        communities: identifiers.map(identifier => ({ identifier }))
      })
    })
    return e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
  }

  test('communities named in the metadata are asked after publish; a refusal is a warning and the record stays published', async () => {
    const run = await publishWithCommunities(['lab', 'closed'])
    expect(run.code).toBe(0)
    expect(run.outputs.state).toBe('published')
    const record = recordsOf(e2e.server)[0]
    expect(rdmOf(e2e.server).requests()).toEqual([
      expect.objectContaining({ record: record.id, community: 'lab', status: 'accepted' })
    ])
    expect(run.stdout).toMatch(/::warning::Community closed refused to include record/)
    expect(run.stdout).toContain('Asked community lab to include record')
    // the inclusion request came after the publish
    const w = writes(e2e.server)
    expect(w.findIndex(x => x.endsWith('/communities'))).toBeGreaterThan(
      w.findIndex(x => x.endsWith('/actions/publish'))
    )
  })

  test('a community the repository does not have is named in a warning before any write and not asked; the others are asked after publish', async () => {
    const run = await publishWithCommunities(['nope', 'lab'])
    expect(run.code).toBe(0)
    const warnings = run.stdout.split('\n').filter(l => l.startsWith('::warning'))
    expect(warnings.filter(l => l.includes('nope'))).toEqual([
      expect.stringContaining(
        'has no community "nope", so the record would be published without it'
      )
    ])
    const log = e2e.server.requests
    const lookup = log.findIndex(r => r.url === '/api/communities/nope')
    const firstWrite = log.findIndex(r => r.method !== 'GET' && r.url.startsWith('/api/'))
    expect(lookup).toBeGreaterThanOrEqual(0)
    expect(lookup).toBeLessThan(firstWrite)
    // looked up once each, while planning
    expect(log.filter(r => r.url.startsWith('/api/communities/')).map(r => r.url)).toEqual([
      '/api/communities/nope',
      '/api/communities/lab'
    ])
    const record = recordsOf(e2e.server)[0]
    expect(rdmOf(e2e.server).requests()).toEqual([
      expect.objectContaining({ record: record.id, community: 'lab', status: 'accepted' })
    ])
  })

  test('a license the instance does not offer is refused before any write, naming the file, field and fix', async () => {
    await start(instance)
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      '.zenodo.json': JSON.stringify({ upload_type: 'software', license: 'BSD-3-Clause' })
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(run.code).not.toBe(0)
    expect(writes(e2e.server)).toEqual([])
    expect(run.stdout).toMatch(
      /::error title=\.zenodo\.json%3A license,file=\.zenodo\.json::.*"bsd-3-clause" is not a license of .* Fix: use a license the repository offers; its licenses are: apache-2\.0, cc-by-4\.0/
    )
    expect(run.summary).toContain('before anything was written to the repository at 127.0.0.1')
    // the vocabulary was read (read-only) from the instance
    expect(e2e.server.requests.some(r => r.url.startsWith('/api/vocabularies/licenses'))).toBe(true)
  })

  test('a vocabulary miss names where the value came from: the repository’s license, or the metadata input', async () => {
    await start(instance)
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      '.zenodo.json': JSON.stringify({ upload_type: 'software' })
    })
    const fromDefaults = await e2e.run({
      event: releaseEvent(
        { tag: 'v1.0.0' },
        { repository: { license: { spdx_id: 'BSD-3-Clause' } } }
      ),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(fromDefaults.code).not.toBe(0)
    expect(fromDefaults.stdout).toContain(
      'release defaults: license: "bsd-3-clause" is not a license of'
    )
    const fromInput = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt', metadata: '{"license": "Apache-2.0", "upload_type": "poster"}' }
    })
    expect(fromInput.code).not.toBe(0)
    expect(fromInput.stdout).toContain(
      'the metadata input: upload_type: "poster" is not a resource type of'
    )
    expect(writes(e2e.server)).toEqual([])
  })

  test('a rerun of a published release publishes nothing and outputs the same DOI', async () => {
    await start(instance)
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const first = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(first.code).toBe(0)
    const before = writes(e2e.server).length
    const again = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(again.code).toBe(0)
    expect(writes(e2e.server)).toHaveLength(before)
    expect(recordsOf(e2e.server)).toHaveLength(1)
    expect(again.outputs.doi).toBe(first.outputs.doi)
    expect(again.outputs['record-url']).toBe(first.outputs['record-url'])
    expect(again.summary).toContain('nothing new was published')
  })

  test('a 504 after a publish that happened is read back as published, and publish is not repeated', async () => {
    await start(instance)
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'after', status: 504, html: true }
    })
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' },
      env: FAST
    })
    expect(run.code).toBe(0)
    expect(run.outputs.state).toBe('published')
    expect(writes(e2e.server).filter(w => w.endsWith('/actions/publish'))).toHaveLength(1)
    expect(recordsOf(e2e.server)).toHaveLength(1)
    expect(run.outputs.doi).toBe(
      (recordsOf(e2e.server)[0].pids as { doi: { identifier: string } }).doi.identifier
    )
    expect(writes(e2e.server).some(w => /^DELETE .*\/draft$/.test(w))).toBe(false)
  })

  test('a 504 on a publish that did not happen is read back as a draft and asked once more', async () => {
    await start(instance)
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      kind: { type: 'status', status: 504 }
    })
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' },
      env: FAST
    })
    expect(run.code).toBe(0)
    expect(writes(e2e.server).filter(w => w.endsWith('/actions/publish'))).toHaveLength(2)
    expect(recordsOf(e2e.server)).toHaveLength(1)
  })

  test('a refusal after a publish whose outcome was unknown leaves the draft in place (never discarded)', async () => {
    await start(instance)
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      times: 1,
      kind: { type: 'status', status: 504 }
    })
    e2e.server.faults.add({
      method: 'POST',
      path: /\/actions\/publish$/,
      times: 1,
      kind: { type: 'status', status: 400, body: { status: 400, message: 'Bad request' } }
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace: await makeWorkspace({ 'a.txt': 'A' }),
      inputs: { files: 'a.txt' },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/after an attempt whose outcome is unknown/)
    expect(writes(e2e.server).some(w => w.startsWith('DELETE'))).toBe(false)
    expect(draftsOf(e2e.server)).toHaveLength(1)
  })

  test('an instance that mints no parent DOI gives empty concept-doi and badge outputs, with a notice', async () => {
    await start({ ...instance, parentDoi: false })
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(run.code).toBe(0)
    expect(run.outputs.doi).not.toBe('')
    expect(run.outputs['concept-doi']).toBe('')
    expect(run.outputs['badge-url']).toBe('')
    expect(run.outputs['badge-markdown']).toBe('')
    expect(run.stdout).toMatch(/::notice::The repository at 127\.0\.0\.1:\d+ mints no concept/)
  })

  test('a dry run renders the InvenioRDM plan and writes nothing', async () => {
    await start(instance)
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt', 'dry-run': 'true' }
    })
    expect(run.code).toBe(0)
    expect(writes(e2e.server)).toEqual([])
    expect(run.outputs.state).toBe('dry-run')
    expect(run.summary).toContain('nothing was written to the repository at 127.0.0.1')
    expect(run.summary).toContain('"resource_type"')
  })

  test('a person’s new-version draft stops the run before any write, naming it', async () => {
    await start(instance)
    const old = await rdmOf(e2e.server).seedPublished({ version: 'v1.0.0' })
    const draft = await rdmOf(e2e.server).seedNewVersionDraft(old.id, {
      files: [{ name: 'mine.txt', content: 'a person uploaded this' }]
    })
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v2.0.0' }),
      workspace,
      inputs: { files: 'a.txt', concept: old.id }
    })
    expect(run.code).not.toBe(0)
    expect(writes(e2e.server)).toEqual([])
    expect(run.stdout).toContain(`draft ${draft.id}`)
    expect(run.stdout).toContain('mine.txt')
  })
})

describe('finding the record by its repository link on an instance', () => {
  /** A published record whose metadata links the repository's tree at `tag`. */
  const seedLinking = (tag: string): ReturnType<ReturnType<typeof rdmOf>['seedPublished']> =>
    rdmOf(e2e.server).seedPublished({
      version: tag,
      metadata: {
        related_identifiers: [
          { identifier: TREE(tag), scheme: 'url', relation_type: { id: 'issupplementto' } }
        ]
      }
    })
  /** Release v2.0.0 with no concept input. */
  const releaseWithoutConcept = async (): Promise<ActionRun> =>
    e2e.run({
      event: releaseEvent({ tag: 'v2.0.0' }),
      workspace: await makeWorkspace({ 'dist/tool-2.0.0.tar.gz': 'new sdist' }),
      inputs: { files: 'dist/*' }
    })

  test('one linking record: the release becomes its new version without a concept input', async () => {
    await start(instance)
    const old = await seedLinking('v1.0.0')
    const run = await releaseWithoutConcept()
    expect(run.code).toBe(0)
    expect(recordsOf(e2e.server).filter(r => parentOf(r).id === old.parentId)).toHaveLength(2)
  })

  test('two linking records: the run stops before any write and names both', async () => {
    await start(instance)
    const a = await seedLinking('v1.0.0')
    const b = await seedLinking('v1.1.0')
    const run = await releaseWithoutConcept()
    expect(run.code).toBe(1)
    expect(writes(e2e.server)).toEqual([])
    expect(run.stdout).toContain(a.parentId)
    expect(run.stdout).toContain(b.parentId)
    expect(run.stdout).toMatch(/Set the concept input/)
  })
})

describe('the archive cites its own DOI on an instance', () => {
  test('the archived CITATION.cff carries the DOI reserved for the draft before the archive was built', async () => {
    await start(instance)
    const cff = 'cff-version: 1.2.0\n# kept\ntitle: Tool\nauthors:\n  - name: Lab\n'
    const workspace = await makeWorkspace({
      'CITATION.cff': cff,
      'src/a.py': 'print(1)\n',
      '.zenodo.json': JSON.stringify({
        upload_type: 'software',
        license: 'MIT',
        creators: [{ name: 'Doe, Jane' }]
      })
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { archive: 'CITATION.cff\nsrc/**' }
    })
    expect(run.code).toBe(0)
    const record = recordsOf(e2e.server)[0]
    expect(fileKeys(record)).toEqual(['octo-repo-v1.0.0.zip'])
    const dir = await unzipRecordFile(e2e.server, String(record.id), 'octo-repo-v1.0.0.zip')
    const archived = await readFile(join(dir, 'CITATION.cff'), 'utf8')
    expect((parse(archived) as { doi: string }).doi).toBe(run.outputs.doi)
    expect(archived).toContain('# kept')
    expect(await readFile(join(workspace, 'CITATION.cff'), 'utf8')).toBe(cff)
  })
})

describe('leftovers and lost answers on an instance', () => {
  test('an untouched new-version draft left by a killed run is adopted and published', async () => {
    await start(instance)
    const old = await rdmOf(e2e.server).seedPublished({ version: 'v1.0.0' })
    const previous = recordsOf(e2e.server).find(r => r.id === old.id) as Json
    const { version: _v, publication_date: _d, ...copied } = previous.metadata as Json
    const left = await rdmOf(e2e.server).seedNewVersionDraft(old.id, { metadata: copied })
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v2.0.0' }),
      workspace,
      inputs: { files: 'a.txt', concept: old.id }
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Reusing unpublished draft ${left.id}`)
    expect(run.outputs['record-id']).toBe(left.id)
    expect(writes(e2e.server).some(w => w.endsWith('/versions'))).toBe(false)
    expect(draftsOf(e2e.server)).toHaveLength(0)
  })

  test('a create whose answer is lost finds the draft it made instead of making a second', async () => {
    await start(instance)
    e2e.server.faults.add({
      method: 'POST',
      path: '/api/records',
      kind: { type: 'after', status: 504, html: true }
    })
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' },
      env: FAST
    })
    expect(run.code).toBe(0)
    expect(writes(e2e.server).filter(w => w === 'POST /api/records')).toHaveLength(1)
    expect(recordsOf(e2e.server)).toHaveLength(1)
    expect(draftsOf(e2e.server)).toHaveLength(0)
  })

  test('a token the repository refuses fails before any write, naming the repository and the token', async () => {
    await start(instance)
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt', token: 'not-the-token' }
    })
    expect(run.code).not.toBe(0)
    expect(writes(e2e.server)).toEqual([])
    expect(run.stdout).toMatch(
      /::error::The repository at 127\.0\.0\.1:\d+ refused GET \/api\/user\/records \(403 Permission denied\.\)\. Check the token: it must be a personal access token of this repository/
    )
    expect(run.stdout).not.toMatch(/::error::.*Zenodo/)
  })

  test('a failure after the draft was made discards it, leaving nothing half-done', async () => {
    await start(instance)
    e2e.server.faults.add({
      method: 'PUT',
      path: /\/draft$/,
      kind: { type: 'status', status: 403 }
    })
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' },
      env: FAST
    })
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(
      /::error::The repository at 127\.0\.0\.1:\d+ refused PUT \/api\/records\/[^/]+\/draft \(403/
    )
    expect(run.stdout).not.toMatch(/Zenodo refused/)
    expect(writes(e2e.server).some(w => /^DELETE \/api\/records\/[^/]+\/draft$/.test(w))).toBe(true)
    expect(draftsOf(e2e.server)).toHaveLength(0)
    expect(recordsOf(e2e.server)).toHaveLength(0)
  })
})

describe('two runs of one release at once on an instance', () => {
  const RACE = { ZENODO_RELEASE_TIME_SCALE: '0.02' }
  const releaseFiles = { 'dist/a.tar.gz': 'archive a', 'dist/b.whl': 'wheel b' }

  test('both first-release runs spawned at once: one record, the same DOI (or a clear message)', async () => {
    e2e = await startE2E({ rdm: instance, rateLimitPerMinute: 0 })
    const go = async () =>
      e2e.run({
        event: releaseEvent({ tag: 'v1.0.0' }),
        workspace: await makeWorkspace(releaseFiles),
        inputs: { files: 'dist/*' },
        env: RACE
      })
    const [a, b] = await Promise.all([go(), go()])
    const records = recordsOf(e2e.server)
    expect(records).toHaveLength(1)
    expect(draftsOf(e2e.server)).toEqual([])
    const doi = (records[0].pids as { doi: { identifier: string } }).doi.identifier
    for (const run of [a, b]) {
      if (run.code === 0) expect(run.outputs.doi).toBe(doi)
      else expect(run.stdout).toMatch(/Another run of this release/)
    }
    expect([a.code, b.code]).toContain(0)
  })

  test('two runs of a new version at once share the one new-version draft: one version with this release’s files', async () => {
    e2e = await startE2E({ rdm: instance, rateLimitPerMinute: 0 })
    const old = await rdmOf(e2e.server).seedPublished({ version: 'v1.0.0' })
    const go = async () =>
      e2e.run({
        event: releaseEvent({ tag: 'v2.0.0' }),
        workspace: await makeWorkspace(releaseFiles),
        inputs: { files: 'dist/*', concept: old.parentId },
        env: RACE
      })
    const [a, b] = await Promise.all([go(), go()])
    const fresh = recordsOf(e2e.server).filter(r => r.id !== old.id)
    expect(fresh).toHaveLength(1)
    expect(checksums(fresh[0])).toEqual({
      'a.tar.gz': `md5:${md5('archive a')}`,
      'b.whl': `md5:${md5('wheel b')}`
    })
    expect(draftsOf(e2e.server)).toEqual([])
    const doi = (fresh[0].pids as { doi: { identifier: string } }).doi.identifier
    for (const run of [a, b]) {
      if (run.code === 0) expect(run.outputs.doi).toBe(doi)
      else expect(run.stdout).toMatch(/Another run of this release/)
    }
    expect([a.code, b.code]).toContain(0)
  })
})

describe('the legacy API keeps the scenarios the native one has', () => {
  // first release, new version, keep-previous-files: e2e-publish.test.ts; vocabulary miss before
  // any write: e2e-validation.test.ts; rerun and 504 after publish: e2e-failures.test.ts and
  // e2e-deposition.test.ts. Communities are set in the legacy metadata:
  test('communities in .zenodo.json reach the published deposition through the legacy API', async () => {
    e2e = await startE2E()
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      '.zenodo.json': JSON.stringify({
        upload_type: 'dataset',
        communities: [{ identifier: 'lab' }]
      })
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(run.code).toBe(0)
    expect(e2e.server.requests.some(r => r.url.startsWith('/api/deposit/depositions'))).toBe(true)
    expect(e2e.server.records()[0].metadata.communities).toEqual([{ identifier: 'lab' }])
  })
})

describe('Zenodo through the native API (api: rdm)', () => {
  test('a first release and a new version are published through /api/records with the InvenioRDM media type', async () => {
    await start({ mode: 'zenodo' })
    const workspace = await makeWorkspace({ 'a.txt': 'A' })
    const first = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt', api: 'rdm' }
    })
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(e2e.server.requests.some(r => r.url.startsWith('/api/deposit'))).toBe(false)
    expect(first.outputs['concept-doi']).toMatch(/^10\.5281\//)
    const ws2 = await makeWorkspace({ 'b.txt': 'B' })
    const second = await e2e.run({
      event: releaseEvent({ tag: 'v2.0.0' }),
      workspace: ws2,
      inputs: { files: 'b.txt', api: 'rdm', concept: first.outputs['concept-doi'] }
    })
    expect(second.code).toBe(0)
    expect(second.outputs['concept-doi']).toBe(first.outputs['concept-doi'])
    const latest = recordsOf(e2e.server).find(r => r.id === second.outputs['record-id']) as Json
    expect(fileKeys(latest)).toEqual(['b.txt'])
  })
})

describe('an InvenioRDM-shaped metadata file', () => {
  test('is taken as it is (with the release link, version and date added) when api is rdm', async () => {
    await start(instance)
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      '.zenodo.json': JSON.stringify({
        metadata: {
          title: 'A dataset described natively',
          resource_type: { id: 'dataset' },
          creators: [
            { person_or_org: { type: 'organizational', name: 'Octo Lab' } },
            { person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane' } }
          ],
          rights: [{ id: 'cc-by-4.0' }]
        },
        communities: ['lab']
      })
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const meta = recordsOf(e2e.server)[0].metadata as Json
    expect(meta).toMatchObject({
      title: 'A dataset described natively',
      resource_type: { id: 'dataset' },
      version: 'v1.0.0',
      publication_date: '2026-11-20'
    })
    expect(meta.related_identifiers).toEqual([
      expect.objectContaining({ identifier: TREE('v1.0.0') })
    ])
    expect(rdmOf(e2e.server).requests()).toEqual([
      expect.objectContaining({ community: 'lab', status: 'accepted' })
    ])
  })

  test('a required field missing from it is refused before any write, in the file’s own terms', async () => {
    await start(instance)
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      '.zenodo.json': JSON.stringify({
        metadata: { title: 'No type', creators: [{ person_or_org: { type: 'personal' } }] }
      })
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect(run.code).not.toBe(0)
    expect(writes(e2e.server)).toEqual([])
    expect(run.stdout).toContain('.zenodo.json: metadata.resource_type: is missing')
    expect(run.stdout).toContain('metadata.creators[0].person_or_org.family_name: is missing')
  })

  test('the metadata input cannot be laid over it: refused before any write, saying what to do', async () => {
    await start(instance)
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      '.zenodo.json': JSON.stringify({
        metadata: {
          title: 'Native',
          resource_type: { id: 'dataset' },
          creators: [{ person_or_org: { type: 'organizational', name: 'Octo Lab' } }]
        }
      })
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt', metadata: '{"keywords": ["x"]}' }
    })
    expect(run.code).not.toBe(0)
    expect(writes(e2e.server)).toEqual([])
    expect(run.stdout).toContain(
      'action input: metadata: holds Zenodo (legacy) metadata fields, which cannot be laid over .zenodo.json'
    )
  })
})
