/** Zenodo's legacy deposit metadata (the shape of .zenodo.json and of PUT /deposit/depositions/:id). */

export interface Creator {
  name: string
  affiliation?: string
  orcid?: string
  gnd?: string
}

export interface Contributor extends Creator {
  type: string
}

export interface RelatedIdentifier {
  identifier: string
  relation: string
  resource_type?: string
  scheme?: string
}

export interface ZenodoMetadata {
  upload_type?: string
  publication_type?: string
  image_type?: string
  title?: string
  creators?: Creator[]
  description?: string
  publication_date?: string
  version?: string
  access_right?: string
  license?: string | { id: string }
  embargo_date?: string
  access_conditions?: string
  keywords?: string[]
  related_identifiers?: RelatedIdentifier[]
  contributors?: Contributor[]
  communities?: { identifier: string }[]
  grants?: { id: string }[]
  language?: string
  notes?: string
  doi?: string
  prereserve_doi?: unknown
  [key: string]: unknown
}

/** Where the metadata file's values came from, for messages: ".zenodo.json", "CITATION.cff", ... */
export type MetadataSourceName = string

/** What a metadata file gives besides metadata: values that only apply when the release does not give them. */
export interface MetadataHints {
  version?: string
  /** YYYY-MM-DD */
  date?: string
}
