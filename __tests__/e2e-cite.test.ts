/**
 * Issue 11 end to end through dist/index.js: the record continues by itself (concept discovery
 * among the token owner's depositions), the archive cites its own version DOI, a software
 * record holds one file for Software Heritage (or the run says why not), and the concept DOI
 * is written back into the workspace for a following commit step.
 */
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import {
  makeWorkspace,
  md5,
  releaseEvent,
  startE2E,
  unzipRecordFile,
  writes,
  type E2E
} from './helpers/action.js'

const FAST = { ZENODO_RELEASE_TIME_SCALE: '0.001' }
const REPO_URL = 'https://github.com/octo-org/octo-repo'

let e2e: E2E
beforeEach(async () => {
  e2e = await startE2E({ rateLimitPerMinute: 0 })
})
afterEach(async () => {
  await e2e.close()
})

/** A published concept whose versions link `link` (as the action or Zenodo's GitHub integration writes it). */
function seedLinked(link: string, title: string, version = 'v1.0.0') {
  return e2e.server.seedPublished({
    title,
    version,
    files: [{ name: 'old.zip', content: 'old archive' }],
    metadata: {
      related_identifiers: [
        { identifier: link, relation: 'isSupplementTo', resource_type: 'software' }
      ]
    }
  })
}

/** GETs of the user's whole deposition list (no q), as the run made them. */
function userListReads(): string[] {
  return e2e.server.requests
    .filter(r => r.method === 'GET' && /^\/api\/deposit\/depositions\?/.test(r.url))
    .filter(r => !/[?&]q=/.test(r.url))
    .map(r => r.url)
}

async function release(
  tag: string,
  inputs: Record<string, string> = {},
  files: Record<string, string> = { 'dist/a.txt': 'a' }
) {
  const workspace = await makeWorkspace(files)
  const run = await e2e.run({
    event: releaseEvent({ tag }),
    workspace,
    inputs: { files: 'dist/*', ...inputs },
    env: FAST
  })
  return { run, workspace }
}

describe('concept discovery (concept left empty)', () => {
  test('one concept linking the repository: the release becomes its new version, and the log names the concept and the link', async () => {
    const other = seedLinked('https://github.com/someone/else/tree/v3.0.0', 'Another project')
    const mine = seedLinked(`${REPO_URL.toUpperCase()}/tree/v1.0.0`, 'My project')
    const { run } = await release('v2.0.0')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.outputs['concept-doi']).toBe(mine.conceptdoi)
    expect(run.outputs['concept-record-id']).toBe(String(mine.conceptrecid))
    const records = e2e.server.records().filter(r => r.conceptrecid === String(mine.conceptrecid))
    expect(records.map(r => (r.metadata as { version?: string }).version).sort()).toEqual([
      'v1.0.0',
      'v2.0.0'
    ])
    expect(
      e2e.server.records().filter(r => r.conceptrecid === String(other.conceptrecid))
    ).toHaveLength(1)
    expect(run.stdout).toContain(
      `Continuing concept ${String(mine.conceptrecid)} (${mine.conceptdoi}) "My project"`
    )
    expect(run.stdout).toContain(`by its link ${REPO_URL.toUpperCase()}/tree/v1.0.0`)
    // the identity search reuses the list discovery read (one read before the first write)
    const firstWrite = e2e.server.requests.findIndex(r => r.method !== 'GET')
    const before = e2e.server.requests
      .slice(0, firstWrite)
      .filter(r => r.method === 'GET' && /^\/api\/deposit\/depositions\?/.test(r.url))
      .filter(r => !/[?&]q=/.test(r.url))
    expect(before).toHaveLength(1)
  })

  test('no concept links the repository: a new concept, and the log says none was found', async () => {
    const other = seedLinked('https://github.com/octo-org/octo-repo-extra', 'Not this one')
    const { run } = await release('v1.0.0')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.outputs['concept-record-id']).not.toBe(String(other.conceptrecid))
    expect(e2e.server.records()).toHaveLength(2)
    expect(run.stdout).toContain(`No concept among your depositions links ${REPO_URL}`)
  })

  test('a search cut short by its page bound says so, and makes a new concept', async () => {
    // 1,001 versions of an unrelated concept fill the ten pages discovery reads
    e2e.server.seedPublished({ title: 'Busy', versions: 1001 })
    const { run } = await release('v1.0.0')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('The search was cut short after 1000 depositions')
    expect(run.stdout).toContain('set the concept input')
    expect(userListReads().filter(u => /[?&]page=/.test(u)).length).toBeLessThanOrEqual(12)
  })

  test('two concepts link the repository: the run stops before any write and names both', async () => {
    const a = seedLinked(REPO_URL, 'Fork A', 'v1.0.0')
    const b = seedLinked(`${REPO_URL}/tree/v1.1.0`, 'Fork B', 'v1.1.0')
    const { run } = await release('v2.0.0')
    expect(run.code).toBe(1)
    expect(writes(e2e.server)).toEqual([])
    for (const c of [a, b]) {
      expect(run.stdout).toContain(`concept ${String(c.conceptrecid)}, DOI ${c.conceptdoi}`)
    }
    expect(run.stdout).toContain('"Fork A", latest version v1.0.0')
    expect(run.stdout).toContain('"Fork B", latest version v1.1.0')
    expect(run.stdout).toContain('Set the concept input')
    expect(run.summary).toContain('Fork B')
  })

  test('concept: new makes a new concept even when one links the repository', async () => {
    const mine = seedLinked(REPO_URL, 'My project')
    const { run } = await release('v2.0.0', { concept: 'new' })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.outputs['concept-record-id']).not.toBe(String(mine.conceptrecid))
    expect(new Set(e2e.server.records().map(r => r.conceptrecid)).size).toBe(2)
    expect(userListReads().every(u => !u.includes('page=2'))).toBe(true)
  })

  test('a concept input still wins over discovery', async () => {
    seedLinked(REPO_URL, 'Linked')
    const chosen = e2e.server.seedPublished({ title: 'Chosen', version: 'v0.1.0' })
    const { run } = await release('v2.0.0', { concept: chosen.conceptdoi })
    expect(run.code).toBe(0)
    expect(run.outputs['concept-doi']).toBe(chosen.conceptdoi)
  })

  test('a dry run reports the concept it found, and what would be cited, without writing', async () => {
    const mine = seedLinked(REPO_URL, 'My project')
    const { run } = await release(
      'v2.0.0',
      { 'dry-run': 'true', archive: 'CITATION.cff\nsrc/**', 'update-readme-badge': 'true' },
      { 'dist/a.txt': 'a', 'CITATION.cff': CFF, 'src/x.py': 'x = 1\n' }
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(writes(e2e.server)).toEqual([])
    expect(run.outputs.state).toBe('dry-run')
    expect(run.outputs['concept-doi']).toBe(mine.conceptdoi)
    expect(run.outputs['updated-files']).toBe('[]')
    expect(run.summary).toContain(`Continuing concept ${String(mine.conceptrecid)}`)
    expect(run.summary).toContain('The archived CITATION.cff would carry the version DOI')
    expect(run.summary).toContain('README.md in the workspace would get the concept-DOI badge')
    // dist/a.txt beside the archive: two files, so no Software Heritage
    expect(run.summary).toContain('### Software Heritage')
    expect(run.summary).toContain('holds 2 files')
  })
})

const CFF = `# Citation of this project (comment kept)
cff-version: 1.2.0
message: If you use this software, please cite it as below.
title: Octo tool
authors:
  - family-names: Adams
    given-names: Alice
version: 0.0.1
`
const CODEMETA = `{
  "@context": "https://doi.org/10.5063/schema/codemeta-2.0",
  "@type": "SoftwareSourceCode",
  "name": "Octo tool"
}
`
const SOURCE = {
  'CITATION.cff': CFF,
  'codemeta.json': CODEMETA,
  'src/tool.py': 'print("tool")\n',
  'README.md': '# Octo tool\n\nA tool.\n'
}

async function archiveOnly(
  inputs: Record<string, string> = {},
  files: Record<string, string> = SOURCE
) {
  const workspace = await makeWorkspace(files)
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace,
    inputs: { archive: Object.keys(files).join('\n'), ...inputs },
    env: FAST
  })
  return { run, workspace }
}

describe('the archive cites itself, and Software Heritage gets one file', () => {
  test('an archive-only software release leaves exactly one file on Zenodo, whose CITATION.cff and codemeta.json carry the version DOI', async () => {
    const { run, workspace } = await archiveOnly()
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const [record] = e2e.server.records()
    expect(record.files.map(f => f.key)).toEqual(['octo-repo-v1.0.0.zip'])
    expect(e2e.server.depositions()[0]?.metadata.upload_type).toBe('software')
    expect(run.stdout).not.toContain('Software Heritage')

    const dir = await unzipRecordFile(e2e.server, record.id, 'octo-repo-v1.0.0.zip')
    const archivedCff = await readFile(join(dir, 'CITATION.cff'), 'utf8')
    const cff = parse(archivedCff) as Record<string, unknown>
    expect(cff.doi).toBe(record.doi)
    expect(cff.version).toBe('v1.0.0')
    expect(cff['date-released']).toBe(
      (record.metadata as { publication_date: string }).publication_date
    )
    expect(archivedCff).toContain('# Citation of this project (comment kept)')
    const codemeta = JSON.parse(await readFile(join(dir, 'codemeta.json'), 'utf8')) as {
      identifier?: string
    }
    expect(codemeta.identifier).toBe(`https://doi.org/${record.doi}`)
    // every other file byte-identical; the workspace untouched
    expect(await readFile(join(dir, 'src/tool.py'), 'utf8')).toBe(SOURCE['src/tool.py'])
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe(SOURCE['README.md'])
    expect(await readFile(join(workspace, 'CITATION.cff'), 'utf8')).toBe(CFF)
    expect(await readFile(join(workspace, 'codemeta.json'), 'utf8')).toBe(CODEMETA)
    // manifest.json inside describes the archived bytes
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      files: { path: string; md5: string; size: number }[]
    }
    const entry = manifest.files.find(f => f.path === 'CITATION.cff')
    expect(entry?.md5).toBe(md5(archivedCff))
    expect(entry?.size).toBe(Buffer.byteLength(archivedCff))
    expect(run.outputs['updated-files']).toBe('[]')
    // the DOI was reserved (the deposition opened) before the archive was uploaded
    const order = writes(e2e.server)
    expect(order[0]).toBe('POST /api/deposit/depositions')
  })

  test('a CITATION.cff that cannot be cited is a warning before any write, and is archived as it is', async () => {
    const broken = 'cff-version: 1.2.0\ntitle: [unclosed\n'
    const files = {
      ...SOURCE,
      'CITATION.cff': broken,
      '.zenodo.json': JSON.stringify({ title: 'Octo tool', upload_type: 'software' })
    }
    const { run } = await archiveOnly({}, files)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const warning = run.stdout.split('\n').findIndex(l => /^::warning.*CITATION\.cff/.test(l))
    const firstWrite = run.stdout.indexOf('Created deposition')
    expect(warning).toBeGreaterThanOrEqual(0)
    expect(run.stdout.indexOf(run.stdout.split('\n')[warning] ?? '')).toBeLessThan(firstWrite)
    const [record] = e2e.server.records()
    const dir = await unzipRecordFile(e2e.server, record.id, 'octo-repo-v1.0.0.zip')
    expect(await readFile(join(dir, 'CITATION.cff'), 'utf8')).toBe(broken)
    const codemeta = JSON.parse(await readFile(join(dir, 'codemeta.json'), 'utf8')) as {
      identifier?: string
    }
    expect(codemeta.identifier).toBe(`https://doi.org/${record.doi}`)
  })

  test('cite-in-archive: false archives CITATION.cff byte for byte', async () => {
    const { run } = await archiveOnly({ 'cite-in-archive': 'false' })
    expect(run.code).toBe(0)
    const [record] = e2e.server.records()
    const dir = await unzipRecordFile(e2e.server, record.id, 'octo-repo-v1.0.0.zip')
    expect(await readFile(join(dir, 'CITATION.cff'), 'utf8')).toBe(CFF)
    expect(await readFile(join(dir, 'codemeta.json'), 'utf8')).toBe(CODEMETA)
  })

  test('manifest: upload puts manifest.json beside the archive too, and warns that Software Heritage will not take the record', async () => {
    const { run } = await archiveOnly({ manifest: 'upload' })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const [record] = e2e.server.records()
    expect(record.files.map(f => f.key).sort()).toEqual(['manifest.json', 'octo-repo-v1.0.0.zip'])
    expect(run.stdout).toMatch(
      /::warning::Software Heritage: the record holds 2 files \(octo-repo-v1\.0\.0\.zip, manifest\.json\)/
    )
  })

  test('keep-previous-files counts the inherited files: the Software Heritage warning names them', async () => {
    seedLinked(REPO_URL, 'My project')
    const workspace = await makeWorkspace(SOURCE)
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v2.0.0' }),
      workspace,
      inputs: { archive: Object.keys(SOURCE).join('\n'), 'keep-previous-files': 'true' },
      env: FAST
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      '::warning::Software Heritage: the record holds 2 files (octo-repo-v2.0.0.zip, old.zip)'
    )
  })

  test('a .tgz software archive gets the Software Heritage warning naming the rule', async () => {
    const { run } = await archiveOnly({ 'archive-name': '{repo}-{version}.tgz' })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      '::warning::Software Heritage: "octo-repo-v1.0.0.tgz" ends in .tgz'
    )
  })

  test('a failure while building the archive, after the deposition was opened, discards the draft', async () => {
    const workspace = await makeWorkspace(SOURCE)
    e2e.server.faults.add({
      method: 'POST',
      path: '/api/deposit/depositions',
      kind: {
        type: 'hook',
        when: 'before',
        fn: () => rm(join(workspace, 'src/tool.py'))
      }
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { archive: Object.keys(SOURCE).join('\n') },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('src/tool.py')
    expect(writes(e2e.server)[0]).toBe('POST /api/deposit/depositions')
    const done = writes(e2e.server)
    expect(done).toHaveLength(2)
    const id = /^POST \/api\/deposit\/depositions\/(\d+)\/actions\/discard$/.exec(
      done[1] ?? ''
    )?.[1]
    expect(id).toBeDefined()
    expect(run.stdout).toContain(`Discarded the unpublished draft ${String(id)}`)
    expect(e2e.server.depositions()).toEqual([])
  })

  test('an archive member changed before the first write stops the run with nothing written', async () => {
    const workspace = await makeWorkspace(SOURCE)
    e2e.server.faults.add({
      method: 'GET',
      path: /^\/api\/deposit\/depositions$/,
      kind: { type: 'hook', when: 'before', fn: () => rm(join(workspace, 'src/tool.py')) }
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { archive: Object.keys(SOURCE).join('\n') },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('The files to archive changed after they were planned')
    expect(writes(e2e.server)).toEqual([])
  })
})

describe('writing the concept DOI back', () => {
  test('update-citation-file and update-readme-badge write the concept DOI into CITATION.cff and README.md, listed in updated-files', async () => {
    const { run, workspace } = await archiveOnly({
      'update-citation-file': 'true',
      'update-readme-badge': 'true'
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const conceptDoi = run.outputs['concept-doi']
    expect(conceptDoi).toMatch(/zenodo\.\d+$/)
    expect(JSON.parse(run.outputs['updated-files'])).toEqual(['CITATION.cff', 'README.md'])
    const cffText = await readFile(join(workspace, 'CITATION.cff'), 'utf8')
    const cff = parse(cffText) as Record<string, unknown>
    expect(cff.doi).toBe(conceptDoi)
    expect(cff.version).toBe('v1.0.0')
    expect(cffText).toContain('# Citation of this project (comment kept)')
    const readme = await readFile(join(workspace, 'README.md'), 'utf8')
    expect(readme).toContain(run.outputs['badge-markdown'])
    expect(readme.startsWith('# Octo tool\n')).toBe(true)
    expect(run.summary).toContain(
      'Written into the workspace for a following commit step: `CITATION.cff`, `README.md`.'
    )
    // the archived copy carries the version DOI, not the concept DOI
    const [record] = e2e.server.records()
    const dir = await unzipRecordFile(e2e.server, record.id, 'octo-repo-v1.0.0.zip')
    expect((parse(await readFile(join(dir, 'CITATION.cff'), 'utf8')) as { doi: string }).doi).toBe(
      record.doi
    )
  })
})
