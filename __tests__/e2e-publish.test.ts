/**
 * End to end through the built bundle: dist/index.js runs as the GitHub runner runs it, against
 * the project's Zenodo test server, and the final state on the server is asserted.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  COMMIT,
  dispatchEvent,
  makeWorkspace,
  md5,
  releaseEvent,
  secretLeaks,
  useE2E,
  unzipRecordFile
} from './helpers/action.js'
import { ACTION_VERSION } from '../src/version.js'

const e2e = useE2E()

const releaseFiles = {
  'dist/tool-1.0.0-py3-none-any.whl': 'wheel bytes',
  'dist/tool-1.0.0.tar.gz': 'sdist bytes',
  'src/tool/__init__.py': 'print("hello")\n',
  'src/tool/core.py': 'def f():\n    return 42\n',
  'README.md': '# Tool\n'
}

test('a first release uploads the files and an archive with its manifest inside, publishes, and outputs the DOIs', async () => {
  const workspace = await makeWorkspace(releaseFiles)
  const run = await e2e.run({
    event: releaseEvent({
      tag: 'v1.0.0',
      name: 'First release',
      body: '## Changes\n\n- *initial* release'
    }),
    workspace,
    inputs: { files: 'dist/*', archive: 'src/**\nREADME.md' }
  })
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)

  const records = e2e.server.records()
  expect(records).toHaveLength(1)
  const record = records[0]
  expect(run.outputs.state).toBe('published')
  expect(run.outputs.doi).toBe(record.doi)
  expect(run.outputs['doi-url']).toBe(`https://doi.org/${record.doi}`)
  expect(run.outputs['concept-doi']).toBe(record.conceptdoi)
  expect(run.outputs['record-id']).toBe(String(record.id))
  expect(run.outputs['concept-record-id']).toBe(record.conceptrecid)
  expect(run.outputs['record-url']).toBe(`${e2e.server.url}/records/${String(record.id)}`)
  expect(run.outputs['badge-url']).toBe(`${e2e.server.url}/badge/DOI/${record.conceptdoi}.svg`)
  expect(run.outputs['badge-markdown']).toBe(
    `[![DOI](${e2e.server.url}/badge/DOI/${record.conceptdoi}.svg)](https://doi.org/${record.conceptdoi})`
  )

  const names = record.files.map(f => f.key).sort()
  expect(names).toEqual(
    ['octo-repo-v1.0.0.zip', 'tool-1.0.0-py3-none-any.whl', 'tool-1.0.0.tar.gz'].sort()
  )
  const wheel = record.files.find(f => f.key === 'tool-1.0.0-py3-none-any.whl')
  expect(wheel?.checksum).toBe(`md5:${md5('wheel bytes')}`)
  const outFiles = JSON.parse(run.outputs.files) as { name: string; size: number; md5: string }[]
  expect(outFiles.map(f => f.name).sort()).toEqual(names)
  for (const f of outFiles) {
    expect(`md5:${f.md5}`).toBe(record.files.find(r => r.key === f.name)?.checksum)
  }

  // the metadata Zenodo holds: defaults from the release, as Zenodo's GitHub integration makes them
  const m = record.metadata
  expect(m.title).toBe('octo-org/octo-repo: First release')
  expect(m.version).toBe('v1.0.0')
  expect(m.publication_date).toBe('2026-11-20')
  expect(String(m.description)).toContain('<em>initial</em>')
  expect(JSON.stringify(m.related_identifiers)).toContain(
    'https://github.com/octo-org/octo-repo/tree/v1.0.0'
  )
  expect(JSON.stringify(m.creators)).toContain('Alice Adams')
  expect(JSON.stringify(m.creators)).not.toContain('dependabot')

  // the archive holds the requested files and a manifest with their checksums
  const unzipped = await unzipRecordFile(e2e.server, record.id, 'octo-repo-v1.0.0.zip')
  const manifest = JSON.parse(await readFile(join(unzipped, 'manifest.json'), 'utf8')) as {
    repository: string
    tag: string
    commit: string
    files: { path: string; md5: string; sha256: string }[]
  }
  expect(manifest.repository).toBe('octo-org/octo-repo')
  expect(manifest.tag).toBe('v1.0.0')
  expect(manifest.commit).toBe(COMMIT)
  const core = manifest.files.find(f => f.path === 'src/tool/core.py')
  expect(core?.md5).toBe(md5(releaseFiles['src/tool/core.py']))
  expect(core?.sha256).toBe(
    createHash('sha256').update(releaseFiles['src/tool/core.py']).digest('hex')
  )
  expect(await readFile(join(unzipped, 'src/tool/core.py'), 'utf8')).toBe(
    releaseFiles['src/tool/core.py']
  )

  // the job summary links the DOIs and lists the files
  expect(run.summary).toContain(`[${record.doi}](https://doi.org/${record.doi})`)
  expect(run.summary).toContain(run.outputs['badge-markdown'])
  expect(run.summary).toContain(md5('wheel bytes'))
})

test('a new version from a concept DOI removes the files inherited from the previous version', async () => {
  const old = e2e.server.seedPublished({
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
    inputs: { files: 'dist/*', concept: old.conceptdoi }
  })
  expect(run.code).toBe(0)
  const versions = e2e.server.records().filter(r => r.conceptrecid === String(old.conceptrecid))
  expect(versions).toHaveLength(2)
  const latest = versions.find(r => r.id !== old.id)
  expect(latest?.files.map(f => f.key)).toEqual(['tool-2.0.0.tar.gz'])
  expect(run.outputs['concept-doi']).toBe(old.conceptdoi)
  expect(run.outputs.doi).toBe(latest?.doi)
  expect(e2e.server.depositions().filter(d => !d.submitted)).toHaveLength(0)
})

test('keep-previous-files keeps inherited files and replaces same-name ones with the upload', async () => {
  const old = e2e.server.seedPublished({
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
    inputs: {
      files: 'tool.tar.gz',
      concept: String(old.conceptrecid),
      'keep-previous-files': 'true'
    }
  })
  expect(run.code).toBe(0)
  const latest = e2e.server.records().find(r => r.id !== old.id)
  const files = Object.fromEntries((latest?.files ?? []).map(f => [f.key, f.checksum]))
  expect(files).toEqual({
    'data.csv': `md5:${md5('a,b\n1,2\n')}`,
    'tool.tar.gz': `md5:${md5('new')}`
  })
})

test('publish false leaves a draft and outputs its reserved DOI and deposit page', async () => {
  const workspace = await makeWorkspace({ 'paper.pdf': '%PDF-1.4' })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v0.1.0' }),
    workspace,
    inputs: { files: 'paper.pdf', publish: 'false' }
  })
  expect(run.code).toBe(0)
  expect(e2e.server.records()).toHaveLength(0)
  const drafts = e2e.server.depositions()
  expect(drafts).toHaveLength(1)
  expect(drafts[0].submitted).toBe(false)
  expect(run.outputs.state).toBe('draft')
  expect(run.outputs.doi).toBe(drafts[0].metadata.prereserve_doi?.doi)
  expect(run.outputs['record-url']).toBe(`${e2e.server.url}/deposit/${String(drafts[0].id)}`)
  expect(run.summary).toContain('Draft on Zenodo')
})

test('workflow_dispatch publishes the version input, using the GitHub release of that tag', async () => {
  e2e.server.github.setRelease('v3.1.0', {
    name: 'Backfilled',
    body: 'Release notes of **v3.1.0**',
    published_at: '2025-01-02T03:04:05Z',
    author: { login: 'alice' }
  })
  const workspace = await makeWorkspace({ 'out.bin': 'bytes' })
  const run = await e2e.run({
    event: dispatchEvent('refs/heads/main', { version: 'v3.1.0' }),
    workspace,
    inputs: { files: 'out.bin', version: 'v3.1.0' }
  })
  expect(run.code).toBe(0)
  const [record] = e2e.server.records()
  const m = record.metadata
  expect(m.version).toBe('v3.1.0')
  expect(m.title).toBe('octo-org/octo-repo: Backfilled')
  expect(m.publication_date).toBe('2025-01-02')
  expect(String(m.description)).toContain('<strong>v3.1.0</strong>')
})

test('the token is sent only as a bearer header and appears in no URL, log line, output or summary', async () => {
  const workspace = await makeWorkspace({ 'a.txt': 'a' })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace,
    inputs: { files: 'a.txt' }
  })
  expect(run.code).toBe(0)
  const token = e2e.server.token
  const api = e2e.server.requests.filter(r => r.url.startsWith('/api/'))
  expect(api.length).toBeGreaterThan(2)
  for (const r of api) {
    expect(r.headers.authorization).toBe(`Bearer ${token}`)
    // name/version and the repository of the action, as Zenodo asks of API clients
    expect(r.headers['user-agent']).toBe(
      `zenodo-release-action/${ACTION_VERSION} (+https://github.com/zenodo-release-action/zenodo-release-action)`
    )
  }
  expect(secretLeaks(run, e2e.server.requests, [token])).toEqual([])
  expect(run.stdout).toContain(`::add-mask::${token}`)
})

test("archive: '**' packs the working tree without git's own files", async () => {
  const workspace = await makeWorkspace({
    '.git/config': '[remote "origin"]\n\turl = https://user:secret@example.org/repo\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.gitignore': 'build/\n',
    'src/main.c': 'int main(void) { return 0; }\n'
  })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace,
    inputs: { archive: '**' }
  })
  expect(run.code).toBe(0)
  const record = e2e.server.records()[0]
  const unzipped = await unzipRecordFile(e2e.server, record.id, 'octo-repo-v1.0.0.zip')
  const manifest = JSON.parse(await readFile(join(unzipped, 'manifest.json'), 'utf8')) as {
    files: { path: string }[]
  }
  expect(manifest.files.map(f => f.path)).toEqual(['.gitignore', 'src/main.c'])
})

/** The most bucket uploads the server had in progress at one moment. */
function uploadsInFlight(
  requests: { method: string; url: string; startedAt: number; durationMs: number }[]
): number {
  const puts = requests.filter(r => r.method === 'PUT' && r.url.startsWith('/api/files/'))
  const edges = puts.flatMap(r => [
    { t: r.startedAt, d: 1 },
    { t: r.startedAt + r.durationMs, d: -1 }
  ])
  edges.sort((a, b) => a.t - b.t || a.d - b.d)
  let now = 0
  let most = 0
  for (const e of edges) most = Math.max(most, (now += e.d))
  return most
}

test.each([
  ['1', 1],
  ['3', 3]
])('concurrency %s uploads at most that many files at once', async (concurrency, expected) => {
  const files: Record<string, string> = {}
  for (let i = 0; i < 6; i++) files[`dist/f${String(i)}.bin`] = `file ${String(i)}`
  e2e.server.faults.add({
    method: 'PUT',
    path: /^\/api\/files\//,
    times: 6,
    kind: { type: 'delay', ms: 150 }
  })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace: await makeWorkspace(files),
    inputs: { files: 'dist/*', concurrency }
  })
  expect(run.code).toBe(0)
  expect(e2e.server.records()[0].files).toHaveLength(6)
  expect(uploadsInFlight(e2e.server.requests)).toBe(expected)
})

test('a long upload logs a few progress lines, not one per chunk', async () => {
  const big = Buffer.alloc(24 * 1024 * 1024, 7)
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace: await makeWorkspace({ 'dist/big.bin': big, 'dist/small.txt': 'small' }),
    inputs: { files: 'dist/*' }
  })
  expect(run.code).toBe(0)
  const progress = run.stdout.split('\n').filter(l => l.startsWith('Uploading '))
  expect(progress.length).toBeGreaterThanOrEqual(1)
  expect(progress.length).toBeLessThanOrEqual(10)
  for (const line of progress) expect(line).toMatch(/^Uploading big\.bin: .* of 24 MiB \(\d+%\)/)
  expect(run.stdout).toContain(`Uploaded big.bin (24 MiB, md5 ${md5(big)})`)
})
