/** codemeta.json citing a DOI (citeInCodemeta): identifier set, formatting kept. */
import { bareDoi, citeInCodemeta } from '../src/cite/codemeta.js'

const DOI = '10.5281/zenodo.777'
const URL = `https://doi.org/${DOI}`

function rewrite(text: string): string {
  const r = citeInCodemeta(text, DOI)
  if (!r.ok) throw new Error(`refused: ${r.problem.message}`)
  return r.text
}

describe('citeInCodemeta', () => {
  test('adds identifier with the file’s own four-space indentation, other keys in order', () => {
    const text =
      '{\n    "@context": "https://w3id.org/codemeta/3.0",\n    "name": "tool",\n    "author": [\n        {"@type": "Person"}\n    ]\n}\n'
    expect(rewrite(text)).toBe(
      `{\n    "@context": "https://w3id.org/codemeta/3.0",\n    "name": "tool",\n    "author": [\n        {"@type": "Person"}\n    ],\n    "identifier": "${URL}"\n}\n`
    )
  })

  test.each([
    ['a bare DOI', '10.5281/zenodo.1'],
    ['a doi: DOI', 'doi:10.5281/zenodo.1'],
    ['a DOI URL', 'https://doi.org/10.5281/zenodo.1'],
    ['an empty string', '']
  ])('replaces %s in place, with tabs and CRLF kept', (_what, old) => {
    const text = `{\r\n\t"name": "tool",\r\n\t"identifier": ${JSON.stringify(old)},\r\n\t"version": "1"\r\n}`
    expect(rewrite(text)).toBe(
      `{\r\n\t"name": "tool",\r\n\t"identifier": "${URL}",\r\n\t"version": "1"\r\n}`
    )
  })

  test('appends the DOI URL to an identifier list, other elements untouched', () => {
    const text =
      '{\n  "identifier": [\n    "tool",\n    {"@type": "PropertyValue", "value": "x"}\n  ]\n}\n'
    const out = rewrite(text)
    expect(JSON.parse(out)).toEqual({
      identifier: ['tool', { '@type': 'PropertyValue', value: 'x' }, URL]
    })
    expect(out).toContain('    {"@type": "PropertyValue", "value": "x"}')
  })

  test('leaves a list that already holds the DOI in any form unchanged', () => {
    const text = `{"identifier": ["tool", "DOI:${DOI.toUpperCase()}"]}`
    expect(citeInCodemeta(text, DOI)).toEqual({ ok: true, text, changed: false })
  })

  test('keeps an identifier that is not a DOI, making it a list with the DOI URL', () => {
    expect(JSON.parse(rewrite('{\n  "identifier": "my-package"\n}\n'))).toEqual({
      identifier: ['my-package', URL]
    })
  })

  test('keeps a BOM and is idempotent', () => {
    const once = rewrite('\uFEFF{\n  "name": "tool"\n}\n')
    expect(once.startsWith('\uFEFF{')).toBe(true)
    expect(citeInCodemeta(once, DOI)).toEqual({ ok: true, text: once, changed: false })
  })

  test.each([
    ['broken JSON', '{"name": "tool",}', 1],
    ['an array', '[{"name": "tool"}]', undefined],
    ['an empty file', '', 1]
  ])('refuses %s with a problem instead of an exception', (_what, text, line) => {
    const r = citeInCodemeta(text, DOI, 'sub/codemeta.json')
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.problem.file).toBe('sub/codemeta.json')
      expect(r.problem.line).toBe(line)
    }
  })
})

describe('bareDoi', () => {
  test.each([
    ['10.5281/zenodo.1', '10.5281/zenodo.1'],
    ['doi: 10.5281/zenodo.1', '10.5281/zenodo.1'],
    ['http://dx.doi.org/10.1000/abc', '10.1000/abc'],
    ['https://zenodo.org/records/1', undefined],
    ['my-package', undefined]
  ])('%s -> %s', (input, expected) => {
    expect(bareDoi(input)).toBe(expected)
  })
})
