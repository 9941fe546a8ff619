/**
 * Metadata the way researchers write it and every way a release is triggered, end to end
 * through the built bundle: CITATION.cff, markdown release notes, workflow_dispatch, tag push,
 * release assets, OAuth refresh tokens and the dry run.
 */
import {
  dispatchEvent,
  makeWorkspace,
  md5,
  releaseEvent,
  secretLeaks,
  useE2E,
  tagPushEvent,
  writes
} from './helpers/action.js'

const e2e = useE2E()

const cff = `cff-version: 1.2.0
message: If you use this software, please cite it as below.
title: Stellar Pipeline
abstract: A pipeline for stars.
authors:
  - family-names: Beethoven
    given-names: Ludwig
    name-particle: van
    name-suffix: Jr.
    orcid: https://orcid.org/0000-0002-1825-0097
    affiliation: Bonn University
  - name: The Stellar Consortium
keywords: [astronomy, pipeline]
license: [Apache-2.0, MIT]
repository-code: https://github.com/octo-org/octo-repo
version: 9.9.9
date-released: 2020-01-01
`

test('a CITATION.cff-only repository is described from its CFF', async () => {
  const workspace = await makeWorkspace({ 'CITATION.cff': cff, 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v2.0.0' }),
    workspace,
    inputs: { files: 'dist/*' }
  })
  expect(run.code).toBe(0)
  const m = e2e.server.records()[0].metadata
  expect(m.title).toBe('Stellar Pipeline')
  expect(m.version).toBe('v2.0.0')
  const creators = m.creators as { name: string; orcid?: string; affiliation?: string }[]
  expect(creators[0].name).toMatch(/^van Beethoven, Ludwig/)
  expect(creators[0].name).toContain('Jr.')
  expect(creators[0].orcid).toBe('0000-0002-1825-0097')
  expect(creators[0].affiliation).toBe('Bonn University')
  expect(creators[1].name).toBe('The Stellar Consortium')
  expect(m.keywords).toEqual(['astronomy', 'pipeline'])
  expect(JSON.stringify(m.license).toLowerCase()).toContain('apache')
  expect(run.stdout).toMatch(/::warning.*license/i)
})

test('markdown release notes are rendered, and unsafe HTML never reaches Zenodo', async () => {
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const body =
    '# Highlights\n\n- **fast** now\n- see [docs](https://example.org)\n\n<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n[bad](javascript:alert(3))'
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0', body }),
    workspace,
    inputs: { files: 'dist/*' }
  })
  expect(run.code).toBe(0)
  const description = String(e2e.server.records()[0].metadata.description)
  expect(description).toContain('<strong>fast</strong>')
  expect(description).toContain('href="https://example.org"')
  expect(description).not.toMatch(/<script|alert\(1\)|onerror|href="javascript:|<img/i)
})

test('an empty release body falls back to the repository description', async () => {
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0', body: '' }),
    workspace,
    inputs: { files: 'dist/*' }
  })
  expect(run.code).toBe(0)
  expect(String(e2e.server.records()[0].metadata.description)).toContain('A test repository')
})

test('workflow_dispatch without a release for the tag still gives a complete record', async () => {
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({
    event: dispatchEvent('refs/tags/v0.9.0'),
    workspace,
    inputs: { files: 'dist/*' }
  })
  expect(run.code).toBe(0)
  const m = e2e.server.records()[0].metadata
  expect(m.version).toBe('v0.9.0')
  expect(m.title).toBe('octo-org/octo-repo: v0.9.0')
  expect(String(m.description)).toContain('A test repository')
  expect(run.stdout).toMatch(/No GitHub release found for tag v0\.9\.0/)
})

test('a tag push uses the GitHub release of the tag', async () => {
  e2e.server.github.setRelease('v4.0.0', {
    name: 'Four',
    body: 'Notes',
    published_at: '2026-02-03T00:00:00Z'
  })
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({
    event: tagPushEvent('v4.0.0'),
    workspace,
    inputs: { files: 'dist/*' }
  })
  expect(run.code).toBe(0)
  const m = e2e.server.records()[0].metadata
  expect(m.title).toBe('octo-org/octo-repo: Four')
  expect(m.publication_date).toBe('2026-02-03')
})

test('release assets are downloaded and uploaded with md5 verification', async () => {
  e2e.server.github.setRelease('v5.0.0', {
    id: 77,
    name: 'Five',
    body: 'x',
    assets: [
      { name: 'tool-linux.tar.gz', content: 'linux build' },
      { name: 'tool-mac.zip', content: 'mac build' }
    ]
  })
  const workspace = await makeWorkspace({})
  const run = await e2e.run({
    event: dispatchEvent('refs/heads/main'),
    workspace,
    inputs: { version: 'v5.0.0', 'release-assets': 'true' }
  })
  expect(run.code).toBe(0)
  const files = Object.fromEntries(e2e.server.records()[0].files.map(f => [f.key, f.checksum]))
  expect(files).toEqual({
    'tool-linux.tar.gz': `md5:${md5('linux build')}`,
    'tool-mac.zip': `md5:${md5('mac build')}`
  })
})

test('OAuth: the refresh token is exchanged first, and again when Zenodo refuses the access token mid-run', async () => {
  const { oauth } = e2e.server
  const workspace = await makeWorkspace({ 'dist/a.txt': 'a', 'dist/b.txt': 'b' })
  let revoked = false
  e2e.server.faults.add({
    method: 'PUT',
    path: /^\/api\/files\//,
    kind: {
      type: 'hook',
      when: 'before',
      fn: () => {
        if (!revoked) oauth.revokeAccessTokens()
        revoked = true
      }
    }
  })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace,
    inputs: {
      token: '',
      files: 'dist/*',
      concurrency: '1',
      'oauth-client-id': oauth.clientId,
      'oauth-client-secret': oauth.clientSecret,
      'oauth-refresh-token': oauth.refreshToken
    }
  })
  expect(run.code).toBe(0)
  expect(oauth.issued.length).toBe(2)
  expect(e2e.server.records()).toHaveLength(1)
  const secrets = [oauth.clientSecret, oauth.refreshToken, ...oauth.issued]
  expect(secretLeaks(run, e2e.server.requests, secrets)).toEqual([])
})

test('a dry run validates, resolves the concept, hashes the files and writes nothing', async () => {
  const old = e2e.server.seedPublished({
    version: 'v1.0.0',
    files: [{ name: 'old.txt', content: 'old' }]
  })
  const workspace = await makeWorkspace({ 'dist/a.txt': 'hello', 'src/main.c': 'int main(){}' })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v2.0.0' }),
    workspace,
    inputs: { files: 'dist/*', archive: 'src/**', concept: old.conceptdoi, 'dry-run': 'true' }
  })
  expect(run.code).toBe(0)
  expect(run.outputs.state).toBe('dry-run')
  expect(run.outputs['concept-doi']).toBe(old.conceptdoi)
  expect(run.stdout).toContain(md5('hello'))
  expect(run.stdout).toContain('"version": "v2.0.0"')
  expect(run.summary).toContain('Dry run')
  expect(run.summary).toContain(`make a new version of concept ${String(old.conceptrecid)}`)
  expect(run.summary).toContain('src/main.c')
  expect(writes(e2e.server)).toEqual([])
})

test('a dry run of a release already on Zenodo says nothing new would be published', async () => {
  const workspace = await makeWorkspace({ 'dist/a.txt': 'hello' })
  const first = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace,
    inputs: { files: 'dist/*' }
  })
  expect(first.code).toBe(0)
  const before = writes(e2e.server).length
  const dry = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace,
    inputs: { files: 'dist/*', 'dry-run': 'true' }
  })
  expect(dry.code).toBe(0)
  expect(dry.summary).toContain(
    `publish nothing new: this release is already published as record ${first.outputs['record-id']}`
  )
  expect(dry.outputs['concept-doi']).toBe(first.outputs['concept-doi'])
  expect(writes(e2e.server)).toHaveLength(before)
})

test('a dry run fails on bad input exactly as a real run does', async () => {
  const workspace = await makeWorkspace({
    'dist/a.txt': 'a',
    '.zenodo.json': '{"license": "nope"}'
  })
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace,
    inputs: { files: 'dist/*', 'dry-run': 'true' }
  })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(/::error .*license/)
  expect(writes(e2e.server)).toEqual([])
})
