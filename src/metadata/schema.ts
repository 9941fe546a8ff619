/**
 * The JSON Schema of the final legacy metadata, generated from Zenodo's vocabularies
 * (src/data/zenodo-vocabularies.json) and license list (via license.ts), compiled with ajv.
 * Custom keywords: anyCase (vocabulary matched case-insensitively, as Zenodo does), orcid,
 * zenodoLicense, minTrimmedLength; formats: date (YYYY-MM-DD, a real day) and edtf-date.
 */
import { Ajv, type ValidateFunction } from 'ajv'
import { FREE_TEXT_FIELDS } from './legacy-fields.js'
import { isAcceptedLicense } from './license.js'
import { checkOrcid } from './orcid.js'
import {
  CONTRIBUTOR_ROLES,
  DATE_TYPES,
  RELATION_TYPES,
  RESOURCE_TYPE_IDS,
  SUBTYPE_ALIASES,
  UPLOAD_SUBTYPES,
  UPLOAD_TYPES,
  subtypeField
} from './vocabulary.js'

/** The access rights of the legacy API. */
export const ACCESS_RIGHTS = ['open', 'embargoed', 'restricted', 'closed'] as const

/** Whether YYYY-MM-DD (or YYYY-MM, YYYY when `partial`) names a real calendar date. */
export function isCalendarDate(value: string, partial = false): boolean {
  const match = partial
    ? /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value)
    : /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return false
  // Groups that did not take part in the match are undefined.
  const [y, m, d] = [match.at(1), match.at(2), match.at(3)]
  if (m === undefined) return true
  const month = Number(m)
  if (month < 1 || month > 12) return false
  if (d === undefined) return true
  const day = Number(d)
  const days = new Date(Date.UTC(Number(y), month, 0)).getUTCDate()
  return day >= 1 && day <= days
}

/** The last day EDTF's grammar allows in a month (29 for February, whatever the year). */
const EDTF_LAST_DAY: Record<string, number> = { '02': 29, '04': 30, '06': 30, '09': 30, '11': 30 }

/**
 * One EDTF date as python-edtf parses it (levels 0-2): a year (4 digits, optionally negative,
 * with trailing X digits unspecified, or a long "Y" year), then a month (01-12, XX) or a season
 * (21-41), then a day (XX, or one the month has in EDTF's grammar); the qualifiers ?, ~ and %
 * may follow any part or lead it. Gives the first and last day it can mean when it is fully
 * specified (for the chronology check), else just that it is a date.
 */
function edtfDate(text: string): { bounds?: [string, string] } | undefined {
  const bare = text.replace(/[?~%]/g, '')
  if (/^Y-?\d{5,}$/.test(bare)) return {}
  const m = /^(-?)(\d{4}|\d{3}X|\d{2}XX|\dXXX|XXXX)(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?$/.exec(bare)
  if (!m) return undefined
  const [minus, year, month, day] = [m.at(1) ?? '', m.at(2) ?? '', m.at(3), m.at(4)]
  if (month !== undefined && month !== 'XX') {
    const n = Number(month)
    const season = n >= 21 && n <= 41
    if (season) return day === undefined ? {} : undefined
    if (n < 1 || n > 12) return undefined
  }
  if (day !== undefined && day !== 'XX') {
    const n = Number(day)
    if (n < 1 || n > (month === undefined || month === 'XX' ? 31 : (EDTF_LAST_DAY[month] ?? 31))) {
      return undefined
    }
  }
  if (minus || /X/.test(`${year}${month ?? ''}${day ?? ''}`)) return {}
  const first = `${year}-${month ?? '01'}-${day ?? '01'}`
  const lastDay =
    day ?? String(new Date(Date.UTC(Number(year), Number(month ?? '12'), 0)).getUTCDate())
  return { bounds: [first, `${year}-${month ?? '12'}-${lastDay}`] }
}

/**
 * A date or interval InvenioRDM's EDTFDateString takes (marshmallow-utils
 * fields/edtfdatestring.py: python-edtf's parse_edtf, an EDTF Date or Interval, and an interval
 * must not end before it starts): one date (edtfDate), or two joined by "/" where either end may
 * be open ("..") or unknown (empty). Lenient where the grammar is not certain: a qualified date
 * alone is accepted.
 */
export function isEdtfDate(value: string): boolean {
  const parts = value.trim().split('/')
  if (parts.length === 1) return edtfDate(parts[0]) !== undefined
  if (parts.length > 2) return false
  const ends = parts.map(p => (p === '' || p === '..' ? null : edtfDate(p)))
  if (ends.some(e => e === undefined) || ends.every(e => e === null)) return false
  const [from, to] = ends
  if (!from?.bounds || !to?.bounds) return true
  return from.bounds[0] <= to.bounds[1]
}

/**
 * The one EDTF date Zenodo makes of a legacy `dates` entry (zenodo-rdm
 * legacy/deserializers/metadata.py, load_dates): "start/end", or the date alone when only one is
 * given or both are the same; undefined when neither is given.
 */
export function legacyDateOf(start: unknown, end: unknown): string | undefined {
  const from = typeof start === 'string' && start.trim() !== '' ? start.trim() : undefined
  const to = typeof end === 'string' && end.trim() !== '' ? end.trim() : undefined
  if (from !== undefined && to !== undefined) return from === to ? from : `${from}/${to}`
  return from ?? to
}

const nonBlank = { type: 'string', pattern: '\\S' }

const person = {
  type: 'object',
  required: ['name'],
  properties: {
    name: nonBlank,
    affiliation: { type: 'string' },
    orcid: { type: 'string', orcid: true },
    gnd: { type: 'string' }
  }
}

function subtypeRules(): object[] {
  return Object.entries(UPLOAD_SUBTYPES).map(([type, subtypes]) => ({
    if: { properties: { upload_type: { const: type } }, required: ['upload_type'] },
    then: {
      properties: {
        [subtypeField(type)]: {
          type: 'string',
          enum: [...subtypes, ...Object.keys(SUBTYPE_ALIASES[type] ?? {})]
        }
      }
    }
  }))
}

/** The generated JSON Schema of the final metadata. */
export function metadataSchema(): object {
  return {
    type: 'object',
    // description is optional in InvenioRDM; one shorter than 3 characters is dropped by
    // Zenodo (validate.ts warns about it). publication_date is not required either: Zenodo's
    // legacy deserializer makes it today when it is absent (docs/zenodo-api.md).
    required: ['upload_type', 'title', 'creators'],
    properties: {
      ...Object.fromEntries(FREE_TEXT_FIELDS.map(f => [f, { type: 'string' }])),
      upload_type: { type: 'string', enum: UPLOAD_TYPES },
      title: { type: 'string', minTrimmedLength: 3 },
      description: { type: 'string' },
      publication_date: { type: 'string', format: 'edtf-date' },
      creators: { type: 'array', minItems: 1, items: person },
      contributors: {
        type: 'array',
        items: {
          ...person,
          required: ['name', 'type'],
          properties: { ...person.properties, type: { type: 'string', anyCase: CONTRIBUTOR_ROLES } }
        }
      },
      thesis_supervisors: { type: 'array', items: person },
      access_right: { type: 'string', enum: ACCESS_RIGHTS },
      embargo_date: { type: 'string', format: 'date' },
      license: { zenodoLicense: true },
      keywords: { type: 'array', items: { type: 'string' } },
      references: { type: 'array', items: { type: 'string' } },
      related_identifiers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['identifier', 'relation'],
          properties: {
            identifier: nonBlank,
            relation: { type: 'string', anyCase: RELATION_TYPES },
            resource_type: { type: 'string', enum: RESOURCE_TYPE_IDS },
            scheme: { type: 'string' }
          }
        }
      },
      alternate_identifiers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['identifier'],
          properties: { identifier: nonBlank, scheme: { type: 'string' } }
        }
      },
      communities: {
        type: 'array',
        items: { type: 'object', required: ['identifier'], properties: { identifier: nonBlank } }
      },
      grants: {
        type: 'array',
        items: { type: 'object', required: ['id'], properties: { id: nonBlank } }
      },
      language: { type: 'string', pattern: '^[A-Za-z]{2,3}$' },
      dates: {
        type: 'array',
        items: {
          type: 'object',
          // type is indexed by Zenodo's deserializer (missing: 500); start and end are each
          // optional, but one of them is needed (validate.ts, dateProblems).
          required: ['type'],
          properties: {
            start: { type: 'string', format: 'edtf-date' },
            end: { type: 'string', format: 'edtf-date' },
            type: { type: 'string', anyCase: DATE_TYPES },
            description: { type: 'string' }
          }
        }
      },
      locations: {
        type: 'array',
        items: {
          type: 'object',
          required: ['place'],
          properties: {
            place: nonBlank,
            // lat and lon are not checked here: Zenodo takes any value and drops the
            // coordinates it cannot use (validate.ts, zenodoCoordinates).
            description: { type: 'string' }
          }
        }
      },
      doi: { type: 'string' }
    },
    allOf: [
      {
        if: { properties: { access_right: { const: 'embargoed' } }, required: ['access_right'] },
        then: { required: ['embargo_date'] }
      },
      ...subtypeRules()
    ]
  }
}

let compiled: ValidateFunction | undefined

/** The compiled validator (compiled once). */
export function metadataValidator(): ValidateFunction {
  if (compiled) return compiled
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false })
  ajv.addFormat('date', { type: 'string', validate: (v: string) => isCalendarDate(v) })
  // A legacy start or end: a date, or ".." (an open end: "2024-01-01/.." once joined).
  ajv.addFormat('edtf-date', {
    type: 'string',
    validate: v => v.trim() === '..' || isEdtfDate(v)
  })
  ajv.addKeyword({
    keyword: 'anyCase',
    type: 'string',
    schemaType: 'array',
    validate: (allowed: string[], data: string) => allowed.includes(data.toLowerCase())
  })
  ajv.addKeyword({
    keyword: 'orcid',
    type: 'string',
    schemaType: 'boolean',
    // A URL form is accepted (Zenodo makes it bare); validate.ts warns about it.
    validate: (_: boolean, data: string) => {
      const issue = checkOrcid(data)
      return issue === undefined || issue.kind === 'url'
    }
  })
  ajv.addKeyword({
    keyword: 'zenodoLicense',
    schemaType: 'boolean',
    validate: (_: boolean, data: unknown) => isAcceptedLicense(data)
  })
  ajv.addKeyword({
    keyword: 'minTrimmedLength',
    type: 'string',
    schemaType: 'number',
    validate: (min: number, data: string) => data.trim().length >= min
  })
  compiled = ajv.compile(metadataSchema())
  return compiled
}
