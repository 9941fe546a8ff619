/** Identifier scheme detection as Zenodo (IDUtils) does it, and which schemes related identifiers allow. */
import {
  bareDoi,
  checkRelatedIdentifier,
  detectSchemes,
  isGnd,
  type Scheme
} from '../src/metadata/identifiers.js'

const TABLE: [string, Scheme | undefined][] = [
  ['10.5281/zenodo.1234', 'doi'],
  ['doi:10.5281/zenodo.1234', 'doi'],
  ['https://doi.org/10.5281/zenodo.1234', 'doi'],
  ['http://dx.doi.org/10.1000/xyz', 'doi'],
  ['https://github.com/octo-org/octo-repo', 'url'],
  ['ftp://ftp.example.org/pub/data.csv', 'url'],
  ['arXiv:2101.00001', 'arxiv'],
  ['2101.00001v2', 'arxiv'],
  ['arXiv:hep-th/9901001', 'arxiv'],
  ['math.GT/0309136', 'arxiv'],
  ['urn:nbn:de:kobv:83-opus-1234', 'urn'],
  ['urn:lsid:ubio.org:namebank:11815', 'lsid'],
  ['hdl:11858/00-001M-0000-0013-1234', 'handle'],
  ['https://hdl.handle.net/11858/00-001M-0000-0013-1234', 'url'],
  ['11858/00-001M-0000-0013-1234', 'handle'],
  ['978-3-16-148410-0', 'isbn'],
  ['ISBN 0-306-40615-2', 'isbn'],
  ['0317-8471', 'issn'],
  ['pmid:12345678', 'pmid'],
  ['12345678', 'pmid'],
  ['2011ApJ...737..103S', 'ads'],
  ['ark:/13030/tf5p30086k', 'ark'],
  ['swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505', 'swh'],
  ['0000-0002-1825-0097', 'orcid'],
  ['TBD', undefined],
  ['pending-zenodo-upload', undefined],
  ['', undefined],
  ['not an identifier', undefined]
]

describe('detectSchemes finds the scheme Zenodo detects first', () => {
  test.each(TABLE)('%s -> %s', (identifier, scheme) => {
    expect(detectSchemes(identifier)[0]).toBe(scheme)
  })
})

describe('checkRelatedIdentifier refuses what Zenodo refuses as a related identifier', () => {
  test('placeholders have no scheme', () => {
    expect(checkRelatedIdentifier('pending-zenodo-upload')).toMatchObject({
      ok: false,
      reason: 'no-scheme'
    })
    expect(checkRelatedIdentifier('TBD')).toMatchObject({ ok: false, reason: 'no-scheme' })
  })
  test('swh ids are detected but not allowed', () => {
    expect(
      checkRelatedIdentifier('swh:1:rev:309cf2674ee7a0749978cf8265ab91a60aea0f7d')
    ).toMatchObject({ ok: false, reason: 'swh' })
  })
  test('a bare ORCID is no related identifier, its URL is', () => {
    expect(checkRelatedIdentifier('0000-0002-1825-0097').ok).toBe(false)
    expect(checkRelatedIdentifier('https://orcid.org/0000-0002-1825-0097')).toMatchObject({
      ok: true,
      scheme: 'url'
    })
  })
  test('DOIs are accepted in every form and made bare', () => {
    for (const form of ['10.1/x', 'doi:10.1/x', 'https://doi.org/10.1/x']) {
      expect(checkRelatedIdentifier(form)).toEqual({
        ok: true,
        scheme: 'doi',
        identifier: '10.1/x'
      })
    }
    expect(bareDoi('https://example.org/x')).toBe('https://example.org/x')
  })
  test.each(['arXiv:2101.00001', 'urn:nbn:de:1-2', '978-3-16-148410-0', '2011ApJ...737..103S'])(
    '%s is accepted',
    identifier => {
      expect(checkRelatedIdentifier(identifier).ok).toBe(true)
    }
  )
})

describe('isGnd', () => {
  test.each([
    ['118540238', true],
    ['gnd:118540238', true],
    ['https://d-nb.info/gnd/118540238', true],
    ['4074195-3', true],
    ['Jane Doe', false],
    ['abc', false],
    ['', false]
  ])('%s -> %s', (value, expected) => {
    expect(isGnd(value)).toBe(expected)
  })
})
