/** buildMetadata: release defaults < metadata file < version input/tag < `metadata` input. */
import { formatProblem } from '../src/errors.js'
import { buildMetadata } from '../src/metadata/build.js'
import { readJson } from '../src/metadata/json-syntax.js'
import { readMetadataSource, type MetadataSource } from '../src/metadata/source.js'
import type { ZenodoMetadata } from '../src/metadata/types.js'
import { validateMetadata } from '../src/metadata/validate.js'
import { cleanup, tempWorkspace, typicalDefaults } from './helpers/metadata.js'

const TREE = 'https://github.com/octo-org/octo-repo/tree/v2.0.0'

function source(metadata: ZenodoMetadata, file = '.zenodo.json', hints = {}): MetadataSource {
  return {
    file,
    path: `/ws/${file}`,
    kind: file.endsWith('.cff') ? 'cff' : 'zenodo-json',
    metadata,
    hints
  }
}

test('without a file or inputs the result is the release defaults, all from release defaults', () => {
  const defaults = typicalDefaults()
  const built = buildMetadata({ defaults })
  expect(built.metadata).toEqual(defaults)
  expect(built.problems).toEqual([])
  expect(new Set(Object.values(built.origins))).toEqual(new Set(['release defaults']))
  expect(Object.keys(built.origins).sort()).toEqual(Object.keys(defaults).sort())
})

test('fields of the file replace the defaults whole (shallow), and name the file as origin', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ title: 'My title', creators: [{ name: 'Doe, Jane' }], keywords: ['x'] })
  })
  expect(built.metadata.title).toBe('My title')
  expect(built.metadata.creators).toEqual([{ name: 'Doe, Jane' }])
  expect(built.metadata.keywords).toEqual(['x'])
  expect(built.metadata.description).toBe(typicalDefaults().description)
  expect(built.origins).toMatchObject({
    title: '.zenodo.json',
    creators: '.zenodo.json',
    keywords: '.zenodo.json',
    description: 'release defaults'
  })
})

test("the file's related identifiers are added to the link to the release tree, never replacing it", () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({
      related_identifiers: [{ identifier: '10.1/paper', relation: 'isDocumentedBy' }]
    })
  })
  expect(built.metadata.related_identifiers?.map(r => r.identifier)).toEqual(['10.1/paper', TREE])
  expect(built.origins.related_identifiers).toBe('.zenodo.json')
  expect(built.origins['related_identifiers[1]']).toBe('release defaults')
})

test('a related identifier equal to the default link (relation in any case) is kept once', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({
      related_identifiers: [
        { identifier: TREE, relation: 'issupplementto' },
        { identifier: TREE, relation: 'isIdenticalTo' }
      ]
    })
  })
  expect(built.metadata.related_identifiers).toEqual([
    { identifier: TREE, relation: 'issupplementto' },
    { identifier: TREE, relation: 'isIdenticalTo' }
  ])
})

test('the metadata input adds related identifiers too, after the file and before the default', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ related_identifiers: [{ identifier: 'a', relation: 'cites' }] }),
    inputMetadata: { related_identifiers: [{ identifier: 'b', relation: 'cites' }] }
  })
  expect(built.metadata.related_identifiers?.map(r => r.identifier)).toEqual(['a', 'b', TREE])
  expect(built.origins['related_identifiers[1]']).toBe('the metadata input')
})

test('the version input (or tag) wins over the file, with a warning naming the file', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ version: '1.9.0' }),
    version: '2.0.0'
  })
  expect(built.metadata.version).toBe('2.0.0')
  expect(built.origins.version).toBe('the version input')
  expect(built.problems).toHaveLength(1)
  expect(built.problems[0]).toMatchObject({
    severity: 'warning',
    file: '.zenodo.json',
    field: 'version'
  })
  expect(built.problems[0].message).toContain('"1.9.0"')
  expect(built.problems[0].fix).toMatch(/remove "version" from \.zenodo\.json/)
})

test('no warning when the file gives the same version', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ version: '2.0.0' }),
    version: '2.0.0'
  })
  expect(built.problems).toEqual([])
})

test("without a version input or tag, the file's version is used, else the file's hint", () => {
  const fromFile = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ version: '1.0' })
  })
  expect(fromFile.metadata.version).toBe('1.0')
  expect(fromFile.origins.version).toBe('.zenodo.json')
  const fromHint = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ title: 'x' }, 'CITATION.cff', { version: '3.1' })
  })
  expect(fromHint.metadata.version).toBe('3.1')
  expect(fromHint.origins.version).toBe('CITATION.cff')
})

test('the version hint does not beat the version input', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({}, 'CITATION.cff', { version: '3.1' }),
    version: 'v4'
  })
  expect(built.metadata.version).toBe('v4')
})

test('the release date is used, else the date hint of the file, else the default date', () => {
  const withDate = buildMetadata({
    defaults: typicalDefaults(),
    source: source({}, 'CITATION.cff', { date: '2020-01-02' }),
    date: '2026-11-21'
  })
  expect(withDate.metadata.publication_date).toBe('2026-11-21')
  const withHint = buildMetadata({
    defaults: typicalDefaults(),
    source: source({}, 'CITATION.cff', { date: '2020-01-02' })
  })
  expect(withHint.metadata.publication_date).toBe('2020-01-02')
  expect(withHint.origins.publication_date).toBe('CITATION.cff')
  const neither = buildMetadata({ defaults: typicalDefaults(), source: source({}) })
  expect(neither.metadata.publication_date).toBe(typicalDefaults().publication_date)
})

test('a publication_date written in the file wins (as on Zenodo), with a warning when it differs', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ publication_date: '2019-05-01' }),
    date: '2026-11-20'
  })
  expect(built.metadata.publication_date).toBe('2019-05-01')
  expect(built.origins.publication_date).toBe('.zenodo.json')
  expect(built.problems[0]).toMatchObject({ severity: 'warning', field: 'publication_date' })
})

test('the metadata input wins over everything, version included', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ title: 'File title', license: 'MIT' }),
    version: 'v2.0.0',
    inputMetadata: { title: 'Input title', version: 'custom' }
  })
  expect(built.metadata.title).toBe('Input title')
  expect(built.metadata.version).toBe('custom')
  expect(built.metadata.license).toBe('MIT')
  expect(built.origins).toMatchObject({
    title: 'the metadata input',
    version: 'the metadata input',
    license: '.zenodo.json'
  })
})

test('an empty value in the file keeps the default, with a warning', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: source({ description: ' ', creators: [] })
  })
  expect(built.metadata.description).toBe(typicalDefaults().description)
  expect(built.metadata.creators).toEqual(typicalDefaults().creators)
  expect(built.problems.map(p => p.field).sort()).toEqual(['creators', 'description'])
})

test('an empty value with no default to replace is kept silently (and dropped when sent)', () => {
  const built = buildMetadata({ defaults: typicalDefaults(), source: source({ grants: [] }) })
  expect(built.metadata.grants).toEqual([])
  expect(built.problems).toEqual([])
})

test('the defaults passed in are not modified', () => {
  const defaults = typicalDefaults()
  const copy = structuredClone(defaults)
  buildMetadata({
    defaults,
    source: source({ title: 'x', related_identifiers: [{ identifier: 'a', relation: 'cites' }] })
  })
  expect(defaults).toEqual(copy)
})

test('related_identifiers that are not a list are an error and leave the default link in place', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    inputMetadata: { related_identifiers: { identifier: 'x' } as unknown as [] }
  })
  expect(built.problems).toEqual([
    expect.objectContaining({
      severity: 'error',
      file: 'the metadata input',
      field: 'related_identifiers'
    })
  ])
  expect(built.metadata.related_identifiers?.map(r => r.identifier)).toEqual([TREE])
})

test("the file's field positions are passed on under the file's name", () => {
  const positions = { title: { line: 2, column: 3 } }
  const built = buildMetadata({
    defaults: typicalDefaults(),
    source: { ...source({ title: 'x' }), positions }
  })
  expect(built.positions).toEqual({ '.zenodo.json': positions })
  expect(buildMetadata({ defaults: typicalDefaults() }).positions).toEqual({})
})

test('a stale version in CITATION.cff is a warning; a "v" prefix alone is not', () => {
  const stale = buildMetadata({
    defaults: typicalDefaults(),
    source: source({}, 'CITATION.cff', { version: '1.9.0' }),
    version: 'v2.0.0'
  })
  expect(stale.problems).toEqual([
    expect.objectContaining({ severity: 'warning', file: 'CITATION.cff', field: 'version' })
  ])
  const same = buildMetadata({
    defaults: typicalDefaults(),
    source: source({}, 'CITATION.cff', { version: '2.0.0' }),
    version: 'v2.0.0'
  })
  expect(same.problems).toEqual([])
})

test('the metadata input gets the .zenodo.json shape checks: unknown keys and wrong types', () => {
  const built = buildMetadata({
    defaults: typicalDefaults(),
    inputMetadata: { title: 'Input', licence: 'MIT', keywords: 'a, b' } as unknown as ZenodoMetadata
  })
  expect(built.problems.map(p => [p.severity, p.file, p.field])).toEqual([
    ['warning', 'the metadata input', 'licence'],
    ['error', 'the metadata input', 'keywords']
  ])
  expect(built.metadata.title).toBe('Input')
  expect(built.metadata).not.toHaveProperty('licence')
  expect(built.metadata).not.toHaveProperty('keywords')
})

test('problems in the metadata input name its line and column, as problems in a file do', () => {
  const text = '{\n  "licence": "MIT",\n  "access_right": "opne"\n}'
  const read = readJson(text, 'the metadata input', 'input')
  const built = buildMetadata({
    defaults: typicalDefaults(),
    inputMetadata: read.value as ZenodoMetadata,
    inputPositions: read.positions
  })
  const problems = [
    ...built.problems,
    ...validateMetadata(built.metadata, built.origins, built.positions)
  ].filter(p => p.file === 'the metadata input')
  expect(problems.map(p => [p.field, p.line, p.column])).toEqual([
    ['licence', 2, 3],
    ['access_right', 3, 3]
  ])
  expect(formatProblem(problems[1])).toMatch(
    /^the metadata input, line 3, column 3: access_right: .*"opne".*Fix: /
  )
})

describe('a metadata file that could not be read', () => {
  test('draws no warning it may contradict ("no license is given")', async () => {
    const workspace = await tempWorkspace({ '.zenodo.json': '{"title": "x,\n"license": "MIT"}' })
    try {
      const { source, problems } = await readMetadataSource(workspace, '.zenodo.json')
      expect(source).toMatchObject({ unreadable: true, metadata: {} })
      expect(problems.map(p => p.field)).toEqual(['JSON syntax'])
      const defaults = { ...typicalDefaults(), license: undefined }
      const built = buildMetadata({ defaults, source })
      const warnings = validateMetadata(built.metadata, built.origins, built.positions)
      expect(warnings.filter(p => p.field === 'license')).toEqual([])
      const without = buildMetadata({ defaults })
      expect(
        validateMetadata(without.metadata, without.origins).filter(p => p.field === 'license')
      ).toHaveLength(1)
    } finally {
      await cleanup(workspace)
    }
  })
})
