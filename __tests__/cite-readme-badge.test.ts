/** The concept-DOI badge in README.md (putDoiBadge): replaced where it is, else below the first heading. */
import {
  badgeOrigin,
  markdownBadge,
  putDoiBadge,
  type BadgeOptions
} from '../src/cite/readme-badge.js'

const CONCEPT = '10.5281/zenodo.4000'
const OPTS: BadgeOptions = { conceptDoi: CONCEPT }
const BADGE = `[![DOI](https://zenodo.org/badge/DOI/${CONCEPT}.svg)](https://doi.org/${CONCEPT})`
const HTML_BADGE = `<a href="https://doi.org/${CONCEPT}"><img src="https://zenodo.org/badge/DOI/${CONCEPT}.svg" alt="DOI"></a>`

function put(text: string, opts: BadgeOptions = OPTS): string {
  return putDoiBadge(text, opts).text
}

describe('putDoiBadge: inserting', () => {
  test('goes on its own line below an ATX heading, separated by blank lines', () => {
    expect(put('# Tool\nSome text.\n')).toBe(`# Tool\n\n${BADGE}\n\nSome text.\n`)
    expect(put('# Tool\n\nSome text.\n')).toBe(`# Tool\n\n${BADGE}\n\nSome text.\n`)
  })

  test('goes below a setext heading (both underline lines)', () => {
    expect(put('Tool\n====\n\nText\n')).toBe(`Tool\n====\n\n${BADGE}\n\nText\n`)
  })

  test('goes below the first heading, not a later one, and not a # line in a code block', () => {
    const text = '```sh\n# not a heading\n```\n\n## Install\n\npip install tool\n\n## Use\n'
    expect(put(text)).toBe(
      `\`\`\`sh\n# not a heading\n\`\`\`\n\n## Install\n\n${BADGE}\n\npip install tool\n\n## Use\n`
    )
  })

  test('goes below an HTML heading block', () => {
    expect(put('<h1 align="center">Tool</h1>\n\nText\n')).toBe(
      `<h1 align="center">Tool</h1>\n\n${BADGE}\n\nText\n`
    )
  })

  test('goes at the top when there is no heading, after YAML front matter', () => {
    expect(put('Just text.\n')).toBe(`${BADGE}\n\nJust text.\n`)
    expect(put('---\ntitle: x\n---\nText\n')).toBe(`---\ntitle: x\n---\n${BADGE}\n\nText\n`)
    expect(put('')).toBe(`${BADGE}\n`)
  })

  test('a heading at the very end, with and without a final newline', () => {
    expect(put('# Tool\n')).toBe(`# Tool\n\n${BADGE}\n`)
    expect(put('# Tool')).toBe(`# Tool\n\n${BADGE}`)
  })

  test('keeps CRLF line endings', () => {
    expect(put('# Tool\r\nText\r\n')).toBe(`# Tool\r\n\r\n${BADGE}\r\n\r\nText\r\n`)
  })

  test('uses the sandbox or another instance as badge host', () => {
    expect(
      put('# T\n', { conceptDoi: '10.5072/zenodo.9', zenodoUrl: 'https://sandbox.zenodo.org/api' })
    ).toBe(
      '# T\n\n[![DOI](https://sandbox.zenodo.org/badge/DOI/10.5072/zenodo.9.svg)](https://doi.org/10.5072/zenodo.9)\n'
    )
    expect(badgeOrigin('https://rdm.example.org:5000/api')).toBe('https://rdm.example.org:5000')
    expect(markdownBadge('10.1/x', 'https://rdm.example.org')).toContain(
      'https://rdm.example.org/badge/DOI/10.1/x.svg'
    )
  })
})

describe('putDoiBadge: replacing', () => {
  test.each([
    [
      'DOI svg',
      '[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg)](https://doi.org/10.5281/zenodo.1)'
    ],
    [
      'doi lower-case png',
      '[![doi](https://zenodo.org/badge/doi/10.5281/zenodo.1.png)](https://zenodo.org/doi/10.5281/zenodo.1)'
    ],
    [
      'latestdoi',
      '[![DOI](https://zenodo.org/badge/latestdoi/123456)](https://zenodo.org/badge/latestdoi/123456)'
    ],
    [
      'repository id',
      '[![DOI](https://zenodo.org/badge/123456.svg)](https://zenodo.org/badge/latestdoi/123456)'
    ],
    [
      'sandbox',
      '[![DOI](https://sandbox.zenodo.org/badge/DOI/10.5072/zenodo.1.svg)](https://doi.org/10.5072/zenodo.1)'
    ],
    [
      'with a title',
      '[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg "DOI")](https://doi.org/10.5281/zenodo.1)'
    ],
    ['image without link', '![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg)']
  ])('a Markdown %s badge among other badges, in place', (_form, old) => {
    const ci =
      '[![CI](https://github.com/o/r/actions/workflows/ci.yml/badge.svg)](https://github.com/o/r/actions)'
    const text = `# Tool\n\n${ci} ${old}\n\nText\n`
    expect(putDoiBadge(text, OPTS)).toEqual({
      text: `# Tool\n\n${ci} ${BADGE}\n\nText\n`,
      changed: true,
      action: 'replaced'
    })
  })

  test.each([
    [
      'linked HTML',
      '<a href="https://doi.org/10.5281/zenodo.1"><img src="https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg" alt="DOI"></a>'
    ],
    ['bare HTML img', "<img alt='DOI' src='https://zenodo.org/badge/doi/10.5281/zenodo.1.svg'/>"]
  ])('a %s badge stays HTML (Markdown is not rendered in HTML blocks)', (_form, old) => {
    const text = `<p align="center">\n  ${old}\n</p>\n`
    expect(put(text)).toBe(`<p align="center">\n  ${HTML_BADGE}\n</p>\n`)
  })

  test.each([
    ['[![DOI][zenodo-badge]][zenodo-link]'],
    ['[![DOI][zenodo-badge]](https://doi.org/10.5281/zenodo.1)'],
    ['![DOI][zenodo-badge]']
  ])('a reference-style badge %s becomes an inline badge, its definitions kept', use => {
    const defs =
      '[zenodo-badge]: https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg\n[zenodo-link]: https://doi.org/10.5281/zenodo.1\n'
    expect(put(`# Tool\n\n${use}\n\nText\n\n${defs}`)).toBe(`# Tool\n\n${BADGE}\n\nText\n\n${defs}`)
  })

  test('a reference to a definition that is not a Zenodo badge is left alone', () => {
    const text =
      '# Tool\n\n[![CI][ci]][ci-link]\n\n[ci]: https://example.org/ci.svg\n[ci-link]: https://example.org\n'
    expect(putDoiBadge(text, OPTS).action).toBe('inserted')
  })

  test('a badge in a code block is an example and is left alone', () => {
    const example =
      '```md\n[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg)](https://doi.org/10.5281/zenodo.1)\n```\n'
    expect(put(`# Tool\n\n${example}`)).toBe(`# Tool\n\n${BADGE}\n\n${example}`)
  })

  test('replaces the badges of this concept and leaves a dataset’s badge alone', () => {
    const dataset =
      '[![Data](https://zenodo.org/badge/DOI/10.5281/zenodo.77.svg)](https://doi.org/10.5281/zenodo.77)'
    const version =
      '[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.4001.svg)](https://doi.org/10.5281/zenodo.4001)'
    const text = `# Tool\n\n${dataset}\n${version}\n`
    expect(put(text, { conceptDoi: CONCEPT, knownDois: ['10.5281/zenodo.4001'] })).toBe(
      `# Tool\n\n${dataset}\n${BADGE}\n`
    )
  })

  test('without knowing which badge is ours, replaces only the first', () => {
    const a = '![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg)'
    const b = '![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.2.svg)'
    expect(put(`${a}\n${b}\n`)).toBe(`${BADGE}\n${b}\n`)
  })

  test('a badge on another site is not a Zenodo badge', () => {
    const other =
      '[![DOI](https://example.org/badge/DOI/10.5281/zenodo.1.svg)](https://doi.org/10.5281/zenodo.1)'
    expect(put(`# T\n\n${other}\n`)).toBe(`# T\n\n${BADGE}\n\n${other}\n`)
  })
})

describe('putDoiBadge: idempotent', () => {
  test.each([
    ['no heading', 'Text\n'],
    ['ATX heading', '# T\nText'],
    ['setext heading', 'T\n===\n'],
    ['an old badge', '# T\n![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg)\n'],
    ['an HTML badge', '<div>\n<img src="https://zenodo.org/badge/123.svg">\n</div>\n'],
    ['CRLF', '# T\r\n\r\nText\r\n']
  ])('with %s, a second run changes nothing', (_what, text) => {
    const once = put(text)
    expect(once).not.toBe(text)
    expect(putDoiBadge(once, OPTS)).toEqual({ text: once, changed: false, action: 'replaced' })
  })
})
