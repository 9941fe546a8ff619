/**
 * Validation of the final metadata before anything is written to Zenodo: the generated JSON
 * Schema (schema.ts) checked with ajv, ajv's errors turned into one Problem per real problem
 * (file, field path, message, fix), plus the checks a schema cannot say well.
 */
import type { ErrorObject } from 'ajv'
import type { Problem } from '../errors.js'
import type { Positions } from './json-syntax.js'
import { matchLicense } from './license.js'
import { UNREAD } from './build.js'
import { checkRelatedIdentifier, isGnd } from './identifiers.js'
import { checkOrcid } from './orcid.js'
import {
  ACCESS_RIGHTS,
  isCalendarDate,
  isEdtfDate,
  legacyDateOf,
  metadataValidator
} from './schema.js'
import { closest } from './suggest.js'
import type { ZenodoMetadata } from './types.js'
import {
  CONTRIBUTOR_ROLES,
  CONTRIBUTOR_ROLE_NAMES,
  DATE_TYPES,
  RELATION_TYPES,
  RELATION_TYPE_NAMES,
  RESOURCE_TYPE_IDS,
  SUBTYPE_ALIASES,
  UPLOAD_SUBTYPES,
  UPLOAD_TYPES,
  dateTypeName,
  displayName,
  subtypeField
} from './vocabulary.js'

type Json = Record<string, unknown>

/** Where a field came from, for messages. */
class Origins {
  private readonly fallback: string

  /** Missing fields are reported against the metadata file, else the metadata input. */
  /** Field -> origin; a field no source gave has none. */
  private readonly origins: Partial<Record<string, string>>

  constructor(origins: Record<string, string>) {
    this.origins = origins
    const values = Object.entries(origins)
      .filter(([key]) => key !== UNREAD)
      .map(([, origin]) => origin)
    const notFiles = ['release defaults', 'the version input', 'the metadata input']
    this.fallback =
      values.find(o => !notFiles.includes(o)) ??
      values.find(o => o === 'the metadata input') ??
      'release defaults'
  }

  /** Whether a metadata file could not be read (so its fields are unknown). */
  unreadFile(): boolean {
    return this.origins[UNREAD] !== undefined
  }

  /** The origin of a field path such as "creators[2].orcid". */
  of(field: string): string {
    const top = /^[^.[]+(\[\d+\])?/.exec(field)?.[0] ?? field
    const name = /^[^.[]+/.exec(field)?.[0] ?? field
    return this.origins[top] ?? this.origins[name] ?? this.fallback
  }
}

/** "/creators/2/orcid" -> "creators[2].orcid" */
function fieldPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1)
  if (child !== undefined) parts.push(child)
  return parts
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
      ''
    )
}

function valueAt(root: unknown, instancePath: string): unknown {
  let value = root
  for (const part of instancePath.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return value
}

function describeJson(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${JSON.stringify(value)}`
}

function leaf(field: string): string {
  return /([^.[\]]+)(?:\[\d+\])?$/.exec(field)?.[1] ?? field
}

function parentList(field: string): string {
  return /^([^.[]+)/.exec(field)?.[1] ?? field
}

function listOf(names: readonly string[]): string {
  return names.join(', ')
}

function didYouMean(value: string, candidates: readonly string[]): string {
  const near = closest(value, candidates)
  return near === undefined ? '' : `"${near}" (did you mean it?), or `
}

const REQUIRED_FIXES: Record<string, string> = {
  title: 'add a "title" of at least 3 characters',
  creators: 'add "creators": [{"name": "Family, Given", "orcid": "0000-0002-1825-0097"}]',
  description: 'add a "description" (or write release notes, which become the description)',
  publication_date: 'add "publication_date": "YYYY-MM-DD"',
  upload_type: 'add "upload_type", e.g. "software"',
  embargo_date:
    'add "embargo_date": "YYYY-MM-DD" (the day the files become open), or choose another access_right',
  access_conditions:
    'add "access_conditions" saying who may request access and on which conditions, or choose another access_right',
  name: 'give every entry a "name" in the form "Family, Given"',
  identifier: 'add the "identifier" (a DOI, URL or other persistent identifier)',
  relation: 'add a "relation", e.g. "isSupplementTo"',
  id: 'add the grant "id", e.g. "10.13039/501100000780::777541"',
  place: 'add a "place" (Zenodo fails with a server error when it is missing)',
  contributorsType: `add a "type": one of ${listOf(CONTRIBUTOR_ROLE_NAMES)}`,
  datesType: `add a "type": one of ${listOf(DATE_TYPES.map(dateTypeName))}`
}

function requiredProblem(field: string): { message: string; fix: string } {
  const name = leaf(field)
  const key =
    name === 'type' ? (parentList(field) === 'dates' ? 'datesType' : 'contributorsType') : name
  return { message: 'is missing', fix: REQUIRED_FIXES[key] ?? `add "${name}"` }
}

function enumProblem(field: string, value: unknown): { message: string; fix: string } {
  const name = leaf(field)
  const text = String(value)
  if (name === 'upload_type') {
    return {
      message: `"${text}" is not a Zenodo upload type`,
      fix: `use ${didYouMean(text, UPLOAD_TYPES)}one of: ${listOf(UPLOAD_TYPES)}`
    }
  }
  if (name === 'access_right') {
    return {
      message: `"${text}" is not an access right`,
      fix: `use one of: ${listOf(ACCESS_RIGHTS)}`
    }
  }
  if (name === 'resource_type') {
    return {
      message: `"${text}" is not a Zenodo resource type`,
      fix: `use ${didYouMean(text, RESOURCE_TYPE_IDS)}one of: ${listOf(RESOURCE_TYPE_IDS)}`
    }
  }
  const type = UPLOAD_TYPES.find(t => subtypeField(t) === name)
  if (type !== undefined) {
    const allowed = SUBTYPE_NAMES[type]
    return {
      message: `"${text}" is not a ${type} type Zenodo knows`,
      fix: `use ${didYouMean(text, allowed)}one of: ${listOf(allowed)}`
    }
  }
  return { message: `"${text}" is not an accepted value`, fix: 'use a value Zenodo accepts' }
}

/** Vocabulary names for messages, computed once (closest() remembers answers per list). */
const RELATION_NAMES = RELATION_TYPES.map(r => displayName(r, RELATION_TYPE_NAMES))
const DATE_NAMES = DATE_TYPES.map(dateTypeName)
const ROLE_NAMES = CONTRIBUTOR_ROLES.map(r => displayName(r, CONTRIBUTOR_ROLE_NAMES))
const SUBTYPE_NAMES: Record<string, string[]> = Object.fromEntries(
  UPLOAD_TYPES.map(type => [
    type,
    [...(UPLOAD_SUBTYPES[type] ?? []), ...Object.keys(SUBTYPE_ALIASES[type] ?? {})]
  ])
)

function vocabularyProblem(field: string, value: string): { message: string; fix: string } {
  const list = parentList(field)
  if (list === 'related_identifiers') {
    const names = RELATION_NAMES
    return {
      message: `"${value}" is not a relation type Zenodo knows`,
      fix: `use ${didYouMean(value, names)}one of: ${listOf(names)}`
    }
  }
  if (list === 'dates') {
    const names = DATE_NAMES
    return {
      message: `"${value}" is not a date type Zenodo knows`,
      fix: `use ${didYouMean(value, names)}one of: ${listOf(names)}`
    }
  }
  const names = ROLE_NAMES
  return {
    message: `"${value}" is not a contributor type Zenodo knows`,
    fix: `use ${didYouMean(value, names)}one of: ${listOf(names)}`
  }
}

function orcidProblem(value: string): { message: string; fix: string } {
  const issue = checkOrcid(value)
  if (issue?.kind === 'url') {
    return {
      message: `ORCID "${value}" is written as a URL`,
      fix: `use the bare iD: "${issue.bare}"`
    }
  }
  if (issue?.kind === 'checksum') {
    return {
      message: `ORCID "${value}" fails the ORCID checksum, so it is not a real iD (a digit is probably mistyped)`,
      fix: "copy the iD again from the person's ORCID record (https://orcid.org)"
    }
  }
  return {
    message: `ORCID "${value}" is not of the form 0000-0000-0000-000X`,
    fix: 'write the 16-digit ORCID iD with dashes, e.g. "0000-0002-1825-0097"'
  }
}

function licenseProblem(value: unknown): { message: string; fix: string } {
  const match = matchLicense(value)
  if (match.ok) return { message: 'is not accepted', fix: 'use a license id Zenodo accepts' }
  if (match.reason === 'shape') {
    return {
      message: `must be a license id string or an object with an "id", not ${describeJson(value)}`,
      fix: 'write one license id, e.g. "license": "MIT"'
    }
  }
  return {
    message: `"${match.value}" is not a license id Zenodo accepts`,
    fix: match.suggestion
      ? `use "${match.suggestion}"`
      : 'use an SPDX license id such as "MIT", "Apache-2.0", "GPL-3.0-or-later", "BSD-3-Clause" or "CC-BY-4.0" (or "other-open")'
  }
}

function typeProblem(
  field: string,
  expected: string,
  value: unknown
): { message: string; fix: string } {
  const article =
    expected === 'array' ? 'a list' : expected === 'object' ? 'an object' : `a ${expected}`
  return {
    message: `must be ${article}, not ${describeJson(value)}`,
    fix:
      expected === 'array'
        ? `write "${leaf(field)}" as a list in square brackets [...]`
        : expected === 'object'
          ? `write this entry as an object {...}`
          : `write "${leaf(field)}" as ${article}`
  }
}

function translate(
  error: ErrorObject,
  metadata: unknown
): { field: string; message: string; fix: string } | undefined {
  const value = valueAt(metadata, error.instancePath)
  const field = fieldPath(error.instancePath)
  switch (error.keyword) {
    case 'required': {
      const missing = fieldPath(error.instancePath, String(error.params.missingProperty))
      return { field: missing, ...requiredProblem(missing) }
    }
    case 'type':
      return { field, ...typeProblem(field, String(error.params.type), value) }
    case 'enum':
      return { field, ...enumProblem(field, value) }
    case 'anyCase':
      return { field, ...vocabularyProblem(field, String(value)) }
    case 'orcid':
      return { field, ...orcidProblem(String(value)) }
    case 'zenodoLicense':
      return { field, ...licenseProblem(value) }
    case 'minTrimmedLength':
      return {
        field,
        message: `${JSON.stringify(value)} is shorter than 3 characters`,
        fix: 'write a descriptive title of at least 3 characters'
      }
    case 'minItems':
      return {
        field,
        message: 'is an empty list',
        fix: REQUIRED_FIXES[leaf(field)] ?? 'add at least one entry'
      }
    case 'pattern':
      if (leaf(field) === 'language') {
        return {
          field,
          message: `"${String(value)}" is not a 2- or 3-letter ISO 639 language code`,
          fix: 'write a code such as "eng" or "en"'
        }
      }
      return { field, message: 'is empty', fix: 'write a value, or remove the field' }
    case 'format':
      return {
        field,
        message: `"${String(value)}" is not a valid date of the form YYYY-MM-DD`,
        fix: 'write the date as YYYY-MM-DD, e.g. "2024-05-31" (month 01-12, a day that exists)'
      }
    case 'if':
      return undefined
    default:
      return { field, message: error.message ?? 'is not valid', fix: 'correct the value' }
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

const PEOPLE = ['creators', 'contributors', 'thesis_supervisors'] as const
const IDENTIFIER_LISTS = ['related_identifiers', 'alternate_identifiers'] as const

/**
 * Checks of single entries that follow what Zenodo's own code does: identifiers whose scheme
 * Zenodo does not recognise (400 at create/PUT), a gnd that is not a GND id (Zenodo's server
 * fails with a 500), and ORCIDs written as URLs (Zenodo makes them bare: a warning, and
 * normalizeForZenodo does the same).
 */
function entryProblems(metadata: ZenodoMetadata, origins: Origins): Problem[] {
  const problems: Problem[] = []
  for (const list of IDENTIFIER_LISTS) {
    const entries = metadata[list]
    if (!Array.isArray(entries)) continue
    entries.forEach((entry: unknown, index) => {
      if (!isObject(entry) || typeof entry.identifier !== 'string') return
      if (entry.identifier.trim() === '') return
      const checked = checkRelatedIdentifier(entry.identifier)
      if (checked.ok) return
      const field = `${list}[${String(index)}].identifier`
      problems.push({
        severity: 'error',
        file: origins.of(`${list}[${String(index)}]`),
        field,
        message:
          checked.reason === 'swh'
            ? `"${entry.identifier}" is a Software Heritage id, which Zenodo does not accept as a related identifier (it answers 400 "No valid scheme recognized for identifier.")`
            : `"${entry.identifier}" is not an identifier Zenodo recognises (a DOI, URL, arXiv id, URN, handle, ISBN, ISSN, PMID, ADS bibcode or ARK); Zenodo answers 400 "No valid scheme recognized for identifier."`,
        fix:
          checked.reason === 'swh'
            ? `link the archive by its URL instead, e.g. "https://archive.softwareheritage.org/${entry.identifier}", or remove the entry`
            : 'write the real identifier (e.g. "10.5281/zenodo.1234" or "https://..."), or remove the entry until it exists'
      })
    })
  }
  for (const list of PEOPLE) {
    const people = metadata[list]
    if (!Array.isArray(people)) continue
    people.forEach((person: unknown, index) => {
      if (!isObject(person)) return
      const field = `${list}[${String(index)}]`
      if (typeof person.gnd === 'string' && person.gnd.trim() !== '' && !isGnd(person.gnd)) {
        problems.push({
          severity: 'error',
          file: origins.of(field),
          field: `${field}.gnd`,
          message: `"${person.gnd}" is not a GND id (Zenodo's server fails with an error on it)`,
          fix: 'write the GND id as on https://d-nb.info/gnd/, e.g. "gnd:118540238", or remove "gnd"'
        })
      }
      if (typeof person.orcid === 'string') {
        const issue = checkOrcid(person.orcid)
        if (issue?.kind === 'url') {
          problems.push({
            severity: 'warning',
            file: origins.of(field),
            field: `${field}.orcid`,
            message: `ORCID "${person.orcid}" is written as a URL; Zenodo stores the bare iD "${issue.bare}", and so does the action`,
            fix: `write the bare iD: "${issue.bare}"`
          })
        }
      }
    })
  }
  return problems
}

/**
 * `dates` entries as Zenodo reads them (docs/zenodo-api.md, "Sources of the metadata checks"):
 * start and end are each optional, but an entry with neither is refused at create/PUT (400
 * "Invalid date provided."), and the date Zenodo makes of them ("start/end", or the one date)
 * must be an EDTF date or interval (schema.ts isEdtfDate), not ending before it starts, or
 * publish fails.
 */
function dateProblems(metadata: ZenodoMetadata, origins: Origins): Problem[] {
  const problems: Problem[] = []
  if (!Array.isArray(metadata.dates)) return problems
  metadata.dates.forEach((entry: unknown, index) => {
    if (!isObject(entry)) return
    const field = `dates[${String(index)}]`
    const { start, end } = entry
    const date = legacyDateOf(start, end)
    if (date === undefined) {
      if (start !== undefined || end !== undefined) return // a type error of start/end, reported
      problems.push({
        severity: 'error',
        file: origins.of(field),
        field,
        message: 'has neither "start" nor "end"; Zenodo refuses it (400 "Invalid date provided.")',
        fix: 'give "start" (and "end" for a period), e.g. "start": "2024-05-31"'
      })
      return
    }
    const parts = [start, end].filter((p): p is string => typeof p === 'string')
    // Each part that is not a date is reported by the schema; here only their combination.
    const fine = (p: string): boolean => p === '' || p === '..' || isEdtfDate(p)
    if (!parts.every(p => fine(p.trim())) || isEdtfDate(date)) return
    problems.push({
      severity: 'error',
      file: origins.of(field),
      field,
      message: `"${date}" (start/end) is not a date or period Zenodo accepts: a period must not end before it starts, and start and end must each be one date`,
      fix: 'give "start" as the first day and "end" as the last day, e.g. "start": "2024-01-01", "end": "2024-03-31"'
    })
  })
  return problems
}

/** A coordinate as Zenodo's Float field reads it: a finite number, or text that is one. */
function coordinateNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : undefined
}

/**
 * What Zenodo keeps of a location's lat and lon (docs/zenodo-api.md, "Sources of the metadata
 * checks"): its deserializer makes a Point only `if lat and lon` (both given, neither the number
 * 0), and InvenioRDM's GeoJSON Point takes any two numbers (no range check), dropping a point
 * that is not numbers. `kept` is the pair Zenodo stores; otherwise `dropped` says why.
 */
export function zenodoCoordinates(
  location: Record<string, unknown>
): { kept: { lat: number; lon: number } } | { dropped: string } | undefined {
  const given = (v: unknown): boolean => !isEmpty(v)
  const { lat, lon } = location
  if (!given(lat) && !given(lon)) return undefined
  if (!given(lat) || !given(lon)) {
    return { dropped: `only ${given(lat) ? 'lat' : 'lon'} is given` }
  }
  if (lat === 0 || lon === 0) return { dropped: `${lat === 0 ? 'lat' : 'lon'} is 0` }
  const [y, x] = [coordinateNumber(lat), coordinateNumber(lon)]
  if (y === undefined || x === undefined) {
    return { dropped: `${y === undefined ? 'lat' : 'lon'} is not a number` }
  }
  return { kept: { lat: y, lon: x } }
}

/** Warnings for coordinates Zenodo drops or changes (the place and description are kept). */
function locationAdvisories(metadata: ZenodoMetadata, origins: Origins): Problem[] {
  const problems: Problem[] = []
  if (!Array.isArray(metadata.locations)) return problems
  metadata.locations.forEach((location: unknown, index) => {
    if (!isObject(location)) return
    const field = `locations[${String(index)}]`
    const coordinates = zenodoCoordinates(location)
    if (coordinates === undefined) return
    if ('dropped' in coordinates) {
      problems.push({
        severity: 'warning',
        file: origins.of(field),
        field,
        message: `Zenodo keeps the place but drops the coordinates, because ${coordinates.dropped} (it keeps a point only when lat and lon are both non-zero numbers)`,
        fix: coordinates.dropped.endsWith('is 0')
          ? 'to keep a point on the equator or the prime meridian, write a tiny offset such as 0.000001 instead of 0'
          : 'give both "lat" and "lon" as numbers, e.g. "lat": 46.2, "lon": 6.1, or remove them'
      })
      return
    }
    for (const axis of ['lat', 'lon'] as const) {
      if (typeof location[axis] === 'string') {
        problems.push({
          severity: 'warning',
          file: origins.of(field),
          field: `${field}.${axis}`,
          message: `is text; Zenodo stores the number ${String(coordinates.kept[axis])}`,
          fix: `write the number without quotes: "${axis}": ${String(coordinates.kept[axis])}`
        })
      }
    }
  })
  return problems
}

/** Checks a schema cannot express well; these give warnings only (Zenodo would accept them). */
function advisories(metadata: ZenodoMetadata, origins: Origins): Problem[] {
  const problems: Problem[] = []
  const warn = (field: string, message: string, fix: string): void => {
    problems.push({ severity: 'warning', file: origins.of(field), field, message, fix })
  }
  const uploadType = metadata.upload_type
  for (const type of UPLOAD_TYPES) {
    const field = subtypeField(type)
    if (metadata[field] !== undefined && uploadType !== type && typeof uploadType === 'string') {
      warn(
        field,
        `is ignored because upload_type is "${uploadType}", not "${type}"`,
        `remove "${field}", or set "upload_type": "${type}"`
      )
    }
  }
  if (Array.isArray(metadata.grants)) {
    metadata.grants.forEach((grant, index) => {
      if (
        isObject(grant) &&
        typeof grant.id === 'string' &&
        grant.id.trim() !== '' &&
        !grant.id.includes('::')
      ) {
        warn(
          `grants[${String(index)}].id`,
          `"${grant.id}" has no funder prefix; Zenodo reads it as a European Commission grant, "10.13039/501100000780::${grant.id}" (its legacy deserializer adds that prefix), and the award must exist in Zenodo's awards list`,
          `write "<funder DOI>::<award number>", e.g. "10.13039/501100000780::${grant.id}" for the European Commission, with your funder's DOI`
        )
      }
    })
  }
  if (typeof metadata.doi === 'string' && metadata.doi.trim() !== '') {
    // Zenodo takes it (docs/zenodo-api.md, "Legacy metadata": a 10.5281 DOI is managed, any other
    // is external and blocks new versions), so this warns loudly rather than refusing.
    problems.push({
      severity: 'warning',
      file: origins.of('doi'),
      field: 'doi',
      message: `sets the DOI "${metadata.doi}"; Zenodo registers a new DOI for every release, and a DOI given here either clashes with it or makes the record an external-DOI record that cannot get new versions`,
      fix: 'remove "doi" (the action outputs the DOI of each release and the concept DOI of all versions)'
    })
  }
  // Zenodo maps embargo_date to InvenioRDM's access.embargo {active: true, until}
  // (zenodo-rdm site/zenodo_rdm/legacy/deserializers/schemas.py, load_access), and InvenioRDM's
  // EmbargoSchema refuses an active embargo whose end is not after now: "Embargo end date must
  // be set to a future date." (invenio-rdm-records services/schemas/access.py). The draft keeps
  // it and publish fails, so this is refused before any write (docs/zenodo-api.md, "Sources of
  // the metadata checks"). `until` is read as midnight UTC, so an embargo ending today has ended.
  const embargo = metadata.embargo_date
  if (
    metadata.access_right === 'embargoed' &&
    typeof embargo === 'string' &&
    isCalendarDate(embargo)
  ) {
    const today = new Date().toISOString().slice(0, 10)
    if (embargo <= today) {
      problems.push({
        severity: 'error',
        file: origins.of('embargo_date'),
        field: 'embargo_date',
        message: `${embargo} is not in the future; Zenodo refuses to publish an embargo that has already ended ("Embargo end date must be set to a future date.")`,
        fix: 'set a future embargo_date, or use "access_right": "open" if the files may be open now'
      })
    }
  }
  if (typeof metadata.access_conditions === 'string' && metadata.access_conditions.trim() !== '') {
    warn(
      'access_conditions',
      "is dropped by Zenodo's deposit API (its legacy metadata has no such field), so it will not appear on the record",
      'remove "access_conditions", and write the conditions into "notes" or the description if people need them'
    )
  }
  if (metadata.access_right === 'closed') {
    warn(
      'access_right',
      '"closed" is stored by Zenodo as "restricted": the files are not public, and people can ask the owner for access',
      'write "access_right": "restricted" to say what Zenodo will do'
    )
  }
  if (metadata.upload_type === 'publication' && metadata.publication_type === 'thesis') {
    warn(
      'publication_type',
      '"thesis" is stored by Zenodo as "dissertation"',
      'write "publication_type": "dissertation"'
    )
  }
  if (typeof metadata.description === 'string' && metadata.description.trim().length < 3) {
    // The legacy deserializer trims it, and InvenioRDM's description (SanitizedHTML,
    // Length(min=3), invenio-rdm-records services/schemas/metadata.py) fails: the draft save
    // drops it, and publish goes on without a description (it is not required).
    warn(
      'description',
      `${metadata.description.trim() === '' ? 'is empty' : `${JSON.stringify(metadata.description.trim())} is shorter than 3 characters`}; Zenodo drops such a description, so the record will have none`,
      'write at least 3 characters, or remove the field to use the release notes'
    )
  }
  const access = metadata.access_right ?? 'open'
  if (
    metadata.license === undefined &&
    (access === 'open' || access === 'embargoed') &&
    !origins.unreadFile()
  ) {
    warn(
      'license',
      `no license is given, so Zenodo applies ${metadata.upload_type === 'dataset' ? 'CC0-1.0' : 'CC-BY-4.0'}`,
      'add "license" with the license of your work, e.g. "MIT" or "Apache-2.0"'
    )
  }
  return problems
}

/** The path one level up: "creators[2].orcid" -> "creators[2]" -> "creators" -> undefined. */
function parentPath(field: string): string | undefined {
  const match = /^(.*)(?:\.[^.[\]]+|\[\d+\])$/.exec(field)
  return match && match[1] !== '' ? match[1] : undefined
}

/** Add the line and column of the field (or of its nearest enclosing entry) in its file. */
function locate(problem: Problem, positions: Partial<Record<string, Positions>>): Problem {
  const known = positions[problem.file]
  if (known === undefined || problem.line !== undefined) return problem
  for (let path: string | undefined = problem.field; path !== undefined; path = parentPath(path)) {
    const position = known[path]
    if (position) return { ...problem, ...position }
  }
  return problem
}

/**
 * EDTF's grammar (and so Zenodo's check) lets February 29 through in any year: such a date is
 * taken, but the day does not exist, so it is named in a warning rather than refused.
 */
function leapDayAdvisories(metadata: ZenodoMetadata, origins: Origins): Problem[] {
  const values: [string, unknown][] = [['publication_date', metadata.publication_date]]
  if (Array.isArray(metadata.dates)) {
    metadata.dates.forEach((d: unknown, i) => {
      if (!isObject(d)) return
      values.push([`dates[${String(i)}].start`, d.start], [`dates[${String(i)}].end`, d.end])
    })
  }
  const problems: Problem[] = []
  for (const [field, value] of values) {
    if (typeof value !== 'string') continue
    for (const [, year] of value.matchAll(/(?:^|\/)(\d{4})-02-29(?![\d])/g)) {
      if (isCalendarDate(`${year}-02-29`)) continue
      problems.push({
        severity: 'warning',
        file: origins.of(field),
        field,
        message: `${year} has no February 29; Zenodo takes the date as written (EDTF allows it)`,
        fix: `check the date, e.g. "${year}-02-28" or "${year}-03-01"`
      })
    }
  }
  return problems
}

/**
 * Validate the final metadata; every problem names the file, the field, what is wrong and the
 * fix. `positions` (BuildResult.positions) adds the line and column of fields in their file.
 */
export function validateMetadata(
  metadata: ZenodoMetadata,
  origins: Record<string, string>,
  positions: Partial<Record<string, Positions>> = {}
): Problem[] {
  const where = new Origins(origins)
  const validate = metadataValidator()
  validate(metadata)
  const problems: Problem[] = []
  const seen = new Set<string>()
  for (const error of validate.errors ?? []) {
    const translated = translate(error, metadata)
    if (translated === undefined) continue
    const key = `${translated.field}\u0000${translated.message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push({ severity: 'error', file: where.of(translated.field), ...translated })
  }
  problems.push(...entryProblems(metadata, where), ...dateProblems(metadata, where))
  return [
    ...groupRepeats(problems, metadata),
    ...advisories(metadata, where),
    ...locationAdvisories(metadata, where),
    ...leapDayAdvisories(metadata, where)
  ].map(p => locate(inFileTerms(p), positions))
}

/**
 * CITATION.cff names some fields differently; a problem in a value that came from a .cff file is
 * reported under the CFF name (creators[1].orcid -> authors[1].orcid, description -> abstract).
 * The CFF mapper keeps authors in order, one creator per author, so indexes match.
 */
const CFF_NAMES: Readonly<Partial<Record<string, { name: string; fix?: string }>>> = {
  creators: {
    name: 'authors',
    fix: 'add "authors" with at least one entry (family-names and given-names, or name)'
  },
  description: { name: 'abstract', fix: 'add an "abstract" (or write release notes)' }
}

function inFileTerms(problem: Problem): Problem {
  if (!problem.file.toLowerCase().endsWith('.cff')) return problem
  const top = /^[^.[]+/.exec(problem.field)?.[0] ?? problem.field
  const cff = CFF_NAMES[top]
  if (cff === undefined) return problem
  const field = cff.name + problem.field.slice(top.length)
  const whole = field === cff.name && /^is (missing|an empty list)$/.test(problem.message)
  const fix = whole && cff.fix !== undefined ? cff.fix : problem.fix
  return { ...problem, field, fix }
}

/** How many repeats of one problem in a list are reported one by one before they are summarised. */
const MAX_REPEATS = 3

/** The kind of a problem, for grouping: the field with list indexes removed, and what is wrong. */
function repeatKey(problem: Problem, metadata: ZenodoMetadata): string {
  const pattern = problem.field.replace(/\[\d+\]/g, '[]')
  let what = problem.message.replace(/"[^"]*"/g, '""')
  if (leaf(problem.field) === 'orcid') {
    const value = valueAt(
      metadata,
      '/' + problem.field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')
    )
    what = typeof value === 'string' ? (checkOrcid(value)?.kind ?? what) : what
  }
  return `${problem.file}\u0000${pattern}\u0000${what}`
}

/**
 * The same problem in many entries of a list (e.g. 17 ORCIDs written as URLs) becomes one
 * problem that names the first entry and lists the others.
 */
function groupRepeats(problems: Problem[], metadata: ZenodoMetadata): Problem[] {
  const groups = new Map<string, Problem[]>()
  for (const problem of problems) {
    const key = repeatKey(problem, metadata)
    const group = groups.get(key)
    if (group) group.push(problem)
    else groups.set(key, [problem])
  }
  const out: Problem[] = []
  for (const group of groups.values()) {
    if (group.length <= MAX_REPEATS) {
      out.push(...group)
      continue
    }
    const [first, ...rest] = group
    const shown = rest.slice(0, 5).map(p => p.field)
    const more = rest.length > shown.length ? `, ... (${String(group.length)} in all)` : ''
    out.push({
      ...first,
      message: `${first.message}; the same problem is in ${shown.join(', ')}${more}`,
      fix: `${first.fix}; do the same for the other ${String(rest.length)}`
    })
  }
  return out
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (typeof value === 'string') return value.trim() === ''
  if (Array.isArray(value)) return value.length === 0
  if (isObject(value)) return Object.keys(value).length === 0
  return false
}

function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune).filter(v => !isEmpty(v))
  if (isObject(value)) {
    const out: Json = {}
    for (const [k, v] of Object.entries(value)) {
      const pruned = prune(v)
      if (!isEmpty(pruned)) out[k] = pruned
    }
    return out
  }
  return value
}

/** ORCIDs written as URLs made bare, as Zenodo does. */
function bareOrcids(metadata: ZenodoMetadata): ZenodoMetadata {
  const out: Json = { ...metadata }
  for (const list of PEOPLE) {
    const people = out[list]
    if (!Array.isArray(people)) continue
    out[list] = people.map((person: unknown) => {
      if (!isObject(person) || typeof person.orcid !== 'string') return person
      const issue = checkOrcid(person.orcid)
      return issue?.kind === 'url' ? { ...person, orcid: issue.bare } : person
    })
  }
  return out
}

/** Locations with the coordinates Zenodo keeps: both as numbers, or neither. */
function keptCoordinates(metadata: ZenodoMetadata): ZenodoMetadata {
  if (!Array.isArray(metadata.locations)) return metadata
  const locations = metadata.locations.map((location: unknown) => {
    if (!isObject(location)) return location
    const coordinates = zenodoCoordinates(location)
    if (coordinates === undefined) return location
    if ('kept' in coordinates) return location // as written: Zenodo reads text as a number
    const { lat: _lat, lon: _lon, ...rest } = location
    return rest
  })
  return { ...metadata, locations }
}

/**
 * What the action PUTs: the metadata without undefined, null or empty values (empty strings,
 * lists and objects, also inside lists), ORCIDs written as URLs made bare, location
 * coordinates as Zenodo keeps them (zenodoCoordinates), and no description shorter than 3
 * characters (Zenodo drops it); every other value is kept unchanged.
 */
export function normalizeForZenodo(metadata: ZenodoMetadata): ZenodoMetadata {
  return withoutShortDescription(keptCoordinates(bareOrcids(prune(metadata) as ZenodoMetadata)))
}

/** Without a description shorter than 3 characters, which Zenodo drops (see advisories). */
function withoutShortDescription(metadata: ZenodoMetadata): ZenodoMetadata {
  if (typeof metadata.description !== 'string' || metadata.description.trim().length >= 3) {
    return metadata
  }
  const { description: _dropped, ...rest } = metadata
  return rest
}
