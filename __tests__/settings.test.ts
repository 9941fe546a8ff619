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
  expect(() => getSettings()).toThrow(/Input 'metadata' is not valid JSON/)
  setInputs({ token: 't', metadata: '["a"]' })
  expect(() => getSettings()).toThrow(/Input 'metadata' must be a JSON object/)
  setInputs({ token: 't', metadata: '{"keywords": ["x"]}' })
  expect(getSettings().metadata).toEqual({ keywords: ['x'] })
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
