/** Reading .zenodo.json (parseZenodoJson) and finding the metadata file (readMetadataSource). */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { formatProblem, type Problem } from '../src/errors.js'
import { MAX_RENDERING, renderMetadataForLog } from '../src/metadata/log-render.js'
import { MAX_METADATA_FILE_BYTES, readMetadataSource } from '../src/metadata/source.js'
import { parseZenodoJson } from '../src/metadata/zenodo-json.js'
import { cleanup, tempWorkspace } from './helpers/metadata.js'

const FILE = '.zenodo.json'

function errors(problems: Problem[]): Problem[] {
  return problems.filter(p => p.severity === 'error')
}

function warnings(problems: Problem[]): Problem[] {
  return problems.filter(p => p.severity === 'warning')
}

describe('parseZenodoJson: valid files', () => {
  test('reads the legacy fields of a valid file unchanged, with no problems', () => {
    const value = {
      title: 'My tool',
      upload_type: 'software',
      creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }],
      keywords: ['a', 'b'],
      license: { id: 'MIT' }
    }
    const result = parseZenodoJson(JSON.stringify(value, null, 2), FILE)
    expect(result.problems).toEqual([])
    expect(result.metadata).toEqual(value)
  })

  test('tolerates a byte order mark and CRLF line endings', () => {
    const text = '\uFEFF{\r\n  "title": "My tool",\r\n  "keywords": ["x"]\r\n}\r\n'
    const result = parseZenodoJson(text, FILE)
    expect(result.problems).toEqual([])
    expect(result.metadata).toEqual({ title: 'My tool', keywords: ['x'] })
  })

  test('accepts an empty object', () => {
    expect(parseZenodoJson('{}', FILE)).toEqual({ metadata: {}, problems: [], positions: {} })
  })
})

test('gives the line and column of every field and list entry', () => {
  const text =
    '{\n  "title": "x",\n  "creators": [\n    {"name": "A"},\n    {"name": "B", "orcid": "1"}\n  ]\n}'
  const { positions } = parseZenodoJson(text, FILE)
  expect(positions).toEqual({
    title: { line: 2, column: 3 },
    creators: { line: 3, column: 3 },
    'creators[0]': { line: 4, column: 5 },
    'creators[0].name': { line: 4, column: 6 },
    'creators[1]': { line: 5, column: 5 },
    'creators[1].name': { line: 5, column: 6 },
    'creators[1].orcid': { line: 5, column: 19 }
  })
})

describe('parseZenodoJson: every problem in one run', () => {
  test('a trailing comma, a missing comma and a comment are all reported, and the fields read around them are checked', () => {
    const text = [
      '{',
      '  // our metadata',
      '  "title": "My tool",',
      '  "upload_typ": "software"',
      '  "license": "MIT",',
      '  "keywords": ["a", "b",],',
      '}'
    ].join('\n')
    const result = parseZenodoJson(text, FILE)
    const syntax = result.problems.filter(p => p.field === 'JSON syntax')
    expect(syntax.map(p => [p.line, p.message])).toEqual([
      [2, 'comments are not allowed in JSON'],
      [5, 'missing comma between two entries of an object'],
      [6, 'trailing comma before "]"'],
      [7, 'trailing comma before "}"']
    ])
    expect(result.problems.find(p => p.field === 'upload_typ')?.message).toMatch(
      /did you mean "upload_type"/
    )
    expect(result.metadata).toMatchObject({
      title: 'My tool',
      license: 'MIT',
      keywords: ['a', 'b']
    })
  })

  test('after an error the rest may be misread (an unclosed string), only the syntax is reported', () => {
    const result = parseZenodoJson('{\n  "title": "x,\n  "upload_type": "sofware"\n}', FILE)
    expect(result.metadata).toBeUndefined()
    expect(result.problems.map(p => p.field)).toEqual(['JSON syntax'])
  })
})

describe('parseZenodoJson: JSON syntax errors', () => {
  function syntaxError(text: string): Problem {
    const result = parseZenodoJson(text, FILE)
    const syntax = result.problems.filter(p => p.field === 'JSON syntax')
    expect(syntax).toHaveLength(1)
    const [problem] = syntax
    expect(problem.severity).toBe('error')
    expect(problem.file).toBe(FILE)
    expect(problem.fix).not.toBe('')
    return problem
  }

  test('a trailing comma is reported at the closing brace with line and column', () => {
    const problem = syntaxError('{\n  "title": "x",\n  "version": "1",\n}\n')
    expect(problem).toMatchObject({ line: 4, column: 1 })
    expect(problem.message).toMatch(/trailing comma/)
    expect(problem.fix).toMatch(/remove the comma/)
  })

  test('a missing comma between properties points at the next key', () => {
    const problem = syntaxError(
      '{\n  "title": "x",\n  "creators": [\n    {"name": "A"}\n  ]\n  "license": "MIT"\n}\n'
    )
    expect(problem).toMatchObject({ line: 6, column: 3 })
    expect(problem.message).toMatch(/missing comma/)
  })

  test('a missing comma between list elements is reported', () => {
    const problem = syntaxError('{"creators": [{"name": "A"}\n {"name": "B"}]}')
    expect(problem).toMatchObject({ line: 2, column: 2 })
    expect(problem.message).toMatch(/missing comma between two elements/)
  })

  test("a JavaScript-style \\' escape is explained", () => {
    const problem = syntaxError('{"title": "It\\\'s"}')
    expect(problem).toMatchObject({ line: 1, column: 14 })
    expect(problem.message).toMatch(/invalid escape \\'/)
    expect(problem.fix).toMatch(/without the backslash/)
  })

  test('a string left open at the end of a line is reported on that line', () => {
    const problem = syntaxError('{\n  "title": "unterminated,\n  "x": 1\n}')
    expect(problem.line).toBe(2)
    expect(problem.message).toMatch(/line break inside a string/)
  })

  test('a file without the opening brace says so', () => {
    const problem = syntaxError('\n"creators": []\n}')
    expect(problem.message).toMatch(/does not start with "\{"/)
    expect(problem.line).toBe(2)
  })

  test('columns count characters, not bytes, after non-ASCII text', () => {
    const problem = syntaxError('{"title": "Müller", }')
    expect(problem).toMatchObject({ line: 1, column: 21 })
  })

  test('an empty file, comments and single quotes are syntax errors with a fix', () => {
    expect(syntaxError('').message).toMatch(/empty/)
    expect(syntaxError('{\n // note\n "title": "x"}').message).toMatch(/comments/)
    expect(syntaxError("{'title': 'x'}").message).toMatch(/double quotes/)
  })

  test('a doubled quote before a key is named as such', () => {
    const problem = syntaxError('{\n  "title": "x",\n  ""description": "y"\n}')
    expect(problem).toMatchObject({ line: 3, column: 3 })
    expect(problem.message).toMatch(/doubled quote/)
  })

  test('a syntax error formats as file:line:column: field: message. Fix: ...', () => {
    const problem = syntaxError('{"a": 1,}')
    expect(formatProblem(problem)).toMatch(
      /^\.zenodo\.json:1:9: JSON syntax: trailing comma .*\. Fix: /
    )
  })
})

describe('parseZenodoJson: shape of the file', () => {
  test('a top-level list is an error', () => {
    const result = parseZenodoJson('[{"title": "x"}]', FILE)
    expect(result.metadata).toBeUndefined()
    expect(errors(result.problems)[0].message).toMatch(/a list/)
  })

  test('an InvenioRDM record is read as Zenodo reads it, with a warning that explains the legacy shape', () => {
    const rdm = {
      metadata: {
        title: 'x',
        resource_type: { id: 'software' },
        creators: [{ person_or_org: { type: 'personal', family_name: 'Doe' } }]
      }
    }
    const result = parseZenodoJson(JSON.stringify(rdm), FILE)
    // Zenodo drops what it does not know and publishes the release defaults: not a refusal
    expect(result.problems[0].severity).toBe('warning')
    expect(result.metadata?.title).toBeUndefined()
    expect(result.problems[0].message).toMatch(/InvenioRDM/)
    expect(result.problems[0].message).toMatch(/legacy/)
    expect(result.problems[0].fix).toMatch(/upload_type/)
    expect(result.problems[0].fix).toMatch(/"name"/)
  })

  test('creators with person_or_org at the top level are recognised as InvenioRDM too', () => {
    const result = parseZenodoJson(
      JSON.stringify({ title: 'x', creators: [{ person_or_org: { name: 'Doe, J' } }] }),
      FILE
    )
    expect(result.problems[0].field).toBe('creators[].person_or_org')
  })

  test('legacy fields wrapped in "metadata" are a warning asking to move them up (Zenodo ignores them)', () => {
    const result = parseZenodoJson(JSON.stringify({ metadata: { title: 'x' } }), FILE)
    expect(result.metadata?.title).toBeUndefined()
    expect(result.problems[0]).toMatchObject({ field: 'metadata', severity: 'warning' })
    expect(result.problems[0].fix).toMatch(/top level/)
  })

  test('a file in another format (mostly unknown keys) is a warning saying Zenodo ignores them', () => {
    const result = parseZenodoJson(
      JSON.stringify({
        id: 'x',
        creator: [],
        publisher: 'Zenodo',
        schemaVersion: '1',
        title: 'ab'
      }),
      FILE
    )
    expect(errors(result.problems)).toEqual([])
    expect(warnings(result.problems)[0].message).toMatch(/not Zenodo's legacy metadata format/)
    expect(result.metadata).toEqual({ title: 'ab' })
  })
})

describe('parseZenodoJson: unknown keys', () => {
  test('each unknown key is a warning naming its line, and is left out', () => {
    const result = parseZenodoJson(
      '{\n  "title": "x",\n  "_comment": "hi",\n  "homepage": "y"\n}',
      FILE
    )
    expect(warnings(result.problems).map(p => [p.field, p.line])).toEqual([
      ['_comment', 3],
      ['homepage', 4]
    ])
    expect(result.problems[0].message).toMatch(/silently drops/)
    expect(result.metadata).toEqual({ title: 'x' })
  })

  test.each([
    ['creator', 'creators'],
    ['keyword', 'keywords'],
    ['licence', 'license'],
    ['authors', 'creators'],
    ['titel', 'title'],
    ['related_identifier', 'related_identifiers']
  ])('"%s" gets "did you mean %s"', (key, suggestion) => {
    const result = parseZenodoJson(JSON.stringify({ [key]: 'x' }), FILE)
    expect(result.problems[0].message).toContain(`did you mean "${suggestion}"`)
    expect(result.problems[0].fix).toBe(`rename "${key}" to "${suggestion}"`)
  })

  test('alternate_identifiers is a field Zenodo reads: kept, no warning', () => {
    const result = parseZenodoJson(
      '{"alternate_identifiers": [{"identifier": "arXiv:2101.00001"}]}',
      FILE
    )
    expect(result.problems).toEqual([])
    expect(result.metadata?.alternate_identifiers).toEqual([{ identifier: 'arXiv:2101.00001' }])
  })

  test('subjects are dropped by Zenodo in any shape: a warning pointing to keywords, never an error', () => {
    for (const subjects of [
      '[{"term": "Astronomy"}]',
      '[{"term": "Astronomy", "identifier": "http://id.loc.gov/authorities/subjects/sh85009003"}]',
      '"Astronomy"'
    ]) {
      const result = parseZenodoJson(`{"title": "T", "subjects": ${subjects}}`, FILE)
      expect(errors(result.problems)).toEqual([])
      expect(result.problems).toEqual([
        expect.objectContaining({
          severity: 'warning',
          field: 'subjects',
          message: expect.stringMatching(
            /not read by Zenodo's deposit API.*silently drops it/
          ) as unknown,
          fix: expect.stringMatching(/"keywords"/) as unknown
        })
      ])
      expect(result.metadata).toEqual({ title: 'T' })
    }
  })

  test('unknown keys inside creators are one warning per key, with a suggestion', () => {
    const result = parseZenodoJson(
      JSON.stringify({
        creators: [
          { name: 'A', orchid: '0000-0002-1825-0097' },
          { name: 'B', orchid: '0000-0002-1825-0097', email: 'b@x' }
        ]
      }),
      FILE
    )
    const w = warnings(result.problems)
    expect(w.map(p => p.field)).toEqual(['creators[0].orchid', 'creators[1].email'])
    expect(w[0].message).toMatch(/found in 2 entries/)
    expect(w[0].message).toMatch(/did you mean "orcid"/)
  })

  test('a duplicate key is a warning that the earlier value is lost', () => {
    const result = parseZenodoJson(
      '{"related_identifiers": [{"identifier": "a", "relation": "cites",\n "identifier": "b"}]}',
      FILE
    )
    const [w] = warnings(result.problems)
    expect(w).toMatchObject({ field: 'related_identifiers[0].identifier', line: 2 })
    expect(w.message).toMatch(/only the last value/)
  })
})

describe('parseZenodoJson: type mistakes', () => {
  test('a numeric version is used as the text written in the file, with a warning', () => {
    const result = parseZenodoJson('{"version": 1.10}', FILE)
    expect(result.metadata?.version).toBe('1.10')
    expect(warnings(result.problems)[0]).toMatchObject({ field: 'version', line: 1 })
    expect(warnings(result.problems)[0].fix).toBe('write it in quotes: "version": "1.10"')
  })

  test('keywords given as one string are an error whose fix splits them', () => {
    const result = parseZenodoJson('{"title": "x", "keywords": "physics, optics"}', FILE)
    const [e] = errors(result.problems)
    expect(e.field).toBe('keywords')
    expect(e.fix).toBe('write "keywords": ["physics","optics"]')
    expect(result.metadata).toEqual({ title: 'x' })
  })

  test('creators given as strings are an error showing the object form', () => {
    const result = parseZenodoJson('{"creators": ["Jane Doe"]}', FILE)
    const [e] = errors(result.problems)
    expect(e.field).toBe('creators[0]')
    expect(e.fix).toContain('{"name": "Jane Doe"}')
    expect(result.metadata?.creators).toBeUndefined()
  })

  test('a single creator object instead of a list is an error', () => {
    const result = parseZenodoJson('{"creators": {"name": "Doe, J"}}', FILE)
    expect(errors(result.problems)[0].message).toMatch(/list of objects, not a single object/)
  })

  test('communities as strings get the {"identifier": ...} fix', () => {
    const result = parseZenodoJson('{"communities": ["zenodo"]}', FILE)
    expect(errors(result.problems)[0].fix).toContain('{"identifier": "zenodo"}')
  })

  test('a list of licenses is an error (Zenodo takes one)', () => {
    const result = parseZenodoJson('{"license": ["MIT", "Apache-2.0"]}', FILE)
    expect(errors(result.problems)[0].message).toMatch(/exactly one license/)
  })

  test('a description that is an object is dropped with a warning, as Zenodo drops it, not coerced', () => {
    const result = parseZenodoJson('{"description": {"en": "x"}}', FILE)
    expect(errors(result.problems)).toEqual([])
    expect(warnings(result.problems)[0]).toMatchObject({ field: 'description', line: 1 })
    expect(result.metadata?.description).toBeUndefined()
  })

  test('a title that is not text is an error: Zenodo drops it and publish then fails', () => {
    const result = parseZenodoJson('{"title": {"en": "x"}}', FILE)
    expect(errors(result.problems)[0]).toMatchObject({ field: 'title', line: 1 })
  })

  test('a null field is ignored with a warning', () => {
    const result = parseZenodoJson('{"title": "x", "doi": null}', FILE)
    expect(warnings(result.problems)[0].field).toBe('doi')
    expect(result.metadata).toEqual({ title: 'x' })
  })

  test('many creators given as strings make one error, not one per creator', () => {
    const result = parseZenodoJson(JSON.stringify({ creators: ['a', 'b', 'c', 'd', 'e'] }), FILE)
    expect(errors(result.problems)).toHaveLength(1)
    expect(errors(result.problems)[0].message).toMatch(/5 of the 5 entries/)
  })
})

describe('readMetadataSource', () => {
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(cleanup))
  })
  async function workspace(files: Record<string, string>): Promise<string> {
    const dir = await tempWorkspace(files)
    dirs.push(dir)
    return dir
  }

  test('.zenodo.json wins over CITATION.cff', async () => {
    const ws = await workspace({
      '.zenodo.json': '{"title": "From JSON"}',
      'CITATION.cff': 'cff-version: 1.2.0\ntitle: From CFF\n'
    })
    const result = await readMetadataSource(ws, '.zenodo.json')
    expect(result.problems).toEqual([])
    expect(result.source).toMatchObject({
      file: '.zenodo.json',
      kind: 'zenodo-json',
      path: join(ws, '.zenodo.json'),
      metadata: { title: 'From JSON' },
      hints: {}
    })
  })

  test('falls back to CITATION.cff when there is no .zenodo.json', async () => {
    const ws = await workspace({
      'CITATION.cff':
        'cff-version: 1.2.0\nmessage: Cite me\ntitle: From CFF\nauthors:\n  - family-names: Doe\n    given-names: Jane\n'
    })
    const result = await readMetadataSource(ws, '.zenodo.json')
    const named = result.source?.file ?? result.problems[0]?.file
    expect(named).toBe('CITATION.cff')
    if (result.source) expect(result.source.kind).toBe('cff')
  })

  test('no metadata file at all gives no source and no problem', async () => {
    const ws = await workspace({ 'README.md': 'x' })
    expect(await readMetadataSource(ws, '.zenodo.json')).toEqual({ problems: [] })
  })

  test('a metadata-file input naming a missing file is an error', async () => {
    const ws = await workspace({ 'CITATION.cff': 'title: x\n' })
    const result = await readMetadataSource(ws, 'meta/zenodo.json')
    expect(result.source).toBeUndefined()
    expect(errors(result.problems)).toHaveLength(1)
    expect(result.problems[0]).toMatchObject({ file: 'meta/zenodo.json', field: 'metadata-file' })
    expect(result.problems[0].fix).toMatch(/relative to the repository root/)
  })

  test('a metadata-file input in a subfolder is read as .zenodo.json under its own name', async () => {
    const ws = await workspace({ 'meta/zenodo.json': '{"title": "Sub"}' })
    const result = await readMetadataSource(ws, 'meta/zenodo.json')
    expect(result.source).toMatchObject({ file: 'meta/zenodo.json', metadata: { title: 'Sub' } })
  })

  test('a metadata-file input ending in .cff is read with the CITATION.cff reader', async () => {
    const ws = await workspace({ 'docs/cite.cff': 'cff-version: 1.2.0\ntitle: Docs\n' })
    const result = await readMetadataSource(ws, 'docs/cite.cff')
    const named = result.source?.file ?? result.problems[0]?.file
    expect(named).toBe('docs/cite.cff')
    if (result.source) expect(result.source.kind).toBe('cff')
  })

  test('problems of the file are returned with its name', async () => {
    const ws = await workspace({ '.zenodo.json': '{"title": "x",}' })
    const result = await readMetadataSource(ws, '.zenodo.json')
    expect(result.source?.metadata).toEqual({ title: 'x' })
    expect(result.problems[0]).toMatchObject({
      file: '.zenodo.json',
      line: 1,
      field: 'JSON syntax'
    })
  })

  test('a metadata-file input outside the repository is an error', async () => {
    const ws = await workspace({})
    const result = await readMetadataSource(ws, '../elsewhere/.zenodo.json')
    expect(result.problems[0]).toMatchObject({
      field: 'metadata-file',
      message: 'is outside the repository'
    })
  })

  test('a metadata-file input naming a directory is an error', async () => {
    const ws = await workspace({})
    await mkdir(join(ws, 'meta'))
    const result = await readMetadataSource(ws, 'meta')
    expect(result.problems[0].message).toMatch(/directory/)
  })
})

describe('the syntax checker agrees with JSON.parse', () => {
  function agrees(text: string): void {
    let parses = true
    try {
      JSON.parse(text.replace(/^\uFEFF/, ''))
    } catch {
      parses = false
    }
    const result = parseZenodoJson(text, FILE)
    const syntax = result.problems.filter(p => p.field === 'JSON syntax')
    expect([text, syntax.length > 0]).toEqual([text, !parses])
    for (const p of syntax) expect(p.line).toBeGreaterThan(0)
  }

  test('on every truncation of a realistic file', () => {
    const text = JSON.stringify(
      {
        title: 'Tab\there "quoted" \\ \u00e9',
        version: 1.5e3,
        creators: [{ name: 'Doe, Jane', orcid: '0000-0002-1825-0097' }, { name: 'X' }],
        keywords: [],
        empty: {},
        flags: [true, false, null, -0.5]
      },
      null,
      2
    )
    for (let cut = 0; cut <= text.length; cut++) agrees(text.slice(0, cut))
  })

  test.each([
    '{"a": 01}',
    '{"a": 1.}',
    '{"a": .5}',
    '{"a": +1}',
    '{"a": tru}',
    '{"a": "\\u12"}',
    '{"a": "\\x41"}',
    '{"a": NaN}',
    '{"a": [1,]}',
    '{"a": {"b": 1}} {}',
    ' \n\t{}\n ',
    '"just a string"',
    '{"a":"b"}\u0000'
  ])('on %j', text => {
    agrees(text)
  })
})

describe('bounded by design', () => {
  const dirs: string[] = []
  afterAll(async () => {
    await Promise.all(dirs.map(cleanup))
  })
  async function workspace(files: Record<string, string>): Promise<string> {
    const dir = await tempWorkspace(files)
    dirs.push(dir)
    return dir
  }

  test('a .zenodo.json or CITATION.cff larger than 1 MiB is refused before it is parsed, naming file, size and limit', async () => {
    const big = '{"title": "x", "description": "' + 'a'.repeat(MAX_METADATA_FILE_BYTES) + '"}'
    for (const name of ['.zenodo.json', 'CITATION.cff']) {
      const ws = await workspace({
        [name]: name.endsWith('.cff') ? `title: "${'a'.repeat(MAX_METADATA_FILE_BYTES)}"` : big
      })
      const result = await readMetadataSource(ws, name)
      expect(result.source).toBeUndefined()
      expect(result.problems).toEqual([
        expect.objectContaining({
          severity: 'error',
          file: name,
          message: expect.stringMatching(/is 1 MiB \(\d+ bytes\), larger than the 1 MiB/) as unknown
        })
      ])
    }
    const ws = await workspace({ '.zenodo.json': '{"title": "exactly within"}' })
    expect((await readMetadataSource(ws, '.zenodo.json')).source?.metadata.title).toBe(
      'exactly within'
    )
  })

  test('the debug rendering of metadata is bounded, whatever it holds', () => {
    const metadata = {
      title: 't',
      description: 'd'.repeat(5_000_000),
      keywords: Array.from({ length: 100_000 }, (_, i) => `k${String(i)}`),
      custom: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`c${String(i)}`, i]))
    }
    const text = renderMetadataForLog(metadata)
    expect(text.length).toBeLessThanOrEqual(MAX_RENDERING + 100)
    expect(text).toContain('"title":"t"')
    expect(text).toMatch(/5000000 characters/)
    expect(renderMetadataForLog({ title: 'short' })).toBe('{"title":"short"}')
  })
})
