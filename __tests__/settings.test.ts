import { ValidationError, type Problem } from '../src/errors.js'
import { parseZenodoJson } from '../src/metadata/zenodo-json.js'
import { getSettings, isLoopbackHost } from '../src/settings.js'

const saved = { ...process.env }
function setInputs(inputs: Record<string, string>): void {
  const env = Object.fromEntries(Object.entries(saved).filter(([k]) => !k.startsWith('INPUT_')))
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  process.env = env
}
afterEach(() => {
  process.env = { ...saved }
})

test('reads every input into typed settings with the defaults of action.yml', () => {
  setInputs({
    token: 'tok',
    files: 'dist/*\n\n  build/*.whl  \n# comment',
    concurrency: '5',
    publish: 'false'
  })
  const s = getSettings()
  expect(s.token).toBe('tok')
  expect(s.zenodoUrl).toBe('https://zenodo.org')
  expect(s.apiUrl).toBe('https://zenodo.org/api')
  expect(s.files).toEqual(['dist/*', 'build/*.whl'])
  expect(s.concurrency).toBe(5)
  expect(s.publish).toBe(false)
  expect(s.manifest).toBe(true)
  expect(s.ifNoFilesFound).toBe('error')
  expect(s.metadataFile).toBe('.zenodo.json')
})

test('sandbox selects sandbox.zenodo.org and zenodo-url overrides it', () => {
  setInputs({ token: 't', sandbox: 'true' })
  expect(getSettings().zenodoUrl).toBe('https://sandbox.zenodo.org')
  setInputs({ token: 't', sandbox: 'true', 'zenodo-url': 'http://127.0.0.1:8080/api/' })
  expect(getSettings().zenodoUrl).toBe('http://127.0.0.1:8080')
})

test('refuses plain http to a host that is not loopback', () => {
  setInputs({ token: 't', 'zenodo-url': 'http://zenodo.example.org' })
  expect(() => getSettings()).toThrow(/zenodo-url.*https/)
})

test('names the missing token and the OAuth alternative', () => {
  setInputs({})
  expect(() => getSettings()).toThrow(/Input 'token' is required.*oauth-client-id/)
})

test('names the missing OAuth inputs when only some are given', () => {
  setInputs({ 'oauth-client-id': 'id', 'oauth-refresh-token': 'r' })
  expect(() => getSettings()).toThrow(/missing: oauth-client-secret/)
})

test('accepts the three OAuth inputs instead of a token', () => {
  setInputs({ 'oauth-client-id': 'id', 'oauth-client-secret': 's', 'oauth-refresh-token': 'r' })
  expect(getSettings().oauth).toEqual({ clientId: 'id', clientSecret: 's', refreshToken: 'r' })
})

test('rejects a metadata input that is not a JSON object, naming the input', () => {
  setInputs({ token: 't', metadata: '{"title": ' })
  expect(() => getSettings()).toThrow(
    /the metadata input, line 1, column 11: JSON syntax: the input ends where a value was expected\. Fix: /
  )
  setInputs({ token: 't', metadata: '["a"]' })
  expect(() => getSettings()).toThrow(/Input 'metadata' must be a JSON object/)
  setInputs({ token: 't', metadata: '{"keywords": ["x"]}' })
  expect(getSettings().metadata).toEqual({ keywords: ['x'] })
})

/** The problems getSettings throws (a ValidationError), or fails the test. */
function thrownProblems(): Problem[] {
  try {
    getSettings()
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError)
    return (e as ValidationError).problems
  }
  throw new Error('getSettings did not throw')
}

test('the metadata input gets the .zenodo.json parse: every syntax error at once, with line and column in the input', () => {
  const text = [
    '{',
    '  "keywords": ["a", "b",],',
    '  "title": "My tool"',
    '  "version": "1.0"',
    '}'
  ]
  setInputs({ token: 't', metadata: text.join('\n') })
  expect(
    thrownProblems().map(p => [p.severity, p.file, p.field, p.line, p.column, p.message])
  ).toEqual([
    ['error', 'the metadata input', 'JSON syntax', 2, 25, 'trailing comma before "]"'],
    [
      'error',
      'the metadata input',
      'JSON syntax',
      4,
      3,
      'missing comma between two entries of an object'
    ]
  ])
  // word for word what .zenodo.json gets for the same text
  const fromFile = parseZenodoJson(text.join('\n'), '.zenodo.json').problems
  expect(thrownProblems().map(p => [p.line, p.column, p.message, p.fix])).toEqual(
    fromFile.map(p => [p.line, p.column, p.message, p.fix])
  )
})

test('the metadata input refuses what .zenodo.json refuses: comments, single quotes, an unclosed string', () => {
  setInputs({ token: 't', metadata: '{\n  // the keywords\n  "keywords": ["x"]\n}' })
  expect(thrownProblems()[0]).toMatchObject({
    line: 2,
    column: 3,
    message: 'comments are not allowed in JSON'
  })
  setInputs({ token: 't', metadata: "{'title': 'x'}" })
  expect(thrownProblems()[0].message).toMatch(/double quotes/)
  setInputs({ token: 't', metadata: '{"title": "x}' })
  expect(thrownProblems()[0]).toMatchObject({ line: 1, message: 'this string is never closed' })
})

test('metadata input line numbers count from its first line, blank lines before the JSON included', () => {
  setInputs({ token: 't', metadata: '\n\n{"title": "x",}\n' })
  expect(thrownProblems()).toMatchObject([{ line: 3, column: 15 }])
  expect(() => getSettings()).toThrow(
    /1 problem found before anything was written to Zenodo:\n {2}- the metadata input, line 3, column 15: JSON syntax: trailing comma before "}"\. Fix: remove the comma/
  )
})

test('a key repeated in the metadata input is a warning with its line; the fields keep their positions', () => {
  setInputs({ token: 't', metadata: '{\n  "title": "a",\n  "title": "b",\n  "keywords": ["x"]\n}' })
  const s = getSettings()
  expect(s.metadata).toEqual({ title: 'b', keywords: ['x'] })
  expect(s.metadataWarnings).toMatchObject([
    { severity: 'warning', file: 'the metadata input', field: 'title', line: 3, column: 3 }
  ])
  expect(s.metadataPositions?.keywords).toEqual({ line: 4, column: 3 })
})

test('a syntax error in the metadata input names the repository it protects (api rdm)', () => {
  setInputs({ token: 't', 'zenodo-url': 'https://data.caltech.edu', metadata: '{"title": "x",}' })
  expect(() => getSettings()).toThrow(
    /before anything was written to the repository at data\.caltech\.edu/
  )
})

test('rejects bad booleans, if-no-files-found values and concurrency, naming the input', () => {
  setInputs({ token: 't', publish: 'maybe' })
  expect(() => getSettings()).toThrow(/Input 'publish' must be true or false/)
  setInputs({ token: 't', 'if-no-files-found': 'fail' })
  expect(() => getSettings()).toThrow(/if-no-files-found/)
  setInputs({ token: 't', concurrency: '0' })
  expect(() => getSettings()).toThrow(/concurrency/)
})

test('masks the token and the GitHub token', () => {
  setInputs({ token: 'secret-token-value', 'github-token': 'ghs_x' })
  const writes: string[] = []
  const orig = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk: string | Uint8Array) => {
    writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return true
  }
  try {
    getSettings()
  } finally {
    process.stdout.write = orig
  }
  expect(writes.join('')).toContain('::add-mask::secret-token-value')
  expect(writes.join('')).toContain('::add-mask::ghs_x')
})

test('recognises loopback hosts only', () => {
  expect(isLoopbackHost('127.0.0.1')).toBe(true)
  expect(isLoopbackHost('localhost')).toBe(true)
  expect(isLoopbackHost('[::1]')).toBe(true)
  expect(isLoopbackHost('10.0.0.1')).toBe(false)
  expect(isLoopbackHost('127.example.org')).toBe(false)
})

test('manifest: inside (default, or true) keeps it in the archive only; upload or beside uploads it too; false leaves it out', () => {
  const cases: [string, boolean, boolean][] = [
    ['', true, false],
    ['true', true, false],
    ['inside', true, false],
    ['upload', true, true],
    ['beside', true, true],
    ['false', false, false]
  ]
  for (const [value, manifest, manifestUpload] of cases) {
    setInputs({ token: 't', manifest: value })
    const s = getSettings()
    expect([value, s.manifest, s.manifestUpload]).toEqual([value, manifest, manifestUpload])
  }
  setInputs({ token: 't', manifest: 'outside' })
  expect(() => getSettings()).toThrow(/Input 'manifest' must be inside.*upload.*false/)
})

test('cite-in-archive is on by default; the write-back inputs are off by default', () => {
  setInputs({ token: 't' })
  const s = getSettings()
  expect([s.citeInArchive, s.updateCitationFile, s.updateReadmeBadge]).toEqual([true, false, false])
  setInputs({
    token: 't',
    'cite-in-archive': 'false',
    'update-citation-file': 'true',
    'update-readme-badge': 'true'
  })
  const t = getSettings()
  expect([t.citeInArchive, t.updateCitationFile, t.updateReadmeBadge]).toEqual([false, true, true])
})

test('api auto is legacy on zenodo.org and sandbox.zenodo.org, rdm on any other zenodo-url', () => {
  setInputs({ token: 't' })
  expect(getSettings().api).toBe('legacy')
  setInputs({ token: 't', sandbox: 'true', api: 'auto' })
  expect(getSettings().api).toBe('legacy')
  setInputs({ token: 't', 'zenodo-url': 'https://data.caltech.edu' })
  expect(getSettings().api).toBe('rdm')
  setInputs({ token: 't', 'zenodo-url': 'https://data.caltech.edu', api: 'legacy' })
  expect(getSettings().api).toBe('legacy')
  setInputs({ token: 't', api: 'rdm' })
  expect(getSettings().api).toBe('rdm')
  setInputs({ token: 't', api: 'native' })
  expect(() => getSettings()).toThrow(/Input 'api' must be auto, legacy or rdm, not "native"/)
})
