/**
 * Bad input fails end to end before anything is written to Zenodo: every problem at once, each
 * as an error annotation naming the file, the field and the fix; no write request on the server.
 */
import { truncate } from 'node:fs/promises'
import { join } from 'node:path'
import {
  makeWorkspace,
  releaseEvent,
  runRelease,
  secretLeaks,
  useE2E,
  writes,
  type ActionRun
} from './helpers/action.js'

const e2e = useE2E()

function runWith(
  files: Record<string, string>,
  inputs: Record<string, string> = {}
): Promise<ActionRun> {
  return runRelease(e2e, files, { inputs })
}

test('a .zenodo.json with a syntax error reports its line and column and writes nothing', async () => {
  const run = await runWith({
    '.zenodo.json':
      '{\n  "title": "x",\n  "creators": [\n    {"name": "A"}\n  ]\n  "license": "MIT"\n}\n'
  })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(/::error .*file=\.zenodo\.json,line=6/)
  expect(writes(e2e.server)).toEqual([])
})

test('every metadata problem is reported at once, naming file, field and fix, and nothing is written', async () => {
  const run = await runWith({
    '.zenodo.json': JSON.stringify({
      title: 'Ok title',
      upload_type: 'sofware',
      license: 'not-a-license',
      creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0098' }],
      related_identifiers: [{ identifier: '10.1/x', relation: 'isCitedByy' }]
    })
  })
  expect(run.code).toBe(1)
  const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
  expect(errors.join('\n')).toMatch(/\.zenodo\.json.*upload_type/)
  expect(errors.join('\n')).toMatch(/\.zenodo\.json.*license/)
  expect(errors.join('\n')).toMatch(/\.zenodo\.json.*creators\[0\]\.orcid/)
  expect(errors.join('\n')).toMatch(/\.zenodo\.json.*related_identifiers\[0\]\.relation/)
  for (const e of errors) expect(e).toMatch(/Fix: /)
  expect(writes(e2e.server)).toEqual([])
})

test('a .zenodo.json in InvenioRDM shape is explained in a warning, not silently ignored, and does not block the release (Zenodo reads it too)', async () => {
  const run = await runWith({
    '.zenodo.json': JSON.stringify({
      metadata: {
        title: 'x',
        resource_type: { id: 'software' },
        creators: [{ person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'J' } }]
      }
    })
  })
  expect(run.code).toBe(0)
  const warnings = run.stdout.split('\n').filter(l => l.startsWith('::warning'))
  expect(warnings.join('\n')).toMatch(/InvenioRDM.*legacy/i)
  expect(e2e.server.records()[0].metadata.title).toBe('octo-org/octo-repo: v1.0.0')
})

test('an invalid CITATION.cff fails before writing, naming the file', async () => {
  const run = await runWith({
    // A CFF without title publishes under the default title (as Zenodo does); an ORCID that
    // fails its checksum is refused, as Zenodo's publish refuses it.
    'CITATION.cff':
      'cff-version: 1.2.0\nmessage: hi\ntitle: T\nauthors:\n  - family-names: Doe\n    orcid: https://orcid.org/0000-0000-0000-0000\n'
  })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(/::error .*file=CITATION\.cff.*orcid/)
  expect(writes(e2e.server)).toEqual([])
})

test('more than 100 files, or two uploads with the same name, fail before writing', async () => {
  const many: Record<string, string> = {}
  for (let i = 0; i < 101; i++) many[`many/f${String(i)}.txt`] = String(i)
  const tooMany = await runWith(many, { files: 'many/*' })
  expect(tooMany.code).toBe(1)
  expect(tooMany.stdout).toMatch(/100/)
  const dup = await runWith({ 'x/same.txt': '1', 'y/same.txt': '2' }, { files: 'x/*\ny/*' })
  expect(dup.code).toBe(1)
  expect(dup.stdout).toMatch(/same\.txt/)
  expect(writes(e2e.server)).toEqual([])
})

test('no matching files fails by default and names the input', async () => {
  const run = await runWith({}, { files: 'nothing/*' })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(/files/)
  expect(writes(e2e.server)).toEqual([])
})

test('a bad token is refused with a hint and nothing is left behind', async () => {
  const run = await runWith({}, { token: 'wrong-token' })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(/Permission denied/)
  expect(run.stdout).toMatch(/deposit:write/)
  expect(e2e.server.depositions()).toEqual([])
  expect(secretLeaks(run, e2e.server.requests, ['wrong-token'])).toEqual([])
})

test('a zenodo-url over plain http to another host is refused before any request', async () => {
  const run = await runWith({}, { 'zenodo-url': 'http://zenodo.example.org' })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(/::error::Input 'zenodo-url'.*https/)
  expect(e2e.server.requests).toEqual([])
})

test('a file over Zenodo’s 50 GB limit fails before writing, naming the file', async () => {
  const workspace = await makeWorkspace({ 'dist/a.txt': 'a', 'dist/huge.bin': '' })
  // A sparse file: 51 GB long, no disk used.
  await truncate(join(workspace, 'dist/huge.bin'), 51e9)
  const run = await e2e.run({
    event: releaseEvent({ tag: 'v1.0.0' }),
    workspace,
    inputs: { files: 'dist/*' }
  })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(/::error .*huge\.bin.*50 GB/)
  expect(writes(e2e.server)).toEqual([])
})

test('if-no-files-found: warn goes on with a warning (here to a draft that keeps nothing new)', async () => {
  const run = await runWith(
    {},
    { files: 'nothing/*', 'if-no-files-found': 'warn', publish: 'false' }
  )
  expect(run.code).toBe(0)
  expect(run.stdout).toMatch(/::warning .*files.*nothing\/\*/)
  expect(run.outputs.state).toBe('draft')
})

test('the metadata and concept inputs are checked like files: input, field and fix, no writes', async () => {
  const notJson = await runWith({}, { metadata: '{"title": "x",}' })
  expect(notJson.code).toBe(1)
  expect(notJson.stdout).toMatch(
    /::error::.*the metadata input, line 1, column 15: JSON syntax: trailing comma before "}"\. Fix: /
  )

  const badField = await runWith({}, { metadata: JSON.stringify({ access_right: 'opne' }) })
  expect(badField.code).toBe(1)
  expect(badField.stdout).toMatch(/::error .*the metadata input.*access_right.*Fix: /)

  const badConcept = await runWith({}, { concept: 'not a DOI' })
  expect(badConcept.code).toBe(1)
  expect(badConcept.stdout).toMatch(/::error::.*concept/)
  expect(writes(e2e.server)).toEqual([])
})

test('a concept that is not on the server is named, with where to look, before any write', async () => {
  const run = await runWith({}, { concept: '10.5281/zenodo.424242' })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(
    /::error::Input 'concept': no published Zenodo record 424242 on http:\/\/127\.0\.0\.1:\d+\. .*sandbox/
  )
  expect(writes(e2e.server)).toEqual([])
})
