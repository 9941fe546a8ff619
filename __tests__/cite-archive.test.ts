/** The archived copies of CITATION.cff and codemeta.json carry the version DOI (citeArchivedFile). */
import { parse } from 'yaml'
import { citeArchivedFile, citedFileKind, MAX_CITED_BYTES } from '../src/cite/archive.js'

const CITE = { doi: '10.5281/zenodo.124', version: 'v1.3.0', dateReleased: '2026-11-29' }
const CFF = Buffer.from(
  'cff-version: 1.2.0\n# keep\ntitle: Tool\nversion: v1.2.0\ndoi: 10.5281/zenodo.120\n'
)

describe('citedFileKind', () => {
  test.each([
    ['CITATION.cff', 'citation-cff'],
    ['./CITATION.cff', 'citation-cff'],
    ['codemeta.json', 'codemeta'],
    ['docs/CITATION.cff', undefined],
    ['citation.cff', undefined],
    ['src/codemeta.json', undefined],
    ['README.md', undefined]
  ])('%s -> %s', (path, kind) => {
    expect(citedFileKind(path)).toBe(kind)
  })
})

describe('citeArchivedFile', () => {
  test('CITATION.cff gets the version DOI, version and date; the comment stays', () => {
    const r = citeArchivedFile('CITATION.cff', CFF, CITE)
    expect(r.changed).toBe(true)
    expect(r.problem).toBeUndefined()
    const text = r.content.toString('utf8')
    expect(parse(text)).toEqual({
      'cff-version': '1.2.0',
      title: 'Tool',
      version: 'v1.3.0',
      'date-released': '2026-11-29',
      doi: '10.5281/zenodo.124'
    })
    expect(text).toContain('# keep\n')
  })

  test('codemeta.json gets the DOI URL as identifier', () => {
    const r = citeArchivedFile('codemeta.json', Buffer.from('{\n  "name": "tool"\n}\n'), CITE)
    expect(JSON.parse(r.content.toString('utf8'))).toEqual({
      name: 'tool',
      identifier: 'https://doi.org/10.5281/zenodo.124'
    })
  })

  test('any other file comes back as the very same bytes', () => {
    const bytes = Buffer.from('doi: 10.5281/zenodo.1\n')
    const r = citeArchivedFile('docs/CITATION.cff', bytes, CITE)
    expect(r).toEqual({ content: bytes, changed: false })
    expect(r.content).toBe(bytes)
  })

  test.each([
    ['broken YAML', Buffer.from('cff-version: 1.2.0\ntitle: "open\n'), 'is not valid YAML'],
    [
      'Latin-1 bytes',
      Buffer.from('cff-version: 1.2.0\ntitle: Caf\xe9\n', 'latin1'),
      'is not UTF-8'
    ],
    ['a huge file', Buffer.alloc(MAX_CITED_BYTES + 1, 0x20), 'too large']
  ])(
    'a CITATION.cff with %s is archived unchanged, with a warning naming the file',
    (_what, bytes, message) => {
      const r = citeArchivedFile('CITATION.cff', bytes, CITE)
      expect(r.content).toBe(bytes)
      expect(r.changed).toBe(false)
      expect(r.problem).toMatchObject({ severity: 'warning', file: 'CITATION.cff' })
      expect(r.problem?.message).toContain(message)
      expect(r.problem?.message).toContain('does not carry the DOI')
    }
  )

  test('a file that already cites this DOI comes back unchanged', () => {
    const once = citeArchivedFile('CITATION.cff', CFF, CITE).content
    const twice = citeArchivedFile('CITATION.cff', once, CITE)
    expect(twice.changed).toBe(false)
    expect(twice.content).toBe(once)
  })
})
