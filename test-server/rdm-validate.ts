/**
 * How an InvenioRDM instance checks a draft's body (InvenioRDM REST API,
 * https://inveniordm.docs.cern.ch/reference/rest_api_drafts_records/ and the metadata reference
 * https://inveniordm.docs.cern.ch/reference/metadata/):
 * - create/PUT are lenient: schema errors come back in the body's "errors" list and the draft is
 *   saved without the bad values; a vocabulary id the instance does not know is refused (400
 *   "Invalid value <id>.", as docs/zenodo-api.md "Publish" reports for Zenodo);
 * - publish is strict: every error, plus the required fields and the files, as a 400 validation
 *   error with RDM field names.
 */
import { validEdtf } from './edtf.js'
import { checkOrcid } from '../src/metadata/orcid.js'
import { apiError, isObject, today, type FieldError } from './http-util.js'
import type { VocabularyIndex, VocabularyType } from './rdm-vocabularies.js'

/** The parts of a draft the server keeps. */
export interface DraftBody {
  metadata: Record<string, unknown>
  access: {
    record: string
    files: string
    embargo: { active: boolean; until?: string; reason?: string | null }
  }
  filesEnabled: boolean
  custom_fields: Record<string, unknown>
  /** An external DOI given in pids.doi (provider "external"). */
  externalDoi?: string
}

const METADATA_KEYS = new Set([
  'resource_type',
  'creators',
  'title',
  'publication_date',
  'subjects',
  'contributors',
  'dates',
  'languages',
  'identifiers',
  'related_identifiers',
  'sizes',
  'formats',
  'version',
  'rights',
  'copyright',
  'description',
  'additional_titles',
  'additional_descriptions',
  'locations',
  'funding',
  'references',
  'publisher'
])

const MISSING = 'Missing data for required field.'
function invalidValue(id: unknown): Error {
  return apiError(400, `Invalid value ${String(id)}.`)
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** Refuses a vocabulary id the instance does not have (the whole request fails). */
function checkVocab(vocab: VocabularyIndex, type: VocabularyType, ref: unknown): void {
  if (ref === undefined || ref === null) return
  const id = isObject(ref) ? ref.id : undefined
  if (typeof id !== 'string') return
  if (!vocab.has(type, id)) throw invalidValue(id)
}

/** Loads a create/PUT body: vocabulary misses throw, other problems are listed and dropped. */
export function loadDraftBody(
  input: unknown,
  vocab: VocabularyIndex
): { body: DraftBody; errors: FieldError[] } {
  const errors: FieldError[] = []
  const root = isObject(input) ? input : {}
  const inMeta = isObject(root.metadata) ? root.metadata : {}
  const metadata: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(inMeta)) {
    if (!METADATA_KEYS.has(k)) {
      errors.push({ field: `metadata.${k}`, messages: ['Unknown field.'] })
      continue
    }
    metadata[k] = structuredClone(v)
  }
  checkVocab(vocab, 'resourcetypes', metadata.resource_type)
  for (const key of ['creators', 'contributors'] as const) {
    const type = key === 'creators' ? 'creatorsroles' : 'contributorsroles'
    list(metadata[key]).forEach(c => {
      if (isObject(c)) checkVocab(vocab, type, c.role)
    })
  }
  for (const r of list(metadata.rights))
    if (isObject(r) && r.id !== undefined) checkVocab(vocab, 'licenses', r)
  for (const l of list(metadata.languages)) checkVocab(vocab, 'languages', l)
  for (const r of list(metadata.related_identifiers)) {
    if (!isObject(r)) continue
    checkVocab(vocab, 'relationtypes', r.relation_type)
    checkVocab(vocab, 'resourcetypes', r.resource_type)
  }
  for (const d of list(metadata.dates)) if (isObject(d)) checkVocab(vocab, 'datetypes', d.type)
  for (const d of list(metadata.additional_descriptions)) {
    if (isObject(d)) checkVocab(vocab, 'descriptiontypes', d.type)
  }

  if (metadata.publication_date !== undefined) {
    if (!validEdtf(metadata.publication_date)) {
      errors.push({
        field: 'metadata.publication_date',
        messages: ['Please provide a valid date or interval.']
      })
      delete metadata.publication_date
    }
  }
  // dates[].date is an EDTFDateString (invenio-rdm-records DateSchema): an invalid one is
  // dropped at save and listed, and publish then fails on it.
  list(metadata.dates).forEach((d, i) => {
    if (!isObject(d) || validEdtf(d.date)) return
    errors.push({
      field: `metadata.dates.${String(i)}.date`,
      messages: [d.date === undefined ? MISSING : 'Please provide a valid date or interval.']
    })
    delete d.date
  })
  if (metadata.title !== undefined && typeof metadata.title !== 'string') {
    errors.push({ field: 'metadata.title', messages: ['Not a valid string.'] })
    delete metadata.title
  }
  for (const key of ['creators', 'contributors'] as const) {
    list(metadata[key]).forEach((c, i) =>
      errors.push(...personErrors(c, `metadata.${key}.${String(i)}`))
    )
  }
  list(metadata.related_identifiers).forEach((r, i) => {
    const at = `metadata.related_identifiers.${String(i)}`
    if (!isObject(r)) return
    if (typeof r.identifier !== 'string' || !r.identifier)
      errors.push({ field: `${at}.identifier`, messages: [MISSING] })
    if (typeof r.scheme !== 'string' || !r.scheme) {
      errors.push({
        field: `${at}.scheme`,
        messages: ['No valid scheme recognized for identifier.']
      })
    }
    if (!isObject(r.relation_type))
      errors.push({ field: `${at}.relation_type`, messages: [MISSING] })
  })

  const access = loadAccess(root.access, errors)
  const files = isObject(root.files) ? root.files : {}
  const pids = isObject(root.pids) ? root.pids : {}
  const doi = isObject(pids.doi) ? pids.doi : undefined
  return {
    body: {
      metadata,
      access,
      filesEnabled: files.enabled !== false,
      custom_fields: isObject(root.custom_fields) ? structuredClone(root.custom_fields) : {},
      ...(doi && doi.provider === 'external' && typeof doi.identifier === 'string'
        ? { externalDoi: doi.identifier }
        : {})
    },
    errors
  }
}

function personErrors(c: unknown, at: string): FieldError[] {
  if (!isObject(c) || !isObject(c.person_or_org))
    return [{ field: `${at}.person_or_org`, messages: [MISSING] }]
  const p = c.person_or_org
  const out: FieldError[] = []
  if (p.type !== 'personal' && p.type !== 'organizational') {
    out.push({ field: `${at}.person_or_org.type`, messages: [MISSING] })
  } else if (p.type === 'personal' && (typeof p.family_name !== 'string' || !p.family_name)) {
    out.push({ field: `${at}.person_or_org.family_name`, messages: [MISSING] })
  } else if (p.type === 'organizational' && (typeof p.name !== 'string' || !p.name)) {
    out.push({ field: `${at}.person_or_org.name`, messages: [MISSING] })
  }
  list(p.identifiers).forEach((id, j) => {
    if (!isObject(id) || id.scheme !== 'orcid' || typeof id.identifier !== 'string') return
    const issue = checkOrcid(id.identifier)
    if (issue && issue.kind !== 'url') {
      out.push({
        field: `${at}.person_or_org.identifiers.${String(j)}.identifier`,
        messages: ['Invalid ORCID identifier.']
      })
    }
  })
  return out
}

function loadAccess(v: unknown, errors: FieldError[]): DraftBody['access'] {
  const a = isObject(v) ? v : {}
  const pick = (k: 'record' | 'files'): string => {
    const x = a[k]
    if (x === undefined) return 'public'
    if (x === 'public' || x === 'restricted') return x
    errors.push({ field: `access.${k}`, messages: ['Must be one of: public, restricted.'] })
    return 'public'
  }
  const e = isObject(a.embargo) ? a.embargo : {}
  const active = e.active === true
  return {
    record: pick('record'),
    files: pick('files'),
    embargo: {
      active,
      ...(typeof e.until === 'string' ? { until: e.until } : {}),
      reason: typeof e.reason === 'string' ? e.reason : null
    }
  }
}

/** The errors publish answers with (empty: the draft publishes). */
export function publishErrors(
  body: DraftBody,
  saveErrors: FieldError[],
  files: { committed: number; pending: string[] }
): FieldError[] {
  const errors = [...saveErrors]
  const m = body.metadata
  if (!isObject(m.resource_type))
    errors.push({ field: 'metadata.resource_type', messages: [MISSING] })
  if (list(m.creators).length === 0)
    errors.push({ field: 'metadata.creators', messages: [MISSING] })
  if (typeof m.title !== 'string' || !m.title.trim())
    errors.push({ field: 'metadata.title', messages: [MISSING] })
  else if (m.title.trim().length < 3)
    errors.push({ field: 'metadata.title', messages: ['Shorter than minimum length 3.'] })
  if (m.publication_date === undefined)
    errors.push({ field: 'metadata.publication_date', messages: [MISSING] })
  if (body.filesEnabled && files.committed === 0) {
    errors.push({
      field: 'files.enabled',
      messages: [
        'Missing uploaded files. To disable files for this record please mark it as metadata-only.'
      ]
    })
  }
  for (const key of files.pending) {
    errors.push({ field: 'files.entries', messages: [`File ${key} has not been committed.`] })
  }
  // EmbargoSchema (invenio-rdm-records services/schemas/access.py): an active embargo needs an
  // `until` after now; a date is read as midnight UTC, so today has already passed.
  const until = body.access.embargo.until
  if (body.access.embargo.active && !(until !== undefined && until.slice(0, 10) > today())) {
    errors.push({
      field: 'access.embargo.until',
      messages: ['Embargo end date must be set to a future date.']
    })
  }
  return errors
}
