/** CITATION.cff citing a DOI (citeInCff): values set, everything else kept byte for byte. */
import { Lexer, parse } from 'yaml'
import { citeInCff, type CffCitation } from '../src/cite/citation-cff.js'
import { corpusFiles } from './helpers/metadata.js'

const CITE: CffCitation = {
  doi: '10.5281/zenodo.999001',
  version: 'v9.9.9',
  dateReleased: '2026-11-29'
}
const SET_KEYS = ['doi', 'version', 'date-released']
const CFF_FILES = (await corpusFiles())
  .filter(f => f.dir.startsWith('cff'))
  .map(f => ({ name: `${f.dir}/${f.name}`, text: f.content.toString('utf8') }))

/** Every comment token in the text, in order (the yaml lexer's view, so `#` inside strings is no comment). */
function comments(text: string): string[] {
  return [...new Lexer().lex(text)].filter(t => t.startsWith('#'))
}

/** The lines that are not a top-level doi/version/date-released line. */
function otherLines(text: string): string[] {
  return text.split('\n').filter(l => !/^(doi|version|date-released):/.test(l))
}

function withoutSetKeys(value: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(([k]) => !SET_KEYS.includes(k))
  )
}

function rewrite(text: string, cite: CffCitation = CITE): string {
  const r = citeInCff(text, cite)
  if (!r.ok) throw new Error(`refused: ${r.problem.message}`)
  return r.text
}

describe('citeInCff on every corpus CITATION.cff', () => {
  const files = CFF_FILES
  const valid = files.filter(f => {
    try {
      const v: unknown = parse(f.text.replace(/^\uFEFF/, ''), { uniqueKeys: true })
      return typeof v === 'object' && v !== null && !Array.isArray(v) && 'cff-version' in v
    } catch {
      return false
    }
  })

  test('the corpus has valid files to rewrite', () => {
    expect(valid.length).toBeGreaterThanOrEqual(70)
  })

  test.each(valid.map(f => [f.name, f.text]))(
    '%s: new values set, other keys, comments and lines kept',
    (_name, text) => {
      const out = rewrite(text)
      const parsed = parse(out.replace(/^\uFEFF/, '')) as Record<string, unknown>
      expect(parsed.doi).toBe(CITE.doi)
      expect(parsed.version).toBe(CITE.version)
      expect(parsed['date-released']).toBe(CITE.dateReleased)
      expect(withoutSetKeys(parsed)).toEqual(withoutSetKeys(parse(text.replace(/^\uFEFF/, ''))))
      expect(comments(out)).toEqual(comments(text))
      expect(otherLines(out)).toEqual(otherLines(text))
      expect(out.startsWith('\uFEFF')).toBe(text.startsWith('\uFEFF'))
      expect(out.includes('\r\n')).toBe(text.includes('\r\n'))
    }
  )

  test.each(valid.map(f => [f.name, `\uFEFF${f.text.replace(/\r?\n/g, '\r\n')}`]))(
    '%s with a BOM and CRLF: both kept, lines added with CRLF',
    (_name, text) => {
      const out = rewrite(text)
      expect(out.startsWith('\uFEFF')).toBe(true)
      expect(out.replace(/\r\n/g, '')).not.toContain('\n')
      // Split on CRLF: a last line without an end of line gets one when keys are added after it.
      expect(otherLines(out.replace(/\r\n/g, '\n'))).toEqual(
        otherLines(text.replace(/\r\n/g, '\n'))
      )
      expect((parse(out.slice(1)) as Record<string, unknown>).doi).toBe(CITE.doi)
    }
  )

  test.each(files.filter(f => !valid.includes(f)).map(f => [f.name, f.text]))(
    '%s: not valid CFF YAML, refused with a problem instead of an exception',
    (_name, text) => {
      const r = citeInCff(text, CITE)
      if (r.ok) {
        // The yaml library accepts some files a strict reader refuses (duplicate keys are an error in both).
        expect(parse(r.text)).toBeTruthy()
        return
      }
      expect(r.problem.file).toBe('CITATION.cff')
      expect(r.problem.message.length).toBeGreaterThan(0)
      expect(r.problem.fix.length).toBeGreaterThan(0)
    }
  )

  test('running twice changes nothing the second time', () => {
    for (const f of valid) {
      const once = rewrite(f.text)
      const twice = citeInCff(once, CITE)
      expect(twice).toEqual({ ok: true, text: once, changed: false })
    }
  })
})

describe('citeInCff', () => {
  test('replaces an existing doi in place, keeping its quoting and trailing comment', () => {
    const text = [
      'cff-version: 1.2.0',
      'title: Tool',
      'version: "1.0.0" # the release',
      "date-released: '2020-01-01'",
      'doi: "10.5281/zenodo.1" # old',
      'authors:',
      '  - name: A',
      ''
    ].join('\n')
    expect(
      rewrite(text, { doi: '10.5281/zenodo.5', version: '2.0.0', dateReleased: '2026-02-03' })
    ).toBe(
      [
        'cff-version: 1.2.0',
        'title: Tool',
        'version: "2.0.0" # the release',
        "date-released: '2026-02-03'",
        'doi: "10.5281/zenodo.5" # old',
        'authors:',
        '  - name: A',
        ''
      ].join('\n')
    )
  })

  test('adds a missing doi right after version, and date-released between them', () => {
    const text = 'cff-version: 1.2.0\ntitle: Tool\nversion: 1.0.0\nauthors:\n  - name: A\n'
    expect(
      rewrite(text, { doi: '10.5281/zenodo.5', version: '1.1.0', dateReleased: '2026-02-03' })
    ).toBe(
      'cff-version: 1.2.0\ntitle: Tool\nversion: 1.1.0\ndate-released: 2026-02-03\ndoi: 10.5281/zenodo.5\nauthors:\n  - name: A\n'
    )
  })

  test('adds all three after the title when none is there, and after a multi-line block', () => {
    const text = 'cff-version: 1.2.0\ntitle: >-\n  A long\n  title\nauthors:\n  - name: A\n'
    expect(rewrite(text)).toBe(
      'cff-version: 1.2.0\ntitle: >-\n  A long\n  title\nversion: v9.9.9\ndate-released: 2026-11-29\ndoi: 10.5281/zenodo.999001\nauthors:\n  - name: A\n'
    )
  })

  test('adds the keys at the end when there is no title, also without a final newline', () => {
    expect(rewrite('cff-version: 1.2.0\nmessage: cite', { doi: '10.1/x' })).toBe(
      'cff-version: 1.2.0\nmessage: cite\ndoi: 10.1/x'
    )
  })

  test('fills an empty doi key', () => {
    expect(rewrite('cff-version: 1.2.0\ndoi:\ntitle: T\n', { doi: '10.1/x' })).toBe(
      'cff-version: 1.2.0\ndoi: 10.1/x\ntitle: T\n'
    )
  })

  test('a version that would read back as a number is quoted', () => {
    const out = rewrite('cff-version: 1.2.0\ntitle: T\nversion: 1.2\n', {
      doi: '10.1/x',
      version: '1.10'
    })
    expect(out).toContain('version: "1.10"\n')
    expect((parse(out) as { version: unknown }).version).toBe('1.10')
  })

  test('keeps a BOM and CRLF line endings, and adds lines with CRLF', () => {
    const text =
      '\uFEFFcff-version: 1.2.0\r\n# a comment\r\ntitle: T\r\nauthors:\r\n  - name: A\r\n'
    expect(rewrite(text, { doi: '10.1/x', version: '1' })).toBe(
      '\uFEFFcff-version: 1.2.0\r\n# a comment\r\ntitle: T\r\nversion: "1"\r\ndoi: 10.1/x\r\nauthors:\r\n  - name: A\r\n'
    )
  })

  test('an older Zenodo DOI in identifiers is left alone', () => {
    const text = [
      'cff-version: 1.2.0',
      'title: T',
      'doi: 10.5281/zenodo.100',
      'identifiers:',
      '  - type: doi',
      '    value: 10.5281/zenodo.100',
      '    description: The concept DOI',
      ''
    ].join('\n')
    const out = rewrite(text, { doi: '10.5281/zenodo.101' })
    expect(out).toContain('doi: 10.5281/zenodo.101\n')
    expect(out).toContain('    value: 10.5281/zenodo.100\n')
  })

  test('a doi written as a list falls back to the Document API, comments kept', () => {
    const text = 'cff-version: 1.2.0\n# keep me\ntitle: T\ndoi:\n  - 10.1/a\n'
    const out = rewrite(text, { doi: '10.1/b' })
    expect(parse(out)).toEqual({ 'cff-version': '1.2.0', title: 'T', doi: '10.1/b' })
    expect(out).toContain('# keep me')
  })

  test('a doi that shares an anchor is refused rather than changed through the alias', () => {
    const text =
      'cff-version: 1.2.0\ntitle: T\ndoi: &d 10.1/a\nidentifiers:\n  - type: doi\n    value: *d\n'
    const r = citeInCff(text, { doi: '10.1/b' })
    expect(r.ok).toBe(false)
  })

  test.each([
    ['a plain-text citation', 'Doe, J. (2020). Tool. Zenodo. https://doi.org/10.5281/zenodo.1'],
    ['a list', '- cff-version: 1.2.0\n'],
    ['an empty file', ''],
    ['broken YAML', 'cff-version: 1.2.0\ntitle: "unterminated\n'],
    ['duplicate keys', 'cff-version: 1.2.0\ntitle: A\ntitle: B\n']
  ])('refuses %s with a problem naming the file', (_what, text) => {
    const r = citeInCff(text, CITE, 'docs/CITATION.cff')
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.problem.file).toBe('docs/CITATION.cff')
      expect(r.problem.fix).not.toBe('')
    }
  })

  test('reports the line of a YAML error', () => {
    const r = citeInCff('cff-version: 1.2.0\ntitle: A\ntitle: B\n', CITE)
    expect(r.ok || r.problem.line).toBe(3)
  })
})
