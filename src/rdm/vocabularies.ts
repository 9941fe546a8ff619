/**
 * Each InvenioRDM instance configures its own vocabularies (resource types, licenses, relation
 * types, creator and contributor roles, languages, date and description types). In the read-only
 * planning phase they are read from the instance (GET /api/vocabularies/<type>, paged; a large
 * one such as languages is asked id by id, GET /api/vocabularies/<type>/<id>), and the mapped
 * record is checked against them: an id the instance lacks is refused at create/PUT ("Invalid
 * value <id>."), so it is refused here before any write, naming the user's file, field and fix.
 * Source: https://inveniordm.docs.cern.ch/reference/rest_api_vocabularies/.
 */
import type { Problem } from '../errors.js'
import { closest } from '../metadata/suggest.js'
import type { RdmClient } from './client.js'
import type { MappedRecord, RdmBody } from './metadata.js'

/** The vocabulary types a record body refers to. */
export type VocabularyType =
  | 'resourcetypes'
  | 'licenses'
  | 'relationtypes'
  | 'creatorsroles'
  | 'contributorsroles'
  | 'languages'
  | 'datetypes'
  | 'descriptiontypes'

/** One vocabulary id used in a body, at an RDM field path. */
export interface VocabularyRef {
  type: VocabularyType
  id: string
  /** e.g. "metadata.related_identifiers[2].relation_type" */
  path: string
}

/** What was learnt of an instance's vocabularies. */
export interface Vocabularies {
  /** Whether the instance has the id (only ids of the refs given to readVocabularies are known). */
  has(type: VocabularyType, id: string): boolean
  /** Every id of a type, when the whole vocabulary was read (small ones). */
  all(type: VocabularyType): readonly string[] | undefined
}

/** Vocabularies with more entries than this are checked id by id instead of read whole. */
const READ_WHOLE_MAX = 1000
const PAGE_SIZE = 100

const LABELS: Record<VocabularyType, string> = {
  resourcetypes: 'resource type',
  licenses: 'license',
  relationtypes: 'relation type',
  creatorsroles: 'creator role',
  contributorsroles: 'contributor role',
  languages: 'language',
  datetypes: 'date type',
  descriptiontypes: 'description type'
}

/** Every vocabulary id a record body uses, with its path. */
export function vocabularyRefs(body: RdmBody): VocabularyRef[] {
  const m = body.metadata
  const refs: VocabularyRef[] = []
  const idOf = (v: unknown): string | undefined =>
    isObject(v) && typeof v.id === 'string' ? v.id : undefined
  const add = (type: VocabularyType, v: unknown, path: string): void => {
    const id = idOf(v)
    if (id !== undefined) refs.push({ type, id, path })
  }
  add('resourcetypes', m.resource_type, 'metadata.resource_type')
  list(m.creators).forEach((c, i) => {
    if (isObject(c)) add('creatorsroles', c.role, `metadata.creators[${String(i)}].role`)
  })
  list(m.contributors).forEach((c, i) => {
    if (isObject(c)) add('contributorsroles', c.role, `metadata.contributors[${String(i)}].role`)
  })
  list(m.rights).forEach((r, i) => {
    add('licenses', r, `metadata.rights[${String(i)}]`)
  })
  list(m.languages).forEach((l, i) => {
    add('languages', l, `metadata.languages[${String(i)}]`)
  })
  list(m.related_identifiers).forEach((r, i) => {
    if (!isObject(r)) return
    add(
      'relationtypes',
      r.relation_type,
      `metadata.related_identifiers[${String(i)}].relation_type`
    )
    add(
      'resourcetypes',
      r.resource_type,
      `metadata.related_identifiers[${String(i)}].resource_type`
    )
  })
  list(m.dates).forEach((d, i) => {
    if (isObject(d)) add('datetypes', d.type, `metadata.dates[${String(i)}].type`)
  })
  list(m.additional_descriptions).forEach((d, i) => {
    if (isObject(d))
      add('descriptiontypes', d.type, `metadata.additional_descriptions[${String(i)}].type`)
  })
  return refs
}

/**
 * Reads what the refs need of the instance's vocabularies (read-only requests): small
 * vocabularies whole, page by page; large ones id by id.
 */
export async function readVocabularies(
  client: RdmClient,
  refs: readonly VocabularyRef[]
): Promise<Vocabularies> {
  const whole = new Map<VocabularyType, Set<string>>()
  const checked = new Map<VocabularyType, Map<string, boolean>>()
  const types = [...new Set(refs.map(r => r.type))]
  for (const type of types) {
    const first = await client.vocabularyPage(type, 1, PAGE_SIZE)
    if (first.total <= READ_WHOLE_MAX) {
      const ids = new Set(first.items.map(i => i.id))
      let next = first.next
      const pages = Math.ceil(first.total / PAGE_SIZE)
      for (let page = 2; next && page <= pages; page++) {
        const res = await client.vocabularyPage(type, page, PAGE_SIZE)
        for (const i of res.items) ids.add(i.id)
        next = res.next
      }
      whole.set(type, ids)
      continue
    }
    const known = new Map<string, boolean>(first.items.map(i => [i.id, true]))
    for (const id of new Set(refs.filter(r => r.type === type).map(r => r.id))) {
      if (!known.has(id)) known.set(id, await client.vocabularyHas(type, id))
    }
    checked.set(type, known)
  }
  return {
    has: (type, id) => whole.get(type)?.has(id) ?? checked.get(type)?.get(id) ?? false,
    all: type => {
      const ids = whole.get(type)
      return ids ? [...ids].sort() : undefined
    }
  }
}

/**
 * The problems of a mapped record against an instance's vocabularies: one error per id the
 * instance would refuse, naming the user's field (through the mapping's origins) and the fix.
 */
export function checkVocabularies(
  mapped: MappedRecord,
  vocabularies: Vocabularies,
  opts: { file: string; instance: string }
): Problem[] {
  const problems: Problem[] = []
  for (const ref of vocabularyRefs(mapped.body)) {
    if (vocabularies.has(ref.type, ref.id)) continue
    const field = mapped.origins[ref.path] ?? ref.path
    const label = LABELS[ref.type]
    const ids = vocabularies.all(ref.type)
    const near = ids ? closest(ref.id, ids) : undefined
    const shown = ids ? ids.slice(0, 15).join(', ') + (ids.length > 15 ? ', ...' : '') : undefined
    const fromLegacy = field !== ref.path
    const spell = (id: string): string =>
      fromLegacy && ref.type === 'resourcetypes' && ref.path === 'metadata.resource_type'
        ? legacyType(id)
        : `"${id}"`
    problems.push({
      severity: 'error',
      file: opts.file,
      field,
      message: `"${ref.id}" is not a ${label} of ${opts.instance}${fromLegacy ? ` (mapped from this field to InvenioRDM's ${ref.path})` : ''}`,
      fix:
        (near ? `use ${spell(near)}` : `use a ${label} the repository offers`) +
        (shown
          ? `; its ${label}s are: ${shown}`
          : `; see ${opts.instance}/api/vocabularies/${ref.type}`)
    })
  }
  return problems
}

/** Reads the instance's vocabularies for a mapped record and checks it (read-only). */
export async function validateAgainstInstance(
  client: RdmClient,
  mapped: MappedRecord,
  opts: { file: string; instance: string }
): Promise<Problem[]> {
  const vocabularies = await readVocabularies(client, vocabularyRefs(mapped.body))
  return checkVocabularies(mapped, vocabularies, opts)
}

/** "publication-article" -> upload_type "publication" with publication_type "article". */
function legacyType(id: string): string {
  const dash = id.indexOf('-')
  if (dash < 0) return `upload_type "${id}"`
  const type = id.slice(0, dash)
  return `upload_type "${type}" with ${type}_type "${id.slice(dash + 1)}"`
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
