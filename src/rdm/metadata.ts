/**
 * One metadata model, two wire formats: the action's legacy metadata (.zenodo.json's shape,
 * src/metadata/types.ts) mapped to InvenioRDM's record body the way Zenodo's own legacy
 * deserializer does it (zenodo/zenodo-rdm site/zenodo_rdm/legacy/deserializers/schemas.py,
 * restated in docs/zenodo-api.md "Legacy metadata"; target fields from InvenioRDM's
 * metadata reference https://inveniordm.docs.cern.ch/reference/metadata/):
 *
 * - creators/contributors -> {person_or_org: {type "personal", given_name, family_name,
 *   identifiers [orcid, gnd]}, affiliations [{name}], role {id: type lower-cased}} (contributors);
 *   names are split like nameparser's HumanName: "Family, Given" or "Given Family";
 * - upload_type + <type>_type -> resource_type {id: "type-subtype" | "type"} (thesis ->
 *   dissertation, as the legacy API does);
 * - license -> rights [{id: rdm license id}] (src/data/zenodo-licenses.json);
 * - keywords -> subjects [{subject}];
 * - related_identifiers -> related_identifiers {identifier, scheme (detected), relation_type
 *   {id: relation lower-cased}, resource_type {id}}; relation isAlternateIdentifier and
 *   alternate_identifiers -> identifiers;
 * - grants [{id "funderDOI::award"}] -> funding [{funder {id}, award {id "funder::award"}}]
 *   (funder DOIs of Zenodo's table replaced by their ROR ids);
 * - language (2 letters -> ISO 639-3, 3 as is) -> languages [{id}];
 * - dates -> dates [{date "start/end" (or the one date given), type {id}, description}];
 * - locations -> locations {features [{place, geometry Point [lon, lat], description}]};
 * - notes -> additional_descriptions type "other"; method -> type "methods";
 * - references -> references [{reference}]; version, title, description, publication_date
 *   (today when absent);
 * - access_right -> access {record, files, embargo}; doi -> pids.doi (external unless 10.5281);
 * - communities -> the list of communities to ask for inclusion after publishing.
 *
 * An InvenioRDM-shaped metadata file is recognised (isRdmShaped) and taken as it is.
 */
import { iso6393To1 } from 'iso-639-3'
import type { Problem } from '../errors.js'
import { matchLicense } from '../metadata/license.js'
import { checkOrcid } from '../metadata/orcid.js'
import { isCalendarDate, isEdtfDate, legacyDateOf } from '../metadata/schema.js'
import type { ZenodoMetadata } from '../metadata/types.js'

/** An InvenioRDM record body (POST /api/records, PUT /api/records/{id}/draft). */
export interface RdmBody {
  metadata: Record<string, unknown>
  access: {
    record: 'public' | 'restricted'
    files: 'public' | 'restricted'
    embargo?: { active: boolean; until?: string; reason?: string }
  }
  files: { enabled: boolean }
  pids?: { doi?: { identifier: string; provider: string } }
  custom_fields?: Record<string, unknown>
}

/** The outcome of mapping a metadata file. */
export interface MappedRecord {
  body: RdmBody
  /** Community ids or slugs to ask for inclusion once published. */
  communities: string[]
  /** For each RDM field path (e.g. "metadata.rights[0]"), the field of the user's file it came from. */
  origins: Record<string, string>
  /** What cannot be mapped (errors) and what Zenodo's mapping drops or changes (warnings). */
  problems: Problem[]
}

/** Funder DOIs Zenodo's legacy deserializer replaces by ROR ids (its FUNDER_DOI_TO_ROR table). */
const FUNDER_DOI_TO_ROR: Readonly<Record<string, string>> = {
  '10.13039/501100001665': '00rbzpz17',
  '10.13039/501100002341': '05k73zm37',
  '10.13039/501100000923': '05mmh0f86',
  '10.13039/100018231': '01gavpb45',
  '10.13039/501100000024': '00k4n6c32',
  '10.13039/501100000780': '00k4n6c32',
  '10.13039/501100000806': '02k4b9v70',
  '10.13039/501100001871': '00snfqn58',
  '10.13039/501100002428': '013tf3c58',
  '10.13039/501100004488': '03n51vw80',
  '10.13039/501100004564': '01znas443',
  '10.13039/501100000925': '011kf5r70',
  '10.13039/100000002': '01cwqze88',
  '10.13039/501100000038': '01h531d29',
  '10.13039/100000001': '021nxhr62',
  '10.13039/501100003246': '04jsz6e67',
  '10.13039/501100000690': '001aqnf71',
  '10.13039/100014013': '001aqnf71',
  '10.13039/501100001602': '0271asj38',
  '10.13039/501100001711': '00yjd3n13',
  '10.13039/100001345': '006cvnv84',
  '10.13039/501100004410': '04w9kkr77',
  '10.13039/100004440': '029chgv08',
  '10.13039/501100006364': '03m8vkq32'
}

/** The European Commission's funder DOI: a bare legacy grant id was an EC grant [U]. */
const EC_FUNDER_DOI = '10.13039/501100000780'

/** ISO 639-1 -> ISO 639-3, from iso-639-3's table (what pycountry's alpha_2 lookup gives). */
const ISO1_TO_3: ReadonlyMap<string, string> = new Map(
  Object.entries(iso6393To1).map(([three, one]) => [one, three])
)

/** Honorifics nameparser sets aside as titles. */
const TITLES = new Set(['dr', 'prof', 'mr', 'mrs', 'ms', 'sir', 'dame', 'professor'])

/**
 * A personal name split the way Zenodo does (nameparser's HumanName: family_name = middle +
 * last names, given_name = first name): "Doe, Jane Marie" -> Jane / "Marie Doe";
 * "Jane Doe" -> Jane / Doe. One difference: a single word ("Efos", "@handle", common in real
 * .zenodo.json files) is nameparser's first name, which would leave the family name InvenioRDM
 * requires for a person empty; here it is the family name, so such a creator still publishes.
 */
export function splitName(name: string): { given: string; family: string } {
  const clean = name.trim().replace(/\s+/g, ' ')
  const comma = clean.indexOf(',')
  const words = (s: string): string[] =>
    s
      .split(' ')
      .filter(Boolean)
      .filter(w => !TITLES.has(w.replace(/\.$/, '').toLowerCase()))
  if (comma >= 0) {
    const last = clean.slice(0, comma).trim()
    const rest = words(clean.slice(comma + 1))
    return { given: rest[0] ?? '', family: [...rest.slice(1), last].filter(Boolean).join(' ') }
  }
  const w = words(clean)
  if (w.length === 1) return { given: '', family: w[0] }
  return { given: w[0] ?? '', family: w.slice(1).join(' ') }
}

/** An identifier's scheme and normal form, as idutils detects the common ones. */
export function detectScheme(value: string): { scheme: string; identifier: string } | undefined {
  const v = value.trim()
  const doi = /^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i.exec(v)
  if (doi) return { scheme: 'doi', identifier: doi[1] }
  if (/^arxiv:\d{4}\.\d{4,5}(v\d+)?$/i.test(v) || /^arxiv:[a-z-]+\/\d{7}$/i.test(v)) {
    return { scheme: 'arxiv', identifier: v }
  }
  if (/^swh:1:(cnt|dir|rel|rev|snp):[0-9a-f]{40}/i.test(v)) return { scheme: 'swh', identifier: v }
  if (/^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i.test(v)) return { scheme: 'urn', identifier: v }
  if (/^https?:\/\/\S+$/i.test(v)) return { scheme: 'url', identifier: v }
  if (/^(?:hdl:)?\d[\d.]*\/\S+$/i.test(v))
    return { scheme: 'handle', identifier: v.replace(/^hdl:/i, '') }
  if (/^\d{4}-\d{3}[\dX]$/i.test(v)) return { scheme: 'issn', identifier: v }
  if (
    /^(97[89][- ]?)?\d{1,5}[- ]?\d+[- ]?\d+[- ]?[\dX]$/i.test(v) &&
    v.replace(/[- ]/g, '').length >= 10
  ) {
    return { scheme: 'isbn', identifier: v }
  }
  if (/^(pmid:)?\d{1,8}$/i.test(v)) return { scheme: 'pmid', identifier: v.replace(/^pmid:/i, '') }
  if (/^\d{4}[A-Za-z&.]{5}[\w.]{4}[ELPQ-Z.][\d.]{4}[A-Z]$/.test(v))
    return { scheme: 'ads', identifier: v }
  return undefined
}

/** Whether a parsed metadata file is InvenioRDM-shaped (to be taken as it is for api rdm). */
export function isRdmShaped(json: unknown): boolean {
  if (!isObject(json)) return false
  const meta = isObject(json.metadata) ? json.metadata : undefined
  const look = meta ?? json
  if (isObject(look.resource_type)) return true
  if (
    Array.isArray(look.creators) &&
    look.creators.some(c => isObject(c) && isObject(c.person_or_org))
  ) {
    return true
  }
  if (
    Array.isArray(look.rights) ||
    (Array.isArray(look.subjects) && look.subjects.some(s => isObject(s) && 'subject' in s))
  ) {
    return true
  }
  return (
    meta !== undefined && (isObject(json.access) || isObject(json.pids) || isObject(json.files))
  )
}

/** An InvenioRDM-shaped file, taken as it is (communities read from a top-level "communities" list of ids). */
export function fromRdmFile(json: Record<string, unknown>): MappedRecord {
  const metadata = isObject(json.metadata) ? structuredClone(json.metadata) : {}
  const access = isObject(json.access)
    ? (structuredClone(json.access) as unknown as RdmBody['access'])
    : { record: 'public' as const, files: 'public' as const }
  const files =
    isObject(json.files) && typeof json.files.enabled === 'boolean'
      ? { enabled: json.files.enabled }
      : { enabled: true }
  const communities = Array.isArray(json.communities)
    ? (json.communities as unknown[])
        .map(c => (isObject(c) ? (c.id ?? c.identifier) : c))
        .filter((c): c is string => typeof c === 'string')
    : []
  const body: RdmBody = { metadata, access, files }
  if (isObject(json.pids)) body.pids = structuredClone(json.pids)
  if (isObject(json.custom_fields)) body.custom_fields = structuredClone(json.custom_fields)
  return { body, communities, origins: {}, problems: [] }
}

/** Options of legacyToRdm. */
export interface MapOptions {
  /** The file the metadata came from, for problems (".zenodo.json", "CITATION.cff", ...). */
  file: string
  /** YYYY-MM-DD used when publication_date is absent (Zenodo: today). */
  today?: string
  /** metadata.publisher; Zenodo hard-codes "Zenodo", other instances have their own default. */
  publisher?: string
}

/** Map legacy metadata to an InvenioRDM record body, as Zenodo's legacy deserializer does. */
export function legacyToRdm(meta: ZenodoMetadata, opts: MapOptions): MappedRecord {
  const problems: Problem[] = []
  const origins: Record<string, string> = {}
  const warn = (field: string, message: string, fix: string): void => {
    problems.push({ severity: 'warning', file: opts.file, field, message, fix })
  }
  const error = (field: string, message: string, fix: string): void => {
    problems.push({ severity: 'error', file: opts.file, field, message, fix })
  }
  const m: Record<string, unknown> = {}
  const set = (key: string, value: unknown, from: string): void => {
    if (value === undefined) return
    m[key] = value
    origins[`metadata.${key}`] = from
  }

  set('title', str(meta.title), 'title')
  set('description', str(meta.description), 'description')
  set(
    'publication_date',
    str(meta.publication_date) ?? opts.today ?? new Date().toISOString().slice(0, 10),
    'publication_date'
  )
  if (opts.publisher) m.publisher = opts.publisher

  const uploadType = str(meta.upload_type)
  if (uploadType) {
    const subField = `${uploadType}_type`
    let sub = str(meta[subField])
    if (uploadType === 'publication' && sub === 'thesis') sub = 'dissertation'
    set(
      'resource_type',
      { id: sub ? `${uploadType}-${sub}` : uploadType },
      sub ? subField : 'upload_type'
    )
  }

  const people = (list: unknown, key: 'creators' | 'contributors'): unknown[] | undefined => {
    if (!Array.isArray(list)) return undefined
    return list.map((p: unknown, i) => {
      const at = `${key}[${String(i)}]`
      const c = isObject(p) ? p : {}
      const name = str(c.name) ?? ''
      const { given, family } = splitName(name)
      if (!family) {
        error(
          `${at}.name`,
          `${JSON.stringify(name)} has no family name once split as InvenioRDM does`,
          'write the name as "Family, Given"'
        )
      }
      const rdmAt = `metadata.${key}[${String(i)}]`
      origins[rdmAt] = at
      origins[`${rdmAt}.person_or_org.family_name`] = `${at}.name`
      origins[`${rdmAt}.person_or_org.given_name`] = `${at}.name`
      origins[`${rdmAt}.affiliations`] = `${at}.affiliation`
      const identifiers: { scheme: string; identifier: string }[] = []
      const orcid = str(c.orcid)
      if (orcid)
        identifiers.push({
          scheme: 'orcid',
          identifier: orcid
            .replace(/^(?:https?:\/\/)?(?:www\.)?orcid\.org\//i, '')
            .replace(/\/$/, '')
        })
      const gnd = str(c.gnd)
      if (gnd) identifiers.push({ scheme: 'gnd', identifier: gnd })
      identifiers.forEach((x, k) => {
        origins[`${rdmAt}.person_or_org.identifiers[${String(k)}]`] = `${at}.${x.scheme}`
      })
      if (c.ror !== undefined) {
        warn(
          `${at}.ror`,
          "is not a field of Zenodo's legacy metadata and is dropped",
          "write the person's ORCID or GND, or use an InvenioRDM-shaped metadata file for ROR identifiers"
        )
      }
      const out: Record<string, unknown> = {
        person_or_org: {
          type: 'personal',
          ...(given ? { given_name: given } : {}),
          family_name: family,
          ...(identifiers.length ? { identifiers } : {})
        }
      }
      const affiliation = str(c.affiliation)
      if (affiliation) out.affiliations = [{ name: affiliation }]
      if (key === 'contributors') {
        const type = str(c.type)
        if (type) {
          out.role = { id: type.toLowerCase() }
          origins[`metadata.contributors[${String(i)}].role`] = `contributors[${String(i)}].type`
        }
      }
      return out
    })
  }
  set('creators', people(meta.creators, 'creators'), 'creators')
  set('contributors', people(meta.contributors, 'contributors'), 'contributors')

  if (meta.license !== undefined) {
    const match = matchLicense(meta.license)
    if (match.ok) {
      set('rights', [{ id: match.rdmId }], 'license')
      origins['metadata.rights[0]'] = 'license'
    } else {
      error(
        'license',
        `${JSON.stringify(meta.license)} is not a license id Zenodo knows`,
        match.reason === 'unknown' && match.suggestion
          ? `write "${match.suggestion}"`
          : 'write an SPDX id such as "MIT" or "CC-BY-4.0"'
      )
    }
  }

  const keywords = Array.isArray(meta.keywords)
    ? meta.keywords.filter((k): k is string => typeof k === 'string')
    : []
  if (keywords.length)
    set(
      'subjects',
      keywords.map(subject => ({ subject })),
      'keywords'
    )

  const related: unknown[] = []
  const identifiers: unknown[] = []
  const relatedIn = Array.isArray(meta.related_identifiers) ? meta.related_identifiers : []
  relatedIn.forEach((r: unknown, i) => {
    const at = `related_identifiers[${String(i)}]`
    if (!isObject(r)) return
    const value = str(r.identifier) ?? ''
    const detected = detectScheme(value)
    let relation = str(r.relation) ?? ''
    if (relation === 'isOrignialFormOf') relation = 'isOriginalFormOf'
    if (!detected) {
      error(
        `${at}.identifier`,
        `${JSON.stringify(value)} is not an identifier of a known scheme (DOI, URL, arXiv, handle, ISBN, ISSN, PMID, URN, ADS)`,
        'write a DOI such as "10.5281/zenodo.123" or a full https:// URL, or remove the entry'
      )
      return
    }
    if (detected.scheme === 'swh') {
      error(
        `${at}.identifier`,
        'Software Heritage ids are not allowed as related identifiers',
        'link the Software Heritage archive by its https:// URL instead'
      )
      return
    }
    if (relation.toLowerCase() === 'isalternateidentifier') {
      identifiers.push({ identifier: detected.identifier, scheme: detected.scheme })
      return
    }
    const idx = related.length
    const entry: Record<string, unknown> = {
      identifier: detected.identifier,
      scheme: detected.scheme,
      relation_type: { id: relation.toLowerCase() }
    }
    origins[`metadata.related_identifiers[${String(idx)}].relation_type`] = `${at}.relation`
    const rt = str(r.resource_type)
    if (rt) {
      entry.resource_type = { id: rt }
      origins[`metadata.related_identifiers[${String(idx)}].resource_type`] = `${at}.resource_type`
    }
    related.push(entry)
  })
  const alternates = Array.isArray(meta.alternate_identifiers) ? meta.alternate_identifiers : []
  alternates.forEach((a: unknown, i) => {
    const value = isObject(a) ? str(a.identifier) : undefined
    const detected = value ? detectScheme(value) : undefined
    if (!detected) {
      error(
        `alternate_identifiers[${String(i)}].identifier`,
        `${JSON.stringify(value ?? null)} is not an identifier of a known scheme`,
        'write a DOI, a URL or another persistent identifier, or remove the entry'
      )
      return
    }
    identifiers.push({ identifier: detected.identifier, scheme: detected.scheme })
  })
  if (related.length) set('related_identifiers', related, 'related_identifiers')
  if (identifiers.length) set('identifiers', identifiers, 'related_identifiers')

  const grants = Array.isArray(meta.grants) ? meta.grants : []
  const funding: unknown[] = []
  grants.forEach((g: unknown, i) => {
    const id = isObject(g) ? str(g.id) : undefined
    if (!id) {
      error(
        `grants[${String(i)}].id`,
        'is missing',
        'write the grant as {"id": "<funder DOI>::<award number>"}, e.g. "10.13039/501100000780::283595"'
      )
      return
    }
    const sep = id.indexOf('::')
    const funderDoi = sep < 0 ? EC_FUNDER_DOI : id.slice(0, sep)
    const award = sep < 0 ? id : id.slice(sep + 2)
    const funder = FUNDER_DOI_TO_ROR[funderDoi] ?? funderDoi
    funding.push({ funder: { id: funder }, award: { id: `${funder}::${award}` } })
  })
  if (funding.length) set('funding', funding, 'grants')

  const language = str(meta.language)
  if (language) {
    const lower = language.toLowerCase()
    const id = lower.length === 3 ? lower : lower.length === 2 ? ISO1_TO_3.get(lower) : undefined
    if (id) {
      set('languages', [{ id }], 'language')
      origins['metadata.languages[0]'] = 'language'
    } else {
      error(
        'language',
        `"${language}" is not a 2- or 3-letter ISO 639 language code`,
        'write a code such as "eng" or "en"'
      )
    }
  }

  const dates = Array.isArray(meta.dates) ? meta.dates : []
  const rdmDates: unknown[] = []
  dates.forEach((d: unknown, i) => {
    const at = `dates[${String(i)}]`
    const x = isObject(d) ? d : {}
    // As Zenodo's legacy deserializer: "start/end", or one date when only one is given or both
    // are the same; neither is refused (validate.ts reports it before this mapping is used).
    const date = legacyDateOf(x.start, x.end)
    const type = str(x.type)
    if (date === undefined) {
      error(at, 'has neither "start" nor "end"', 'give "start" (and "end" for a period)')
      return
    }
    if (!type) {
      error(`${at}.type`, 'is missing', 'give the date a type such as "Collected" or "Valid"')
      return
    }
    origins[`metadata.dates[${String(rdmDates.length)}].type`] = `${at}.type`
    const desc = str(x.description)
    rdmDates.push({
      date,
      type: { id: type.toLowerCase() },
      ...(desc ? { description: desc } : {})
    })
  })
  if (rdmDates.length) set('dates', rdmDates, 'dates')

  const locations = Array.isArray(meta.locations) ? meta.locations : []
  const features: unknown[] = []
  locations.forEach((l: unknown, i) => {
    const x = isObject(l) ? l : {}
    const place = str(x.place)
    if (!place) {
      error(
        `locations[${String(i)}].place`,
        'is missing (Zenodo answers 500)',
        'name the place, e.g. "Geneva"'
      )
      return
    }
    const f: Record<string, unknown> = { place }
    if (typeof x.lat === 'number' && typeof x.lon === 'number' && x.lat !== 0 && x.lon !== 0) {
      f.geometry = { type: 'Point', coordinates: [x.lon, x.lat] }
    }
    const desc = str(x.description)
    if (desc) f.description = desc
    features.push(f)
  })
  if (features.length) set('locations', { features }, 'locations')

  const additional: unknown[] = []
  const notes = str(meta.notes)
  if (notes) {
    origins[`metadata.additional_descriptions[${String(additional.length)}].type`] = 'notes'
    additional.push({ description: notes, type: { id: 'other' } })
  }
  const method = str(meta.method)
  if (method) {
    origins[`metadata.additional_descriptions[${String(additional.length)}].type`] = 'method'
    additional.push({ description: method, type: { id: 'methods' } })
  }
  if (additional.length) set('additional_descriptions', additional, 'notes')

  const references = Array.isArray(meta.references)
    ? meta.references.filter((r): r is string => typeof r === 'string')
    : []
  if (references.length)
    set(
      'references',
      references.map(reference => ({ reference })),
      'references'
    )
  set('version', str(meta.version), 'version')

  const body: RdmBody = { metadata: m, access: mapAccess(meta, error), files: { enabled: true } }
  if (meta.access_conditions !== undefined) {
    warn(
      'access_conditions',
      'is dropped by Zenodo (the legacy schema has no such field)',
      'remove it; describe access conditions in the description'
    )
  }
  const doi = str(meta.doi)
  if (doi)
    body.pids = {
      doi: { identifier: doi, provider: doi.startsWith('10.5281/') ? 'datacite' : 'external' }
    }

  const communities = (Array.isArray(meta.communities) ? meta.communities : [])
    .map((c: unknown) => (isObject(c) ? str(c.identifier) : undefined))
    .filter((c): c is string => c !== undefined)
  return { body, communities, origins, problems }
}

function mapAccess(
  meta: ZenodoMetadata,
  error: (field: string, message: string, fix: string) => void
): RdmBody['access'] {
  const right = str(meta.access_right)
  if (!right || right === 'open') return { record: 'public', files: 'public' }
  if (right === 'restricted' || right === 'closed') return { record: 'public', files: 'restricted' }
  const until = str(meta.embargo_date)
  if (right === 'embargoed' && until) {
    return { record: 'public', files: 'restricted', embargo: { active: true, until } }
  }
  error(
    'access_right',
    right === 'embargoed'
      ? 'is "embargoed" without an embargo_date'
      : `"${right}" is not an access right`,
    right === 'embargoed'
      ? 'add "embargo_date": "YYYY-MM-DD"'
      : 'write "open", "embargoed", "restricted" or "closed"'
  )
  return { record: 'public', files: 'public' }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * What publish would refuse in a record body, found before any write (for InvenioRDM-shaped files,
 * which the legacy validator does not see): the required fields (resource_type, creators, title of
 * at least 3 characters, publication_date as an EDTF date), each creator's and contributor's
 * person_or_org (type, family_name or name) and ORCID check digits, each date's EDTF date, and an
 * active embargo's end after today. Fields are the file's own paths.
 */
export function publishProblems(body: RdmBody, file: string): Problem[] {
  const problems: Problem[] = []
  const add = (field: string, message: string, fix: string): void => {
    problems.push({ severity: 'error', file, field, message, fix })
  }
  const m = body.metadata
  if (!isObject(m.resource_type) || typeof m.resource_type.id !== 'string') {
    add(
      'metadata.resource_type',
      'is missing',
      'add {"id": "software"} or another resource type id of the repository'
    )
  }
  const title = typeof m.title === 'string' ? m.title.trim() : ''
  if (title.length < 3) {
    add(
      'metadata.title',
      title ? `${JSON.stringify(title)} is shorter than 3 characters` : 'is missing',
      'write a descriptive title of at least 3 characters'
    )
  }
  const date = m.publication_date
  if (date !== undefined && (typeof date !== 'string' || !isEdtfDate(date))) {
    add(
      'metadata.publication_date',
      `${JSON.stringify(date)} is not a date such as 2024-05-31 (or 2024-05, 2024)`,
      'write the date as YYYY-MM-DD, or remove it to use the release date'
    )
  }
  const dates: unknown[] = Array.isArray(m.dates) ? m.dates : []
  dates.forEach((d, i) => {
    // DateSchema: date is a required EDTFDateString (chronological intervals).
    const value = isObject(d) ? d.date : undefined
    if (typeof value === 'string' && isEdtfDate(value)) return
    add(
      `metadata.dates[${String(i)}].date`,
      value === undefined
        ? 'is missing'
        : `${JSON.stringify(value)} is not a date or period (a period must not end before it starts)`,
      'write a date such as 2024-05-31, or a period such as 2024-01-01/2024-03-31'
    )
  })
  // EmbargoSchema (invenio-rdm-records services/schemas/access.py): an active embargo must end
  // after now; `until` is read as midnight UTC, so an embargo ending today has already ended.
  const embargo: unknown = body.access.embargo
  if (isObject(embargo) && embargo.active === true) {
    const until = typeof embargo.until === 'string' ? embargo.until.trim() : ''
    const today = new Date().toISOString().slice(0, 10)
    if (!isCalendarDate(until) || until <= today) {
      add(
        'access.embargo.until',
        until
          ? `${until} is not a future date; the repository refuses an embargo that has already ended`
          : 'is missing; an active embargo needs the day it ends',
        'set "until" to a future YYYY-MM-DD, or remove the embargo if the files may be open now'
      )
    }
  }
  const creators = Array.isArray(m.creators) ? m.creators : []
  if (creators.length === 0)
    add('metadata.creators', 'is missing or empty', 'add at least one creator with person_or_org')
  for (const key of ['creators', 'contributors'] as const) {
    const people: unknown[] = Array.isArray(m[key]) ? m[key] : []
    people.forEach((c, i) => {
      const at = `metadata.${key}[${String(i)}].person_or_org`
      const p = isObject(c) && isObject(c.person_or_org) ? c.person_or_org : undefined
      if (!p) {
        add(
          at,
          'is missing',
          'give {"type": "personal", "family_name": ..., "given_name": ...} or {"type": "organizational", "name": ...}'
        )
        return
      }
      if (p.type === 'personal' && !str(p.family_name))
        add(`${at}.family_name`, 'is missing', 'write the family name')
      else if (p.type === 'organizational' && !str(p.name))
        add(`${at}.name`, 'is missing', "write the organisation's name")
      else if (p.type !== 'personal' && p.type !== 'organizational') {
        add(
          `${at}.type`,
          `${JSON.stringify(p.type ?? null)} is not "personal" or "organizational"`,
          'write "personal" or "organizational"'
        )
      }
      const ids: unknown[] = Array.isArray(p.identifiers) ? p.identifiers : []
      ids.forEach((id, j) => {
        if (!isObject(id) || id.scheme !== 'orcid' || typeof id.identifier !== 'string') return
        const issue = checkOrcid(id.identifier)
        if (issue && issue.kind !== 'url') {
          add(
            `${at}.identifiers[${String(j)}].identifier`,
            `ORCID "${id.identifier}" is not a valid ORCID iD`,
            'write the 16-digit ORCID iD such as "0000-0002-1825-0097"'
          )
        }
      })
    })
  }
  return problems
}

/**
 * The errors a lenient save listed (FieldError paths such as
 * "metadata.creators.0.person_or_org.family_name") as Problems in the user's terms: the field of
 * the user's file it came from (through the mapping's origins, longest prefix), else the RDM path.
 */
export function saveErrorProblems(
  errors: readonly { field: string; messages: string[] }[],
  mapped: MappedRecord,
  file: string
): Problem[] {
  return errors.map(e => {
    const path = e.field.replace(/\.(\d+)(?=\.|$)/g, '[$1]')
    let field = path
    for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
      const origin = mapped.origins[p]
      if (origin) {
        field = origin
        break
      }
      if (!/(\.[^.[\]]+|\[\d+\])$/.test(p)) break
    }
    return {
      severity: 'error' as const,
      file,
      field,
      message: `the repository says: ${e.messages.join(' ')}${field === path ? '' : ` (at ${path})`}`,
      fix: 'correct this field; the repository would refuse to publish it'
    }
  })
}
