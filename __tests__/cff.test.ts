/** Reading CITATION.cff as Zenodo metadata (parseCitationCff), alone and through the pipeline. */
import { expect } from '@jest/globals'
import { formatProblem, type Problem } from '../src/errors.js'
import { buildMetadata } from '../src/metadata/build.js'
import { parseCitationCff } from '../src/metadata/cff.js'
import { readMetadataSource } from '../src/metadata/source.js'
import { validateMetadata } from '../src/metadata/validate.js'
import { cleanup, tempWorkspace, typicalDefaults } from './helpers/metadata.js'

const FILE = 'CITATION.cff'

function errors(problems: Problem[]): Problem[] {
  return problems.filter(p => p.severity === 'error')
}

function warnings(problems: Problem[]): Problem[] {
  return problems.filter(p => p.severity === 'warning')
}

/** A CFF file: the required keys, then the given lines. */
function cff(...lines: string[]): string {
  return [
    'cff-version: 1.2.0',
    'message: If you use this software, please cite it as below.',
    'title: My tool',
    ...lines
  ].join('\n')
}

const ONE_AUTHOR = ['authors:', '  - family-names: Doe', '    given-names: Jane']

function parse(...lines: string[]): ReturnType<typeof parseCitationCff> {
  return parseCitationCff(cff(...lines), FILE)
}

describe('a complete, valid file', () => {
  const text = [
    'cff-version: 1.2.0',
    'message: If you use this software, please cite it as below.',
    'title: "My tool: does things"',
    'type: software',
    'authors:',
    '  - family-names: Doe',
    '    given-names: Jane',
    '    affiliation: Example University',
    '    orcid: https://orcid.org/0000-0002-1825-0097',
    '  - name: Example Consortium',
    'abstract: A tool.',
    'keywords:',
    '  - research',
    '  - software',
    'license: MIT',
    'version: 1.2.0',
    'date-released: 2024-05-31',
    'doi: 10.5281/zenodo.1234',
    'repository-code: https://github.com/o/r',
    'commit: 1234abcd'
  ].join('\n')

  test('maps onto Zenodo metadata with no problems', () => {
    const result = parseCitationCff(text, FILE)
    expect(result.problems).toEqual([])
    expect(result.metadata).toEqual({
      title: 'My tool: does things',
      upload_type: 'software',
      creators: [
        {
          name: 'Doe, Jane',
          affiliation: 'Example University',
          orcid: '0000-0002-1825-0097'
        },
        { name: 'Example Consortium' }
      ],
      description: '<p>A tool.</p>',
      keywords: ['research', 'software'],
      license: 'MIT',
      related_identifiers: [
        { identifier: '10.5281/zenodo.1234', relation: 'isVersionOf', scheme: 'doi' },
        { identifier: 'https://github.com/o/r', relation: 'isSupplementTo', scheme: 'url' }
      ]
    })
    expect(result.hints).toEqual({ version: '1.2.0', date: '2024-05-31' })
  })

  test('gives the line and column of every key and list entry', () => {
    const { positions } = parseCitationCff(text, FILE)
    expect(positions).toMatchObject({
      title: { line: 3, column: 1 },
      authors: { line: 5, column: 1 },
      'authors[0]': { line: 6, column: 5 },
      'authors[0].orcid': { line: 9, column: 5 },
      'authors[1]': { line: 10, column: 5 },
      abstract: { line: 11, column: 1 },
      keywords: { line: 12, column: 1 },
      'keywords[1]': { line: 14, column: 5 },
      license: { line: 15, column: 1 },
      // Zenodo names whose CFF counterpart is named differently:
      upload_type: { line: 4, column: 1 },
      description: { line: 11, column: 1 },
      'related_identifiers[0]': { line: 18, column: 1 },
      'related_identifiers[1]': { line: 19, column: 1 }
    })
  })
})

describe('authors', () => {
  test('persons with particles and suffixes become "Particle Family, Given, Suffix"', () => {
    const { metadata, problems } = parse(
      'authors:',
      '  - family-names: Beethoven',
      '    name-particle: van',
      '    given-names: Ludwig',
      '    name-suffix: Jr.',
      '  - family-names: Doe',
      '  - given-names: Madonna',
      '  - alias: octocat'
    )
    expect(problems).toEqual([])
    expect(metadata?.creators?.map(c => c.name)).toEqual([
      'van Beethoven, Ludwig, Jr.',
      'Doe',
      'Madonna',
      'octocat'
    ])
  })

  test('an ORCID URL becomes the bare iD; a bare iD is kept', () => {
    const { metadata } = parse(
      'authors:',
      '  - family-names: A',
      '    orcid: https://orcid.org/0000-0002-1825-0097',
      '  - family-names: B',
      '    orcid: http://orcid.org/0000-0001-5109-3700/',
      '  - family-names: C',
      '    orcid: 0000-0002-1694-233X'
    )
    expect(metadata?.creators?.map(c => c.orcid)).toEqual([
      '0000-0002-1825-0097',
      '0000-0001-5109-3700',
      '0000-0002-1694-233X'
    ])
  })

  test('a malformed ORCID is kept (without the URL prefix) for validation to report', () => {
    const { metadata, problems } = parse(
      'authors:',
      '  - family-names: A',
      '    orcid: https://orcid.org/1234'
    )
    expect(problems).toEqual([])
    expect(metadata?.creators?.[0].orcid).toBe('1234')
  })

  test('entities keep their name as is, with their ORCID', () => {
    const { metadata } = parse(
      'authors:',
      '  - name: "The Astropy Collaboration"',
      '    orcid: https://orcid.org/0000-0002-1825-0097',
      '    website: https://astropy.org'
    )
    expect(metadata?.creators).toEqual([
      { name: 'The Astropy Collaboration', orcid: '0000-0002-1825-0097' }
    ])
  })

  test('an author with nothing usable is an error on that entry, with a fix and its line', () => {
    const { problems } = parse(
      'authors:',
      '  - family-names: Doe',
      '  - email: someone@example.org',
      '  - Jane Doe'
    )
    expect(errors(problems)).toEqual([
      expect.objectContaining({ field: 'authors[1]', line: 6, fix: expect.any(String) }),
      expect.objectContaining({ field: 'authors[2]', line: 7, fix: expect.any(String) })
    ])
    expect(errors(problems)[1].message).toContain('"Jane Doe"')
  })

  test('missing authors are a warning that the contributors become the creators, as Zenodo does', () => {
    const { problems } = parse()
    expect(errors(problems)).toEqual([])
    expect(problems.filter(p => p.field === 'authors')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: FILE,
        field: 'authors',
        fix: expect.stringContaining('family-names')
      })
    ])
  })

  test('an empty author list and authors that are not a list are errors', () => {
    expect(errors(parse('authors: []').problems)).toEqual([
      expect.objectContaining({
        field: 'authors',
        line: 4,
        message: expect.stringMatching(/empty/)
      })
    ])
    expect(errors(parse('authors: Jane Doe').problems)).toEqual([
      expect.objectContaining({ field: 'authors', message: expect.stringMatching(/list/) })
    ])
  })

  test('contacts become ContactPerson contributors; unusable contacts are warned about', () => {
    const { metadata, problems, positions } = parse(
      ...ONE_AUTHOR,
      'contact:',
      '  - family-names: Roe',
      '    given-names: Rick',
      '    email: rick@example.org',
      '  - team@example.org'
    )
    expect(metadata?.contributors).toEqual([{ name: 'Roe, Rick', type: 'ContactPerson' }])
    expect(warnings(problems)).toEqual([expect.objectContaining({ field: 'contact[1]' })])
    expect(positions?.['contributors[0]']).toEqual({ line: 8, column: 5 })
  })
})

describe('title, abstract, keywords and type', () => {
  test('a missing title is a warning that the release default title is used, as Zenodo does', () => {
    const { metadata, problems } = parseCitationCff(
      ['cff-version: 1.2.0', ...ONE_AUTHOR].join('\n'),
      FILE
    )
    expect(errors(problems)).toEqual([])
    expect(metadata?.title).toBeUndefined()
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        field: 'title',
        message: expect.stringMatching(/default title/) as unknown,
        fix: expect.stringContaining('title:') as unknown
      })
    ])
  })

  test('a license given as the URL of an SPDX or OSI page is mapped to its id, with a warning', () => {
    for (const url of [
      'https://spdx.org/licenses/Apache-2.0.html',
      'https://opensource.org/licenses/MIT',
      'https://opensource.org/license/bsd-3-clause/'
    ]) {
      const { metadata, problems } = parseCitationCff(
        ['cff-version: 1.2.0', 'title: T', ...ONE_AUTHOR, `license: ${url}`].join('\n'),
        FILE
      )
      expect(errors(problems)).toEqual([])
      expect(metadata?.license).toMatch(/^(Apache-2.0|MIT|bsd-3-clause)$/)
      expect(problems.find(p => p.field === 'license')?.severity).toBe('warning')
    }
    const viaUrl = parseCitationCff(
      [
        'cff-version: 1.2.0',
        'title: T',
        ...ONE_AUTHOR,
        'license-url: https://spdx.org/licenses/MIT.html'
      ].join('\n'),
      FILE
    )
    expect(viaUrl.metadata?.license).toBe('MIT')
  })

  test('a missing title and authors that only preferred-citation has say so in the fix', () => {
    const { problems } = parseCitationCff(
      [
        'cff-version: 1.2.0',
        'preferred-citation:',
        '  type: article',
        '  title: The paper',
        '  authors:',
        '    - family-names: Doe'
      ].join('\n'),
      FILE
    )
    expect(errors(problems)).toEqual([])
    for (const field of ['title', 'authors']) {
      expect(problems.find(p => p.field === field)?.fix).toContain('preferred-citation')
    }
  })

  test('a title that is not text is an error', () => {
    const { problems } = parseCitationCff(
      ['cff-version: 1.2.0', 'title: [a, b]', ...ONE_AUTHOR].join('\n'),
      FILE
    )
    expect(errors(problems)).toEqual([
      expect.objectContaining({ field: 'title', line: 2, message: expect.stringMatching(/text/) })
    ])
  })

  test('an abstract that is not text is left out with a warning, never a refusal', () => {
    const result = parse('abstract:', '  - a', '  - b')
    expect(result.problems.filter(p => p.severity === 'error')).toEqual([])
    expect(result.problems.find(p => p.field === 'abstract')?.severity).toBe('warning')
    expect(result.metadata?.description).toBeUndefined()
  })

  test('abstract paragraphs are separated', () => {
    const { metadata } = parse(
      ...ONE_AUTHOR,
      'abstract: |',
      '  First paragraph',
      '  continues here.',
      '',
      '  Second <paragraph> & more.'
    )
    expect(metadata?.description).toBe(
      '<p>First paragraph<br>continues here.</p><p>Second &lt;paragraph&gt; &amp; more.</p>'
    )
  })

  test('keywords that are not a list of strings are errors naming the field path', () => {
    expect(errors(parse(...ONE_AUTHOR, 'keywords: a, b').problems)).toEqual([
      expect.objectContaining({ field: 'keywords', fix: expect.stringContaining('[a, b]') })
    ])
    const listed = parse(...ONE_AUTHOR, 'keywords:', '  - good', '  - {bad: 1}')
    expect(errors(listed.problems)).toEqual([
      expect.objectContaining({ field: 'keywords[1]', line: 9 })
    ])
  })

  test('type dataset gives upload_type dataset; anything else software', () => {
    expect(parse(...ONE_AUTHOR, 'type: dataset').metadata?.upload_type).toBe('dataset')
    expect(parse(...ONE_AUTHOR).metadata?.upload_type).toBe('software')
    const odd = parse(...ONE_AUTHOR, 'type: article')
    expect(odd.metadata?.upload_type).toBe('software')
    expect(warnings(odd.problems)).toEqual([expect.objectContaining({ field: 'type' })])
  })
})

describe('license', () => {
  test('a license list gives the first license and a warning naming the others', () => {
    const { metadata, problems } = parse(...ONE_AUTHOR, 'license:', '  - MIT', '  - Apache-2.0')
    expect(metadata?.license).toBe('MIT')
    expect(warnings(problems)).toEqual([
      expect.objectContaining({
        field: 'license',
        line: 7,
        message: expect.stringMatching(/one license; using MIT; the others .*Apache-2\.0/)
      })
    ])
  })

  test('an empty license list gives no license, with a warning (nothing in Zenodo refuses it)', () => {
    const { metadata, problems } = parse(...ONE_AUTHOR, 'license: []')
    expect(metadata).toBeDefined()
    expect(metadata?.license).toBeUndefined()
    expect(problems.filter(p => p.severity === 'error')).toEqual([])
    expect(problems.find(p => p.field === 'license')).toMatchObject({
      severity: 'warning',
      message: expect.stringMatching(/empty list.*Zenodo's default/) as unknown
    })
  })

  test('a license list with no id in it is an error', () => {
    const { problems } = parse(...ONE_AUTHOR, 'license:', '  - {id: MIT}')
    expect(problems.find(p => p.field === 'license')?.severity).toBe('error')
  })

  test('a license is passed on as written (validation checks it later)', () => {
    expect(parse(...ONE_AUTHOR, 'license: GPL-3.0+').metadata?.license).toBe('GPL-3.0+')
  })

  test('license-url alone cannot be mapped and is warned about', () => {
    const { metadata, problems } = parse(...ONE_AUTHOR, 'license-url: https://example.org/license')
    expect(metadata?.license).toBeUndefined()
    expect(warnings(problems)).toEqual([
      expect.objectContaining({ field: 'license-url', fix: expect.stringMatching(/SPDX/) })
    ])
  })

  test('license-url next to a license is ignored silently', () => {
    const { problems } = parse(...ONE_AUTHOR, 'license: MIT', 'license-url: https://x.org/mit')
    expect(problems).toEqual([])
  })
})

describe('version and date-released are hints', () => {
  test('date-released becomes hints.date, quoted or not', () => {
    expect(parse(...ONE_AUTHOR, 'date-released: 2021-09-22').hints.date).toBe('2021-09-22')
    expect(parse(...ONE_AUTHOR, "date-released: '2021-09-22'").hints.date).toBe('2021-09-22')
  })

  test('an impossible date-released is warned about and not used', () => {
    const { hints, problems } = parse(...ONE_AUTHOR, 'date-released: 2024-29-11')
    expect(hints.date).toBeUndefined()
    expect(warnings(problems)).toEqual([
      expect.objectContaining({ field: 'date-released', line: 7, fix: expect.any(String) })
    ])
  })

  test('a version written as a number becomes a string hint, as written', () => {
    expect(parse(...ONE_AUTHOR, 'version: 2').hints.version).toBe('2')
    expect(parse(...ONE_AUTHOR, 'version: 1.10').hints.version).toBe('1.10')
    expect(parse(...ONE_AUTHOR, 'version: "v1.2.3"').hints.version).toBe('v1.2.3')
  })

  test('a date-released with a time gives its date', () => {
    expect(parse(...ONE_AUTHOR, 'date-released: 2020-01-01T10:00:00Z').hints.date).toBe(
      '2020-01-01'
    )
  })

  test('neither becomes a metadata field of its own', () => {
    const { metadata } = parse(...ONE_AUTHOR, 'version: 1.0', 'date-released: 2021-09-22')
    expect(metadata?.version).toBeUndefined()
    expect(metadata?.publication_date).toBeUndefined()
  })
})

describe('related identifiers', () => {
  test('doi becomes an isVersionOf related identifier, never metadata.doi', () => {
    const { metadata } = parse(...ONE_AUTHOR, 'doi: 10.5281/zenodo.1234')
    expect(metadata?.doi).toBeUndefined()
    expect(metadata?.related_identifiers).toEqual([
      { identifier: '10.5281/zenodo.1234', relation: 'isVersionOf', scheme: 'doi' }
    ])
  })

  test('a doi written as a URL is given as the bare DOI', () => {
    const { metadata } = parse(...ONE_AUTHOR, 'doi: https://doi.org/10.5281/zenodo.1234')
    expect(metadata?.related_identifiers?.[0].identifier).toBe('10.5281/zenodo.1234')
  })

  test('identifiers: doi, url and detected "other" ids are linked, swh is skipped with a warning', () => {
    const { metadata, problems } = parse(
      ...ONE_AUTHOR,
      'doi: 10.5281/zenodo.1',
      'identifiers:',
      '  - type: doi',
      '    value: 10.5281/zenodo.1',
      '  - type: doi',
      '    value: 10.5281/zenodo.2',
      '  - type: url',
      '    value: https://example.org/release',
      '  - type: swh',
      '    value: swh:1:dir:bc286860f423ea7ced246ba7458eef4b4541cf2d',
      '  - type: other',
      '    value: urn:issn:2475-9066'
    )
    expect(metadata?.related_identifiers).toEqual([
      { identifier: '10.5281/zenodo.1', relation: 'isVersionOf', scheme: 'doi' },
      { identifier: '10.5281/zenodo.2', relation: 'isVersionOf', scheme: 'doi' },
      { identifier: 'https://example.org/release', relation: 'isSupplementTo', scheme: 'url' },
      { identifier: 'urn:issn:2475-9066', relation: 'isIdenticalTo', scheme: 'urn' }
    ])
    expect(warnings(problems)).toEqual([
      expect.objectContaining({ field: 'identifiers[3]', line: 15 })
    ])
  })

  test('a placeholder doi such as pending-zenodo-upload is skipped with a warning, never sent', () => {
    const { metadata, problems } = parse(
      ...ONE_AUTHOR,
      'doi: pending-zenodo-upload',
      'identifiers:',
      '  - type: other',
      '    value: arXiv:2101.00001',
      '  - type: other',
      '    value: TBD'
    )
    expect(errors(problems)).toEqual([])
    expect(metadata?.related_identifiers).toEqual([
      { identifier: 'arXiv:2101.00001', relation: 'isIdenticalTo', scheme: 'arxiv' }
    ])
    expect(warnings(problems).map(p => p.field)).toEqual(['doi', 'identifiers[1]'])
  })

  test('repository-code, repository and repository-artifact are supplements; url documents', () => {
    const { metadata } = parse(
      ...ONE_AUTHOR,
      'repository-code: https://github.com/o/r',
      'repository: https://svn.example.org/r',
      'repository-artifact: https://pypi.org/project/r',
      'url: https://r.readthedocs.io'
    )
    expect(metadata?.related_identifiers).toEqual([
      { identifier: 'https://github.com/o/r', relation: 'isSupplementTo', scheme: 'url' },
      { identifier: 'https://svn.example.org/r', relation: 'isSupplementTo', scheme: 'url' },
      { identifier: 'https://pypi.org/project/r', relation: 'isSupplementTo', scheme: 'url' },
      { identifier: 'https://r.readthedocs.io', relation: 'isDocumentedBy', scheme: 'url' }
    ])
  })

  test('a url equal to repository-code is listed once', () => {
    const { metadata } = parse(
      ...ONE_AUTHOR,
      'repository-code: https://github.com/o/r',
      'url: https://github.com/o/r'
    )
    expect(metadata?.related_identifiers).toHaveLength(1)
  })

  test('references are cited and preferred-citation is supplemented, by DOI or URL', () => {
    const { metadata, problems } = parse(
      ...ONE_AUTHOR,
      'doi: 10.5281/zenodo.1',
      'preferred-citation:',
      '  type: article',
      '  title: The paper',
      '  authors: [{family-names: Doe}]',
      '  doi: 10.21105/joss.00001',
      'references:',
      '  - type: software',
      '    title: A dependency',
      '    authors: [{name: Other}]',
      '    doi: 10.5281/zenodo.999',
      '  - type: website',
      '    title: A page',
      '    authors: [{name: Other}]',
      '    url: https://example.org/page',
      '  - type: book',
      '    title: No identifier',
      '    authors: [{name: Other}]',
      '  - type: software',
      '    title: This software itself',
      '    authors: [{name: Other}]',
      '    doi: 10.5281/zenodo.1'
    )
    expect(problems).toEqual([])
    expect(metadata?.related_identifiers).toEqual([
      { identifier: '10.5281/zenodo.1', relation: 'isVersionOf', scheme: 'doi' },
      {
        identifier: '10.21105/joss.00001',
        relation: 'isSupplementTo',
        scheme: 'doi',
        resource_type: 'publication-article'
      },
      {
        identifier: '10.5281/zenodo.999',
        relation: 'cites',
        scheme: 'doi',
        resource_type: 'software'
      },
      { identifier: 'https://example.org/page', relation: 'cites', scheme: 'url' }
    ])
  })

  test('duplicates (same identifier and relation) are listed once', () => {
    const { metadata } = parse(
      ...ONE_AUTHOR,
      'references:',
      '  - {type: article, title: A, authors: [{name: X}], doi: 10.1/a}',
      '  - {type: article, title: A, authors: [{name: X}], doi: 10.1/A}'
    )
    expect(metadata?.related_identifiers).toHaveLength(1)
  })
})

describe('keys', () => {
  test('CFF keys Zenodo has no place for are ignored without a warning', () => {
    const { problems } = parse(...ONE_AUTHOR, 'commit: 1234abcd')
    expect(problems).toEqual([])
  })

  test('a key CFF does not define is warned about, with its line and a suggestion', () => {
    const { problems } = parse(...ONE_AUTHOR, 'prefered-citation:', '  title: X', 'notes: hi')
    expect(warnings(problems)).toEqual([
      expect.objectContaining({
        field: 'prefered-citation',
        line: 7,
        message: expect.stringContaining('did you mean "preferred-citation"')
      }),
      expect.objectContaining({ field: 'notes', line: 9 })
    ])
  })

  test('a key given twice is warned about; the last value is used', () => {
    const { metadata, problems } = parse(...ONE_AUTHOR, 'license: MIT', 'license: Apache-2.0')
    expect(metadata?.license).toBe('Apache-2.0')
    expect(warnings(problems)).toEqual([
      expect.objectContaining({
        field: 'license',
        line: 8,
        message: expect.stringMatching(/more than once/)
      })
    ])
  })

  test('references and preferred-citation of the wrong shape are warned about', () => {
    const { problems } = parse(...ONE_AUTHOR, 'references: 3', 'preferred-citation: a paper')
    expect(warnings(problems)).toEqual([
      expect.objectContaining({ field: 'preferred-citation', line: 8 }),
      expect.objectContaining({ field: 'references', line: 7 })
    ])
  })

  test('a missing cff-version is warned about', () => {
    const { problems } = parseCitationCff(['title: My tool', ...ONE_AUTHOR].join('\n'), FILE)
    expect(problems).toEqual([
      expect.objectContaining({ severity: 'warning', field: 'cff-version' })
    ])
  })
})

describe('files that are not CFF', () => {
  test('bad YAML gives one error with line, column and a fix', () => {
    const { metadata, problems } = parseCitationCff(
      ['cff-version: 1.2.0', 'title: QSIPrep: a tool', ...ONE_AUTHOR].join('\n'),
      FILE
    )
    expect(metadata).toBeUndefined()
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: FILE,
        field: 'YAML syntax',
        line: 2,
        column: expect.any(Number),
        fix: expect.stringMatching(/line 2.*quotes/)
      })
    ])
  })

  test('tab indentation is explained in plain words', () => {
    const { problems } = parseCitationCff(
      ['cff-version: 1.2.0', 'title: T', 'authors:', '\t- name: X'].join('\n'),
      FILE
    )
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'YAML syntax',
        line: 4,
        message: expect.stringMatching(/tab/)
      })
    ])
  })

  test('an unclosed quote is explained in plain words', () => {
    const { problems } = parseCitationCff('cff-version: 1.2.0\ntitle: "My tool\n', FILE)
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'YAML syntax',
        line: 3,
        message: expect.stringMatching(/closing quote is missing/),
        fix: expect.stringMatching(/before line 3 is never closed/)
      })
    ])
  })

  test('an empty file is an error on "(file)"', () => {
    for (const text of ['', '\n\n', '# only a comment\n']) {
      const { metadata, problems } = parseCitationCff(text, FILE)
      expect(metadata).toBeUndefined()
      expect(problems).toEqual([
        expect.objectContaining({
          severity: 'error',
          field: '(file)',
          message: 'the file is empty'
        })
      ])
    }
  })

  test('a file that is not a mapping, or has no CFF key, is an error on "(file)"', () => {
    for (const text of [
      'Doe, J. (2025). My tool. Zenodo. https://doi.org/10.5281/zenodo.1',
      '- a\n- b',
      'Doe, J. (2025). One: two'
    ]) {
      const { metadata, problems } = parseCitationCff(text, FILE)
      expect(metadata).toBeUndefined()
      expect(problems).toEqual([
        expect.objectContaining({ severity: 'error', field: '(file)', fix: expect.any(String) })
      ])
    }
  })

  test('a byte order mark and CRLF line endings are accepted', () => {
    const { metadata, problems } = parseCitationCff(
      '\uFEFF' + cff(...ONE_AUTHOR).replace(/\n/g, '\r\n'),
      FILE
    )
    expect(problems).toEqual([])
    expect(metadata?.title).toBe('My tool')
  })
})

describe('through readMetadataSource, buildMetadata and validateMetadata', () => {
  async function pipeline(text: string): Promise<Problem[]> {
    const workspace = await tempWorkspace({ [FILE]: text })
    try {
      const { source, problems } = await readMetadataSource(workspace)
      expect(source?.kind).toBe('cff')
      const built = buildMetadata({ defaults: typicalDefaults(), source, version: 'v2.0.0' })
      return [
        ...problems,
        ...built.problems,
        ...validateMetadata(built.metadata, built.origins, built.positions)
      ]
    } finally {
      await cleanup(workspace)
    }
  }

  test('an ORCID error in CITATION.cff is reported as authors[1].orcid with its line', async () => {
    const problems = await pipeline(
      cff(
        'authors:',
        '  - family-names: Doe',
        '    given-names: Jane',
        '    orcid: https://orcid.org/0000-0002-1825-0097',
        '  - family-names: Roe',
        '    given-names: Rick',
        '    orcid: https://orcid.org/0000-0002-1825-0098',
        'license: MIT'
      )
    )
    expect(errors(problems)).toEqual([
      expect.objectContaining({
        file: FILE,
        field: 'authors[1].orcid',
        line: 10,
        column: 5,
        message: expect.stringMatching(/checksum/)
      })
    ])
    expect(formatProblem(errors(problems)[0])).toMatch(/^CITATION\.cff:10:5: authors\[1\]\.orcid: /)
  })

  test('an unknown license is reported on "license" with its line', async () => {
    const problems = await pipeline(cff(...ONE_AUTHOR, 'license: http://example.org/license'))
    expect(errors(problems)).toEqual([
      expect.objectContaining({ file: FILE, field: 'license', line: 7 })
    ])
  })

  test('the abstract becomes the description and hints give the version and date', async () => {
    const workspace = await tempWorkspace({
      [FILE]: cff(
        ...ONE_AUTHOR,
        'abstract: An abstract.',
        'version: 1.0',
        'date-released: 2020-01-02'
      )
    })
    try {
      const { source } = await readMetadataSource(workspace)
      const built = buildMetadata({ defaults: typicalDefaults(), source })
      expect(built.metadata).toMatchObject({
        title: 'My tool',
        description: '<p>An abstract.</p>',
        creators: [{ name: 'Doe, Jane' }],
        version: '1.0',
        publication_date: '2020-01-02'
      })
      expect(validateMetadata(built.metadata, built.origins, built.positions)).toEqual([])
    } finally {
      await cleanup(workspace)
    }
  })
})
