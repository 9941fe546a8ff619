/**
 * Zenodo's legacy metadata as the deposit API takes it today (zenodo-api.md, "Legacy metadata"
 * and "Publish"): lenient loading with defaults and vocabulary checks at create/PUT, and the
 * RDM-named validation errors at publish.
 */
import sanitizeHtml from 'sanitize-html'
import licenses from '../src/data/zenodo-licenses.json' with { type: 'json' }
import vocab from '../src/data/zenodo-vocabularies.json' with { type: 'json' }
import { validEdtf } from './edtf.js'
import { internalError, isObject, today, validationError, type FieldError } from './http-util.js'

/** Metadata of a deposition as the server keeps it. */
export interface StoredMetadata {
  /** What GET returns as `metadata` (legacy names, license echoed as the legacy id). */
  fields: Record<string, unknown>
  /** The RDM license id, if any. */
  licenseId?: string
  /** The RDM resource type id, if any. */
  resourceType?: string
}

const LEGACY_TO_RDM = licenses.legacy_to_rdm as Partial<Record<string, string>>
const ALIASES = licenses.aliases as Partial<Record<string, string>>
const ECHO = licenses.echo as Record<string, string>
const RESOURCE_TYPES = new Set(vocab.resource_types.filter(r => r.depositable).map(r => r.id))
const RELATIONS = [
  'isCitedBy',
  'cites',
  'isSupplementTo',
  'isSupplementedBy',
  'isContinuedBy',
  'continues',
  'isDescribedBy',
  'describes',
  'hasMetadata',
  'isMetadataFor',
  'hasVersion',
  'isVersionOf',
  'isNewVersionOf',
  'isPreviousVersionOf',
  'isPartOf',
  'hasPart',
  'isPublishedIn',
  'isReferencedBy',
  'references',
  'isDocumentedBy',
  'documents',
  'isCompiledBy',
  'compiles',
  'isVariantFormOf',
  'isOriginalFormOf',
  'isIdenticalTo',
  'isReviewedBy',
  'reviews',
  'isDerivedFrom',
  'isSourceOf',
  'isRequiredBy',
  'requires',
  'isObsoletedBy',
  'obsoletes',
  'isTranslationOf',
  'hasTranslation',
  'isCollectedBy',
  'collects',
  'other'
]
const RELATION_NAME = new Map(
  RELATIONS.filter(r => vocab.relation_types.includes(r.toLowerCase())).map(r => [
    r.toLowerCase(),
    r
  ])
)
// Zenodo moves related identifiers with this relation to the alternate identifiers.
RELATION_NAME.set('isalternateidentifier', 'isAlternateIdentifier')
const ROLES = new Set(vocab.roles)
const DATE_TYPES = new Set(vocab.date_types)
const ISO639_1: Record<string, string> = {
  en: 'eng',
  de: 'deu',
  fr: 'fra',
  es: 'spa',
  it: 'ita',
  pt: 'por',
  nl: 'nld',
  sv: 'swe',
  da: 'dan',
  no: 'nor',
  fi: 'fin',
  pl: 'pol',
  cs: 'ces',
  sk: 'slk',
  hu: 'hun',
  ro: 'ron',
  el: 'ell',
  tr: 'tur',
  ru: 'rus',
  uk: 'ukr',
  zh: 'zho',
  ja: 'jpn',
  ko: 'kor',
  ar: 'ara',
  he: 'heb',
  hi: 'hin',
  id: 'ind',
  ca: 'cat',
  eu: 'eus',
  gl: 'glg',
  la: 'lat',
  sl: 'slv',
  hr: 'hrv',
  sr: 'srp',
  bg: 'bul',
  et: 'est',
  lv: 'lav',
  lt: 'lit',
  ga: 'gle',
  cy: 'cym',
  is: 'isl',
  fa: 'fas',
  vi: 'vie',
  th: 'tha'
}
const STRING_FIELDS = [
  'title',
  'description',
  'notes',
  'method',
  'version',
  'doi',
  'imprint_publisher',
  'imprint_isbn',
  'imprint_place',
  'partof_title',
  'partof_pages',
  'journal_title',
  'journal_volume',
  'journal_issue',
  'journal_pages',
  'conference_title',
  'conference_acronym',
  'conference_dates',
  'conference_place',
  'conference_url',
  'conference_session',
  'conference_session_part',
  'thesis_university'
]
const ACCESS_RIGHTS = new Set(['open', 'embargoed', 'restricted', 'closed'])
const MISSING = 'Missing data for required field.'

/** Resolves a license value by Zenodo's rule; returns the RDM id or throws the 400. */
export function resolveLicense(value: unknown): string {
  const raw = isObject(value) ? value.id : value
  if (typeof raw !== 'string') {
    throw validationError([
      {
        field: 'metadata.license',
        messages: ["Invalid license value provided (expected string, or object with 'id' key)"]
      }
    ])
  }
  let key = raw.trim().toLowerCase()
  const alias = ALIASES[key]
  if (alias !== undefined) key = alias.toLowerCase()
  const rdm = LEGACY_TO_RDM[key]
  if (rdm === undefined) {
    throw validationError([
      { field: 'metadata.license', messages: [`Invalid license provided: ${raw}`] }
    ])
  }
  return rdm
}

/** The legacy id GET reports for an RDM license id. */
export function echoLicense(rdmId: string): string {
  return ECHO[rdmId] ?? rdmId
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of keys) {
    const v = o[k]
    if (typeof v === 'string' || typeof v === 'number' || v === null) out[k] = v
  }
  return out
}

function objectsOf(v: unknown, requiredKey?: string): Record<string, unknown>[] | undefined {
  if (!Array.isArray(v)) return undefined
  return v.map(item => {
    // Zenodo answers 500 for list items of the wrong shape or without a required key (quirk 12).
    if (!isObject(item)) throw internalError()
    if (requiredKey && item[requiredKey] === undefined) throw internalError()
    return item
  })
}

function loadPeople(v: unknown, withType: boolean, prefix: string, errors: FieldError[]) {
  const list = objectsOf(v)
  if (!list) return undefined
  return list.map((p, i) => {
    const out = pick(p, ['name', 'affiliation', 'orcid', 'gnd'])
    // An ORCID in URL form is made bare; one failing the checksum is kept (publish refuses it).
    if (typeof out.orcid === 'string') {
      const digits = orcidDigits(out.orcid)
      if (digits !== undefined) out.orcid = digits.replace(/(.{4})(?!$)/g, '$1-')
    }
    // idutils' normalize_gnd raises on a value that is not a GND id: Zenodo answers 500.
    if (typeof out.gnd === 'string' && out.gnd.trim() !== '' && !GND_RE.test(out.gnd.trim())) {
      throw internalError()
    }
    if (withType && typeof p.type === 'string') {
      const role = p.type.toLowerCase()
      if (!ROLES.has(role)) {
        errors.push({ field: `${prefix}.${String(i)}.role`, messages: [`Invalid value ${role}.`] })
      }
      out.type = p.type
    }
    return out
  })
}

/*
 * Identifier schemes, detected as IDUtils (https://github.com/inveniosoftware/idutils) detects
 * them, written for this server from zenodo-api.md ("What Zenodo refuses, drops and changes");
 * the action has its own implementation (src/metadata/identifiers.ts), and this one is the
 * oracle it is tested against.
 */
const SCHEME_RULES: [string, (v: string) => boolean][] = [
  ['doi', v => /^(doi:\s*|(https?:\/\/)?(dx\.)?doi\.org\/)?10\.\d+(\.\d+)*\/.+$/i.test(v)],
  ['ark', v => /^(https?:\/\/[^/]+\/)?ark:\/[0-9bcdfghjkmnpqrstvwxz]+\/.+$/.test(v)],
  ['lsid', v => /^urn:lsid:[^:]+(:[^:]+){2,3}$/i.test(v)],
  ['urn', v => /^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i.test(v)],
  ['ads', v => /^(ads:)?\d{4}[A-Za-z]\S{13}[A-Za-z.:]$/.test(v)],
  [
    'arxiv',
    v =>
      /^(arxiv:)?\d{4}\.\d{4,5}(v\d+)?$/i.test(v) ||
      /^(arxiv:)?[a-z-]+(\.[a-z]{2})?\/\d{4}\d+(v\d+)?$/i.test(v) ||
      /^(arxiv:)?[a-z-]+(\.[a-z]{2})?\/\d{4}\.\d{4,5}(v\d+)?$/i.test(v)
  ],
  ['isbn', isIsbn],
  ['issn', isIssn],
  ['orcid', v => orcidDigits(v) !== undefined && orcidChecksumOk(orcidDigits(v) ?? '')],
  ['pmid', v => /^(pmid:|https?:\/\/pubmed\.ncbi\.nlm\.nih\.gov\/)?\d+\/?$/i.test(v)],
  ['swh', v => /^swh:1:(cnt|dir|rel|rev|snp):[0-9a-f]{40}(;.*)?$/.test(v)],
  ['url', isUrl],
  ['handle', v => /^(hdl:\s*|(https?:\/\/)?hdl\.handle\.net\/)?[^/.]+(\.[^/.]+)*\/.*$/i.test(v)]
]
/** A detected scheme hides these (a DOI is a handle by form, a URL may hold ISBN digits ...). */
const SCHEME_HIDES: Record<string, string[]> = {
  doi: ['handle'],
  ads: ['issn', 'handle'],
  arxiv: ['issn', 'handle', 'ads'],
  url: ['isbn', 'handle'],
  swh: ['url', 'handle'],
  lsid: ['urn'],
  orcid: ['pmid'],
  isbn: ['pmid']
}
/** The schemes Zenodo allows for related (and alternate) identifiers; not swh, not orcid. */
const RELATED_SCHEMES = new Set([
  'doi',
  'ark',
  'lsid',
  'urn',
  'ads',
  'arxiv',
  'isbn',
  'issn',
  'pmid',
  'url',
  'handle'
])

function isUrl(v: string): boolean {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)[^\s]*$/i.exec(v)
  return m !== null
}

function isIsbn(v: string): boolean {
  const d = v
    .replace(/^isbn(-1[03])?:?\s*/i, '')
    .replace(/[\s-]/g, '')
    .toUpperCase()
  if (/^\d{9}[\dX]$/.test(d)) {
    let sum = 0
    for (let i = 0; i < 10; i++) sum += (10 - i) * (d[i] === 'X' ? 10 : Number(d[i]))
    return sum % 11 === 0
  }
  if (/^97[89]\d{10}$/.test(d)) {
    let sum = 0
    for (let i = 0; i < 13; i++) sum += Number(d[i]) * (i % 2 ? 3 : 1)
    return sum % 10 === 0
  }
  return false
}

function isIssn(v: string): boolean {
  const m = /^(\d{4})-?(\d{3}[\dX])$/i.exec(v)
  if (!m) return false
  const d = (m[1] + m[2]).toUpperCase()
  let sum = 0
  for (let i = 0; i < 7; i++) sum += Number(d[i]) * (8 - i)
  const c = (11 - (sum % 11)) % 11
  return d[7] === (c === 10 ? 'X' : String(c))
}

/** The 16 characters of an ORCID iD in any form Zenodo accepts (bare or orcid.org URL). */
function orcidDigits(v: string): string | undefined {
  const m =
    /^(?:(?:https?:\/\/)?(?:www\.)?orcid\.org\/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])\/?$/i.exec(
      v.trim()
    )
  return m ? (m[1] + m[2] + m[3] + m[4]).toUpperCase() : undefined
}

function orcidChecksumOk(d: string): boolean {
  if (d.length !== 16) return false
  let total = 0
  for (let i = 0; i < 15; i++) total = (total + Number(d[i])) * 2
  const r = (12 - (total % 11)) % 11
  return d[15] === (r === 10 ? 'X' : String(r))
}

/** The schemes IDUtils would detect for an identifier. */
export function detectSchemes(id: string): string[] {
  const v = id.trim()
  const found = SCHEME_RULES.filter(([, test]) => test(v)).map(([name]) => name)
  const hidden = new Set(found.flatMap(f => SCHEME_HIDES[f] ?? []))
  return found.filter(f => !hidden.has(f))
}

/** The scheme Zenodo stores for a related identifier, or undefined when it refuses it. */
function relatedScheme(id: string): string | undefined {
  return detectSchemes(id).find(s => RELATED_SCHEMES.has(s))
}

const GND_RE =
  /^(gnd:|https?:\/\/d-nb\.info\/gnd\/|d-nb\.info\/gnd\/)?(1[012]?\d{7}[0-9X]|[47]\d{6}-\d|[1-9]\d{0,7}-[0-9X]|3\d{7}[0-9X])/i

/**
 * The description as Zenodo's sanitizer keeps it (zenodo-api.md: invenio-config's allowed tags
 * and attributes); everything else is stripped, its text kept.
 */
const DESCRIPTION_SANITIZER: sanitizeHtml.IOptions = {
  allowedTags: [
    'a',
    'abbr',
    'acronym',
    'b',
    'blockquote',
    'br',
    'code',
    'div',
    'table',
    'tbody',
    'td',
    'th',
    'tr',
    'em',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'i',
    'li',
    'ol',
    'p',
    'pre',
    'span',
    'strike',
    'strong',
    'sub',
    'sup',
    'u',
    'ul'
  ],
  allowedAttributes: {
    '*': ['class'],
    a: ['href', 'title', 'name', 'rel'],
    abbr: ['title'],
    acronym: ['title']
  },
  disallowedTagsMode: 'discard',
  // bleach's default protocols: a link to any other scheme loses its href (its text stays)
  allowedSchemes: ['http', 'https', 'mailto'],
  // Zenodo's bleach keeps the text of every tag it strips, the code inside <script> and <style>
  // included (mozilla/bleach#185, #234); sanitize-html would drop it by default.
  nonTextTags: []
}

function resourceTypeOf(
  fields: Record<string, unknown>,
  upload: string,
  o: Record<string, unknown>
): string {
  let sub: string | undefined
  if (upload === 'publication') sub = str(o.publication_type)
  if (upload === 'image') sub = str(o.image_type)
  if (sub === 'thesis') sub = 'dissertation'
  if (sub !== undefined) {
    fields[upload === 'publication' ? 'publication_type' : 'image_type'] = sub
  }
  return sub ? `${upload}-${sub}` : upload
}

function loadRelated(v: unknown, errors: FieldError[]) {
  const list = objectsOf(v)
  if (!list) return undefined
  const out: Record<string, unknown>[] = []
  list.forEach((r, i) => {
    const identifier = str(r.identifier)
    const relation = str(r.relation)
    if (!identifier || !relation) return
    const name = RELATION_NAME.get(relation.toLowerCase())
    if (!name) {
      const field = `metadata.related_identifiers.${String(i)}.relation_type`
      errors.push({ field, messages: [`Invalid value ${relation.toLowerCase()}.`] })
      return
    }
    const scheme = relatedScheme(identifier)
    if (scheme === undefined) {
      const field = `metadata.related_identifiers.${String(i)}.identifier`
      errors.push({ field, messages: ['No valid scheme recognized for identifier.'] })
      return
    }
    const item: Record<string, unknown> = {
      identifier:
        scheme === 'doi'
          ? identifier.replace(/^(doi:\s*|(https?:\/\/)?(dx\.)?doi\.org\/)/i, '')
          : identifier,
      relation: name,
      scheme
    }
    const rt = str(r.resource_type)
    if (rt !== undefined) {
      if (!RESOURCE_TYPES.has(rt)) {
        const field = `metadata.related_identifiers.${String(i)}.resource_type`
        errors.push({ field, messages: [`Invalid value ${rt}.`] })
      }
      item.resource_type = rt
    }
    out.push(item)
  })
  return out
}

/** alternate_identifiers come back on GET as related identifiers with relation isAlternateIdentifier. */
function loadAlternate(v: unknown, errors: FieldError[]) {
  const list = objectsOf(v)
  if (!list) return []
  const out: Record<string, unknown>[] = []
  list.forEach((a, i) => {
    const identifier = str(a.identifier)
    if (!identifier) return
    const scheme = relatedScheme(identifier)
    if (scheme === undefined) {
      const field = `metadata.identifiers.${String(i)}.identifier`
      errors.push({ field, messages: ['No valid scheme recognized for identifier.'] })
      return
    }
    out.push({ identifier, relation: 'isAlternateIdentifier', scheme })
  })
  return out
}

/** A value as Python's str() would write it into a string (near enough for JSON scalars). */
function scalarText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : JSON.stringify(v)
}

/**
 * Dates as Zenodo's legacy deserializer reads them (zenodo-rdm legacy/deserializers/metadata.py,
 * load_dates): start and end make the interval "start/end" (one date when they are equal), either
 * alone is a single date, neither is 400 "Invalid date provided."; a missing type is a 500 (the
 * key is indexed). The date is then InvenioRDM's EDTF level 0 string: one that is not (or an
 * interval that ends before it starts) is dropped at PUT, and publish says it is missing.
 */
function loadDates(v: unknown, errors: FieldError[]) {
  if (!Array.isArray(v)) return undefined
  return v.map((item, i) => {
    if (!isObject(item)) throw internalError()
    const start = item.start
    const end = item.end
    if (!start && !end) {
      errors.push({ field: 'metadata.dates', messages: ['Invalid date provided.'] })
      return {}
    }
    if (item.type === undefined || item.type === null) throw internalError()
    const type = scalarText(item.type)
    if (!DATE_TYPES.has(type.toLowerCase())) {
      errors.push({
        field: `metadata.dates.${String(i)}.type`,
        messages: [`Invalid value ${type}.`]
      })
    }
    const date =
      start && end && start !== end ? `${scalarText(start)}/${scalarText(end)}` : start || end
    const out = pick(item, ['type', 'description'])
    if (typeof date === 'string' && validEdtf(date)) {
      if (start) out.start = start
      if (end) out.end = end
    }
    return out
  })
}

function loadLanguage(v: unknown, errors: FieldError[]): string | undefined {
  if (typeof v !== 'string') return undefined
  const l = v.trim().toLowerCase()
  if (l.length === 3) return l
  if (l.length === 2 && ISO639_1[l]) return ISO639_1[l]
  errors.push({ field: 'metadata.languages.0.id', messages: [`Invalid value ${v}.`] })
  return undefined
}

function loadCommunities(v: unknown, errors: FieldError[]) {
  if (v === undefined) return undefined
  const ok = Array.isArray(v) && v.every(c => isObject(c) && typeof c.identifier === 'string')
  if (!ok) {
    errors.push({ field: 'metadata.communities', messages: ['Invalid communities provided.'] })
    return undefined
  }
  return (v as Record<string, unknown>[]).map(c => ({ identifier: c.identifier }))
}

/** A JSON value as Python reads it in `if lat and lon` (0, "", null, [] and {} are false). */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0
  if (isObject(v)) return Object.keys(v).length > 0
  return Boolean(v)
}

/** A value as marshmallow's Float field takes it (a number, or text that is one), else undefined. */
function float(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined
  if (typeof v !== 'string') return undefined
  const t = v.trim()
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : undefined
}

/**
 * A location as Zenodo keeps it: the deserializer makes a Point [lon, lat] only `if lat and lon`,
 * and InvenioRDM's GeoJSON Point (marshmallow-utils schemas/geojson.py) takes two floats with no
 * range check; a point that is not numbers is dropped at PUT. GET gives lat and lon back.
 */
function loadLocation(l: Record<string, unknown>): Record<string, unknown> {
  const out = pick(l, ['place', 'description'])
  if (truthy(l.lat) && truthy(l.lon)) {
    const [lat, lon] = [float(l.lat), float(l.lon)]
    if (lat !== undefined && lon !== undefined) Object.assign(out, { lat, lon })
  }
  return out
}

/**
 * Loads legacy metadata (create/PUT): unknown keys and invalid scalars are dropped, vocabulary
 * ids checked (400), missing keys inside lists answered 500, and with `defaults` Zenodo's
 * defaults re-applied (publication_date, imprint_publisher, access_right, license).
 */
export function loadMetadata(input: Record<string, unknown>, defaults: boolean): StoredMetadata {
  const errors: FieldError[] = []
  const fields: Record<string, unknown> = {}
  for (const k of STRING_FIELDS) {
    if (typeof input[k] === 'string') fields[k] = input[k]
  }
  // an invalid date is dropped, and not replaced by the default: publish then says it is missing
  const dateGiven = input.publication_date !== undefined && input.publication_date !== null
  if (typeof input.publication_date === 'string' && validEdtf(input.publication_date.trim())) {
    fields.publication_date = input.publication_date.trim()
  }
  if (typeof input.embargo_date === 'string') fields.embargo_date = input.embargo_date
  const access = str(input.access_right)
  // "closed" is stored as restricted (zenodo-api.md)
  if (access && ACCESS_RIGHTS.has(access)) {
    fields.access_right = access === 'closed' ? 'restricted' : access
  }

  let resourceType: string | undefined
  const upload = str(input.upload_type)
  if (upload !== undefined) {
    fields.upload_type = upload
    resourceType = resourceTypeOf(fields, upload, input)
    if (!RESOURCE_TYPES.has(resourceType)) {
      errors.push({ field: 'metadata.resource_type', messages: [`Invalid value ${resourceType}.`] })
    }
  }
  const creators = loadPeople(input.creators, false, 'metadata.creators', errors)
  if (creators) fields.creators = creators
  const contributors = loadPeople(input.contributors, true, 'metadata.contributors', errors)
  if (contributors) fields.contributors = contributors
  const supervisors = loadPeople(input.thesis_supervisors, false, 'metadata.supervisors', errors)
  if (supervisors) fields.thesis_supervisors = supervisors
  if (Array.isArray(input.keywords)) {
    fields.keywords = input.keywords.filter(k => typeof k === 'string')
  }
  if (Array.isArray(input.references)) {
    fields.references = input.references.filter(k => typeof k === 'string')
  }
  const related = loadRelated(input.related_identifiers, errors)
  const alternate = loadAlternate(input.alternate_identifiers, errors)
  if (related || alternate.length > 0)
    fields.related_identifiers = [...(related ?? []), ...alternate]
  if (typeof fields.description === 'string') {
    const description = sanitizeHtml(fields.description.trim(), DESCRIPTION_SANITIZER)
    fields.description = description
    // InvenioRDM's description is SanitizedHTML with Length(min=3) and is not required: a shorter
    // one is dropped at PUT and publish goes on without it (invenio-rdm-records
    // services/schemas/metadata.py).
    if (description.trim().length < 3) delete fields.description
  }
  const dates = loadDates(input.dates, errors)
  if (dates) fields.dates = dates
  const locations = objectsOf(input.locations, 'place')
  if (locations) fields.locations = locations.map(loadLocation)
  const grants = objectsOf(input.grants, 'id')
  if (grants) fields.grants = grants.map(g => ({ id: g.id }))
  // `subjects` is not read: the deserializer's subjects come from keywords only, so the key is
  // dropped like any unknown one (zenodo-rdm legacy/deserializers/metadata.py).
  const communities = loadCommunities(input.communities, errors)
  if (communities) fields.communities = communities
  const language = loadLanguage(input.language, errors)
  if (language) fields.language = language
  if (isObject(input.custom)) fields.custom = input.custom

  let licenseId: string | undefined
  if (input.license !== undefined && input.license !== null) {
    try {
      licenseId = resolveLicense(input.license)
    } catch (e) {
      const body = (e as { body?: { errors?: FieldError[] } }).body
      errors.push(...(body?.errors ?? []))
    }
  }
  if (fields.access_right === 'embargoed' && !fields.embargo_date) {
    errors.push({ field: '_schema', messages: ['Unknown access type.'] })
  }
  if (errors.length) throw validationError(errors)

  if (defaults) {
    if (!dateGiven) fields.publication_date ??= today()
    fields.imprint_publisher ??= 'Zenodo'
    fields.access_right ??= 'open'
    if (!licenseId && (fields.access_right === 'open' || fields.access_right === 'embargoed')) {
      licenseId = resourceType === 'dataset' ? 'cc0-1.0' : 'cc-by-4.0'
    }
  } else {
    fields.access_right ??= 'open'
  }
  if (licenseId) fields.license = echoLicense(licenseId)
  return { fields, licenseId, resourceType }
}

function validDate(s: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), m[2] ? Number(m[2]) : 1, m[3] ? Number(m[3]) : 1]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

/** The errors publishing would answer for this metadata and file count (empty: publishable). */
export function publishErrors(m: StoredMetadata, fileCount: number): FieldError[] {
  const errors: FieldError[] = []
  const f = m.fields
  if (!m.resourceType) errors.push({ field: 'metadata.resource_type', messages: [MISSING] })
  const creators = f.creators as Record<string, unknown>[] | undefined
  if (!creators || creators.length === 0) {
    errors.push({ field: 'metadata.creators', messages: [MISSING] })
  } else {
    creators.forEach((c, i) => {
      if (typeof c.name !== 'string' || !c.name.trim()) {
        errors.push({
          field: `metadata.creators.${String(i)}.person_or_org.family_name`,
          messages: ['Family name must be filled.']
        })
      }
    })
  }
  const title = typeof f.title === 'string' ? f.title.trim() : ''
  if (!title) errors.push({ field: 'metadata.title', messages: [MISSING] })
  else if (title.length < 3) {
    errors.push({
      field: 'metadata.title',
      messages: ['Title must be at least 3 characters long.']
    })
  }
  const date = f.publication_date
  if (typeof date !== 'string') {
    errors.push({ field: 'metadata.publication_date', messages: [MISSING] })
  } else if (!validEdtf(date)) {
    errors.push({
      field: 'metadata.publication_date',
      messages: ['Please provide a valid date or interval.']
    })
  }
  const dates = (f.dates as Record<string, unknown>[] | undefined) ?? []
  dates.forEach((d, i) => {
    if (d.start === undefined && d.end === undefined) {
      errors.push({ field: `metadata.dates.${String(i)}.date`, messages: [MISSING] })
    }
  })
  for (const [list, prefix] of [
    ['creators', 'metadata.creators'],
    ['contributors', 'metadata.contributors']
  ] as const) {
    const people = (f[list] as Record<string, unknown>[] | undefined) ?? []
    people.forEach((p, i) => {
      if (typeof p.orcid !== 'string' || p.orcid === '') return
      const digits = orcidDigits(p.orcid)
      if (digits === undefined || !orcidChecksumOk(digits)) {
        errors.push({
          field: `${prefix}.${String(i)}.person_or_org.identifiers.0.identifier`,
          messages: ['Invalid ORCID identifier.']
        })
      }
    })
  }
  const contributors = (f.contributors as Record<string, unknown>[] | undefined) ?? []
  contributors.forEach((c, i) => {
    if (typeof c.type !== 'string') {
      errors.push({ field: `metadata.contributors.${String(i)}.role`, messages: [MISSING] })
    }
  })
  // An active embargo must end after now (invenio-rdm-records services/schemas/access.py,
  // EmbargoSchema; `until` is midnight UTC of the day, so today has already passed). An
  // embargo_date that is not a date is dropped at PUT, and publish then says the same.
  if (f.access_right === 'embargoed') {
    const until = typeof f.embargo_date === 'string' ? f.embargo_date.trim() : ''
    if (!validDate(until) || until.length !== 10 || until <= today()) {
      errors.push({
        field: 'access.embargo.until',
        messages: ['Embargo end date must be set to a future date.']
      })
    }
  }
  if (fileCount === 0) {
    errors.push({
      field: 'files.enabled',
      messages: [
        'Missing uploaded files. To disable files for this record please mark it as metadata-only.'
      ]
    })
  }
  return errors
}

const TYPE_TITLES: Record<string, string> = {
  software: 'Software',
  dataset: 'Dataset',
  poster: 'Poster',
  presentation: 'Presentation',
  publication: 'Publication',
  'publication-article': 'Journal article',
  'publication-preprint': 'Preprint',
  'publication-dissertation': 'Thesis',
  'publication-report': 'Report',
  'publication-softwaredocumentation': 'Software documentation',
  image: 'Image',
  video: 'Video/Audio',
  lesson: 'Lesson',
  other: 'Other'
}

/** The record (RDM-flavoured legacy) metadata of GET /api/records/:id. */
export function recordMetadata(
  m: StoredMetadata,
  extra: { doi: string; conceptrecid: number; index: number; isLast: boolean }
): Record<string, unknown> {
  const { upload_type: _u, publication_type: _p, image_type: _i, license: _l, ...rest } = m.fields
  const out: Record<string, unknown> = { ...rest, doi: extra.doi }
  if (m.resourceType) {
    const [type, subtype] = m.resourceType.split('-')
    out.resource_type = {
      type,
      ...(subtype ? { subtype: m.resourceType } : {}),
      title: TYPE_TITLES[m.resourceType] ?? type.charAt(0).toUpperCase() + type.slice(1)
    }
  }
  if (m.licenseId) out.license = { id: m.licenseId }
  out.relations = {
    version: [
      {
        index: extra.index,
        is_last: extra.isLast,
        parent: { pid_type: 'recid', pid_value: String(extra.conceptrecid) }
      }
    ]
  }
  return out
}
