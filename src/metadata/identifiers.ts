/**
 * Identifier schemes as Zenodo detects them. Zenodo runs every related (and alternate)
 * identifier through IDUtils' scheme detection (https://github.com/inveniosoftware/idutils) and
 * refuses one whose schemes are not among those allowed for related identifiers: 400 "No valid
 * scheme recognized for identifier." for a placeholder such as "TBD", and for a Software Heritage
 * id (swh:1:...), which IDUtils detects but related identifiers do not allow. The rules below are
 * written from IDUtils' documented forms; the test table in __tests__/identifiers.test.ts pins
 * each one.
 */

/** The schemes this module detects. */
export type Scheme =
  | 'doi'
  | 'arxiv'
  | 'ads'
  | 'ark'
  | 'lsid'
  | 'urn'
  | 'handle'
  | 'isbn'
  | 'issn'
  | 'orcid'
  | 'gnd'
  | 'pmid'
  | 'swh'
  | 'url'

/** The schemes Zenodo allows in related_identifiers and alternate_identifiers. */
export const RELATED_SCHEMES: readonly Scheme[] = [
  'doi',
  'arxiv',
  'ads',
  'ark',
  'lsid',
  'urn',
  'handle',
  'isbn',
  'issn',
  'pmid',
  'url'
]

const DOI = /^(doi:\s*|(?:https?:\/\/)?(?:dx\.)?doi\.org\/)?(10\.\d+(\.\d+)*\/.+)$/i
const HANDLE = /^(hdl:\s*|(?:https?:\/\/)?hdl\.handle\.net\/)?([^/.]+(\.[^/.]+)*\/.*)$/i
const ARXIV_NEW = /^(arxiv:)?(\d{4})\.(\d{4,5})(v\d+)?$/i
const ARXIV_OLD = /^(arxiv:)?([a-z-]+)(\.[a-z]{2})?(\/\d{4})(\d+)(v\d+)?$/i
const ARXIV_NEW_WITH_CLASS = /^(arxiv:)?[a-z-]+(\.[a-z]{2})?\/(\d{4})\.(\d{4,5})(v\d+)?$/i
const ADS = /^(ads:)?(\d{4}[A-Za-z]\S{13}[A-Za-z.:])$/
const PMID = /^(pmid:|https?:\/\/pubmed\.ncbi\.nlm\.nih\.gov\/)?(\d+)\/?$/i
const ARK = /^(?:https?:\/\/[^/]+\/)?ark:\/[0-9bcdfghjkmnpqrstvwxz]+\/.+$/
const LSID = /^urn:lsid:[^:]+(:[^:]+){2,3}$/i
const URN = /^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i
const SWH = /^swh:1:(cnt|dir|rel|rev|snp):[0-9a-f]{40}(;.*)?$/
const GND =
  /^(gnd:|https?:\/\/d-nb\.info\/gnd\/|d-nb\.info\/gnd\/)?(1[012]?\d{7}[0-9X]|[47]\d{6}-\d|[1-9]\d{0,7}-[0-9X]|3\d{7}[0-9X])/i
const ORCID = /^(?:(?:https?:\/\/)?(?:www\.)?orcid\.org\/)?(\d{4}-?\d{4}-?\d{4}-?\d{3}[\dX])\/?$/i
const ISSN = /^(\d{4})-?(\d{3})([\dX])$/i

function isbnDigits(value: string): string | undefined {
  const stripped = value.replace(/^isbn(?:-1[03])?:?\s*/i, '').replace(/[\s-]/g, '')
  return /^(\d{9}[\dX]|\d{13})$/i.test(stripped) ? stripped.toUpperCase() : undefined
}

function isIsbn(value: string): boolean {
  const digits = isbnDigits(value)
  if (digits === undefined) return false
  if (digits.length === 10) {
    let sum = 0
    for (let i = 0; i < 10; i++) sum += (10 - i) * (digits[i] === 'X' ? 10 : Number(digits[i]))
    return sum % 11 === 0
  }
  if (!/^97[89]/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < 13; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(digits[i])
  return sum % 10 === 0
}

function isIssn(value: string): boolean {
  const match = ISSN.exec(value)
  if (!match) return false
  const digits = (match[1] + match[2] + match[3]).toUpperCase()
  let sum = 0
  for (let i = 0; i < 7; i++) sum += (8 - i) * Number(digits[i])
  const check = (11 - (sum % 11)) % 11
  return digits[7] === (check === 10 ? 'X' : String(check))
}

function isOrcid(value: string): boolean {
  const match = ORCID.exec(value)
  if (!match) return false
  const digits = match[1].replace(/-/g, '').toUpperCase()
  let total = 0
  for (const digit of digits.slice(0, 15)) total = (total + Number(digit)) * 2
  const result = (12 - (total % 11)) % 11
  return digits[15] === (result === 10 ? 'X' : String(result))
}

function isUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) && url.host !== '' && !/\s/.test(value)
  } catch {
    return false
  }
}

const TESTS: readonly (readonly [Scheme, (value: string) => boolean])[] = [
  ['doi', v => DOI.test(v)],
  ['ark', v => ARK.test(v)],
  ['handle', v => HANDLE.test(v)],
  ['lsid', v => LSID.test(v)],
  ['urn', v => URN.test(v)],
  ['ads', v => ADS.test(v)],
  ['arxiv', v => ARXIV_NEW.test(v) || ARXIV_OLD.test(v) || ARXIV_NEW_WITH_CLASS.test(v)],
  ['isbn', isIsbn],
  ['issn', isIssn],
  ['orcid', isOrcid],
  ['gnd', v => GND.test(v)],
  ['pmid', v => PMID.test(v)],
  ['swh', v => SWH.test(v)],
  ['url', isUrl]
]

/**
 * When the first scheme is detected, the others are not what the identifier is (IDUtils'
 * scheme filter): a DOI is also a handle by form, an arXiv id or ADS bibcode may look like an
 * ISSN or a handle, a URL may contain the digits of an ISBN.
 */
const HIDES: Readonly<Partial<Record<Scheme, readonly Scheme[]>>> = {
  doi: ['handle'],
  ads: ['issn', 'handle'],
  arxiv: ['issn', 'handle', 'ads'],
  url: ['isbn', 'handle'],
  swh: ['url', 'handle'],
  lsid: ['urn'],
  orcid: ['pmid'],
  isbn: ['pmid']
}

/** Every scheme detected for an identifier, most specific first ([] when none). */
export function detectSchemes(identifier: string): Scheme[] {
  const value = identifier.trim()
  if (value === '') return []
  const found = TESTS.filter(([, test]) => test(value)).map(([scheme]) => scheme)
  const hidden = new Set(found.flatMap(scheme => HIDES[scheme] ?? []))
  return found.filter(scheme => !hidden.has(scheme))
}

/** How Zenodo takes a related or alternate identifier. */
export type RelatedCheck =
  | { ok: true; scheme: Scheme; identifier: string }
  | { ok: false; reason: 'no-scheme' | 'swh'; schemes: Scheme[] }

/**
 * Whether Zenodo accepts `identifier` as a related identifier, and in which form it stores it
 * (DOIs bare: "https://doi.org/10.1/x" and "doi:10.1/x" become "10.1/x").
 */
export function checkRelatedIdentifier(identifier: string): RelatedCheck {
  const schemes = detectSchemes(identifier)
  const scheme = schemes.find(s => RELATED_SCHEMES.includes(s))
  if (scheme === undefined) {
    return { ok: false, reason: schemes.includes('swh') ? 'swh' : 'no-scheme', schemes }
  }
  const value = identifier.trim()
  return { ok: true, scheme, identifier: scheme === 'doi' ? bareDoi(value) : value }
}

/** "https://doi.org/10.1/x" or "doi:10.1/x" -> "10.1/x"; anything else unchanged. */
export function bareDoi(value: string): string {
  const match = DOI.exec(value.trim())
  return match ? match[2] : value.trim()
}

/** Whether a creator's gnd is a GND id (Zenodo's server fails with a 500 otherwise). */
export function isGnd(value: string): boolean {
  return GND.test(value.trim())
}
