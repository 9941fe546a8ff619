/**
 * The vocabularies an InvenioRDM instance serves at GET /api/vocabularies/<type> (InvenioRDM REST
 * API, https://inveniordm.docs.cern.ch/reference/rest_api_vocabularies/): each instance configures
 * its own resource types, licenses, relation types, roles, languages, date and description types.
 * Two sets: 'zenodo' (Zenodo's ids, from src/data/zenodo-vocabularies.json and
 * zenodo-licenses.json, languages = every ISO 639-3 code) and 'small' (a non-Zenodo instance with
 * a handful of ids per type), or a caller's own set.
 */
import { iso6393 } from 'iso-639-3'
import licenses from '../src/data/zenodo-licenses.json' with { type: 'json' }
import vocab from '../src/data/zenodo-vocabularies.json' with { type: 'json' }

/** The vocabulary types the action reads. */
export const VOCABULARY_TYPES = [
  'resourcetypes',
  'licenses',
  'relationtypes',
  'creatorsroles',
  'contributorsroles',
  'languages',
  'datetypes',
  'descriptiontypes'
] as const

export type VocabularyType = (typeof VOCABULARY_TYPES)[number]

/** One vocabulary entry: its id and English title. */
export interface VocabularyEntry {
  id: string
  title: string
  props?: Record<string, string>
}

/** The ids an instance knows, per type. */
export type VocabularySet = Record<VocabularyType, VocabularyEntry[]>

const titled = (ids: readonly string[]): VocabularyEntry[] => ids.map(id => ({ id, title: id }))

function zenodoSet(): VocabularySet {
  const rdmLicenses = [...new Set(Object.values(licenses.legacy_to_rdm as Record<string, string>))]
  return {
    resourcetypes: vocab.resource_types.map(r => ({
      id: r.id,
      title: r.id,
      props: { depositable: String(r.depositable) }
    })),
    licenses: rdmLicenses.map(id => ({ id, title: id, props: { scheme: 'spdx' } })),
    relationtypes: titled(vocab.relation_types),
    creatorsroles: titled(vocab.roles),
    contributorsroles: titled(vocab.roles),
    languages: iso6393.map(l => ({ id: l.iso6393, title: l.name })),
    datetypes: titled(vocab.date_types),
    // InvenioRDM's default description types (Zenodo maps legacy `notes` to "other")
    descriptiontypes: titled([
      'abstract',
      'methods',
      'series-information',
      'table-of-contents',
      'technical-info',
      'other'
    ])
  }
}

/** A small institutional instance: few ids per type. */
function smallSet(): VocabularySet {
  return {
    resourcetypes: titled([
      'dataset',
      'software',
      'publication',
      'publication-article',
      'publication-report',
      'image-photo',
      'other'
    ]),
    licenses: titled(['cc-by-4.0', 'cc0-1.0', 'mit', 'apache-2.0', 'gpl-3.0-only']),
    relationtypes: titled([
      'issupplementto',
      'issupplementedby',
      'references',
      'isreferencedby',
      'cites',
      'iscitedby',
      'isversionof',
      'isdocumentedby',
      'ispartof',
      'haspart'
    ]),
    creatorsroles: titled(['contactperson', 'researcher', 'projectleader', 'other']),
    contributorsroles: titled([
      'contactperson',
      'datacurator',
      'editor',
      'researcher',
      'supervisor',
      'other'
    ]),
    languages: titled(['eng', 'deu', 'fra', 'ita', 'spa']),
    datetypes: titled([
      'accepted',
      'available',
      'collected',
      'created',
      'issued',
      'updated',
      'other'
    ]),
    descriptiontypes: titled(['abstract', 'methods', 'technical-info', 'other'])
  }
}

let zenodoCache: VocabularySet | undefined

/** A named set, or the caller's own. */
export function vocabularySet(which: 'zenodo' | 'small' | VocabularySet): VocabularySet {
  if (which === 'small') return smallSet()
  if (which === 'zenodo') return (zenodoCache ??= zenodoSet())
  return which
}

/** Fast membership per type. */
export class VocabularyIndex {
  private readonly ids = new Map<string, Map<string, VocabularyEntry>>()

  constructor(readonly set: VocabularySet) {
    for (const [type, entries] of Object.entries(set)) {
      this.ids.set(type, new Map(entries.map(e => [e.id, e])))
    }
  }

  has(type: VocabularyType, id: string): boolean {
    return this.ids.get(type)?.has(id) ?? false
  }

  get(type: string, id: string): VocabularyEntry | undefined {
    return this.ids.get(type)?.get(id)
  }

  entries(type: string): VocabularyEntry[] | undefined {
    const m = this.ids.get(type)
    return m ? [...m.values()] : undefined
  }
}
