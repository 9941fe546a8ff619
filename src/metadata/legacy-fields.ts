/**
 * The fields of Zenodo's legacy deposit metadata (the .zenodo.json format), with the JSON shape
 * each one takes. Zenodo silently drops any other key.
 */
import { SUBTYPE_FIELDS } from './vocabulary.js'

/** The JSON shape a legacy field takes. */
export type FieldShape = 'string' | 'license' | 'people' | 'objects' | 'strings' | 'object' | 'any'

/** Free-text fields of publications, conferences, books and theses: any string. */
export const FREE_TEXT_FIELDS: readonly string[] = [
  'version',
  'access_conditions',
  'notes',
  'method',
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
  'imprint_publisher',
  'imprint_isbn',
  'imprint_place',
  'partof_title',
  'partof_pages',
  'thesis_university'
]

const STRING_FIELDS = [
  'upload_type',
  ...SUBTYPE_FIELDS,
  'title',
  'description',
  'publication_date',
  'access_right',
  'embargo_date',
  'language',
  'doi',
  ...FREE_TEXT_FIELDS
]

/** Every top-level legacy field and its shape. */
export const LEGACY_FIELDS: Readonly<Partial<Record<string, FieldShape>>> = {
  ...Object.fromEntries(STRING_FIELDS.map(f => [f, 'string' as const])),
  license: 'license',
  creators: 'people',
  contributors: 'people',
  thesis_supervisors: 'people',
  related_identifiers: 'objects',
  alternate_identifiers: 'objects',
  communities: 'objects',
  grants: 'objects',
  // No `subjects`: Zenodo's legacy deserializer has no such field (its subjects come from
  // keywords), so it drops `subjects` like any unknown key (docs/zenodo-api.md, "Sources of the
  // metadata checks"; zenodo-rdm legacy/deserializers/metadata.py).
  locations: 'objects',
  dates: 'objects',
  keywords: 'strings',
  references: 'strings',
  custom: 'object',
  prereserve_doi: 'any'
}

/** The keys Zenodo reads inside the elements of list fields. */
export const ELEMENT_KEYS: Readonly<Partial<Record<string, readonly string[]>>> = {
  creators: ['name', 'affiliation', 'orcid', 'gnd'],
  contributors: ['name', 'affiliation', 'orcid', 'gnd', 'type'],
  thesis_supervisors: ['name', 'affiliation', 'orcid', 'gnd'],
  related_identifiers: ['identifier', 'relation', 'resource_type', 'scheme'],
  alternate_identifiers: ['identifier', 'scheme'],
  communities: ['identifier'],
  grants: ['id'],
  locations: ['lat', 'lon', 'place', 'description'],
  dates: ['start', 'end', 'type', 'description']
}

/**
 * Keys people write for a legacy field under another name (matched after lower-casing), for
 * "did you mean" hints that plain spelling distance would miss.
 */
export const KEY_ALIASES: Readonly<Partial<Record<string, string>>> = {
  author: 'creators',
  authors: 'creators',
  creator: 'creators',
  licence: 'license',
  licenses: 'license',
  licences: 'license',
  rights: 'license',
  keyword: 'keywords',
  tags: 'keywords',
  subject: 'keywords',
  abstract: 'description',
  summary: 'description',
  funding: 'grants',
  grant: 'grants',
  community: 'communities',
  date: 'publication_date',
  date_published: 'publication_date',
  datepublished: 'publication_date',
  date_released: 'publication_date',
  resource_type: 'upload_type',
  type: 'upload_type',
  contributor: 'contributors',
  reference: 'references',
  related_identifier: 'related_identifiers',
  relations: 'related_identifiers',
  orchid: 'orcid',
  affiliations: 'affiliation',
  given_name: 'name',
  family_name: 'name',
  givenname: 'name',
  familyname: 'name',
  role: 'type',
  relation_type: 'relation'
}
