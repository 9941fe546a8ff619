/**
 * Zenodo's controlled vocabularies, derived from src/data/zenodo-vocabularies.json (never a
 * hand-picked list): legacy upload types and their subtypes, relation types, contributor roles,
 * date types.
 */
import vocabularies from '../data/zenodo-vocabularies.json' with { type: 'json' }

interface ResourceTypeEntry {
  id: string
  depositable: boolean
}

const resourceTypes: ResourceTypeEntry[] = vocabularies.resource_types

/** Every resource type id Zenodo knows (e.g. "publication-article"), depositable or not. */
export const RESOURCE_TYPE_IDS: readonly string[] = resourceTypes.map(t => t.id)

/** Resource type ids a deposit may have. */
export const DEPOSITABLE_RESOURCE_TYPE_IDS: readonly string[] = resourceTypes
  .filter(t => t.depositable)
  .map(t => t.id)

/**
 * Legacy subtype aliases Zenodo still accepts: the legacy API maps `thesis` onto `dissertation`
 * (see "thesis => dissertation" in zenodo-api.md).
 */
export const SUBTYPE_ALIASES: Readonly<Record<string, Record<string, string>>> = {
  publication: { thesis: 'dissertation' }
}

function buildUploadTypes(): { types: string[]; subtypes: Record<string, string[]> } {
  const types: string[] = []
  const subtypes: Record<string, string[]> = {}
  for (const id of DEPOSITABLE_RESOURCE_TYPE_IDS) {
    const dash = id.indexOf('-')
    const type = dash < 0 ? id : id.slice(0, dash)
    if (!types.includes(type)) types.push(type)
    if (dash >= 0) (subtypes[type] ??= []).push(id.slice(dash + 1))
  }
  return { types, subtypes }
}

const uploadTypes = buildUploadTypes()

/** Legacy `upload_type` values a deposit may have (publication, software, dataset, ...). */
export const UPLOAD_TYPES: readonly string[] = uploadTypes.types

/**
 * Legacy subtypes per upload type: publication -> [article, book, ...], image -> [figure, ...].
 * The subtype field of upload type T is named `T_type` (publication_type, image_type, ...).
 */
export const UPLOAD_SUBTYPES: Readonly<Record<string, readonly string[]>> = uploadTypes.subtypes

/** Name of the subtype field for an upload type: "publication" -> "publication_type". */
export function subtypeField(uploadType: string): string {
  return `${uploadType}_type`
}

/** The subtype fields that exist (publication_type, image_type, software_type, ...). */
export const SUBTYPE_FIELDS: readonly string[] = Object.keys(UPLOAD_SUBTYPES).map(subtypeField)

/**
 * Relation types, lower-case (Zenodo lower-cases the legacy relation name). The legacy relation
 * "isAlternateIdentifier" is accepted too: Zenodo moves such entries to alternate identifiers.
 */
export const RELATION_TYPES: readonly string[] = [
  ...vocabularies.relation_types,
  'isalternateidentifier'
]

/** Contributor roles, lower-case (Zenodo lower-cases the legacy contributor `type`). */
export const CONTRIBUTOR_ROLES: readonly string[] = vocabularies.roles

/** Date types for `dates[].type`, lower-case. */
export const DATE_TYPES: readonly string[] = vocabularies.date_types

/** The camel-case spelling Zenodo documents for a lower-case id ("issupplementto" -> "isSupplementTo"). */
export function displayName(id: string, documented: readonly string[]): string {
  return documented.find(d => d.toLowerCase() === id) ?? id
}

/** Documented spellings of relation types, for messages. */
export const RELATION_TYPE_NAMES: readonly string[] = [
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
  'other',
  'isAlternateIdentifier'
]

/** Documented spellings of contributor roles, for messages. */
export const CONTRIBUTOR_ROLE_NAMES: readonly string[] = [
  'ContactPerson',
  'DataCollector',
  'DataCurator',
  'DataManager',
  'Distributor',
  'Editor',
  'HostingInstitution',
  'Producer',
  'ProjectLeader',
  'ProjectManager',
  'ProjectMember',
  'RegistrationAgency',
  'RegistrationAuthority',
  'RelatedPerson',
  'Researcher',
  'ResearchGroup',
  'RightsHolder',
  'Sponsor',
  'Supervisor',
  'Translator',
  'WorkPackageLeader',
  'Other'
]

/** Documented spelling of a date type: "collected" -> "Collected". */
export function dateTypeName(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1)
}
