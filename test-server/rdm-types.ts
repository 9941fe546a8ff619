/**
 * Options and the test handle of the test server's InvenioRDM native API (rdm-routes.ts).
 */
import type { VocabularySet } from './rdm-vocabularies.js'

/** A community of the instance. */
export interface RdmCommunitySpec {
  /** The slug, e.g. "my-lab". Its UUID id is made up by the server. */
  slug: string
  /** Inclusion requests are accepted at once (the user owns the community). */
  autoAccept?: boolean
  /** Refuses inclusion of records (as a community whose policy closes submissions). */
  refuses?: boolean
}

/** How the test server answers the native InvenioRDM API. */
export interface RdmServerOptions {
  /**
   * 'instance': an InvenioRDM repository that is not Zenodo: /api/records answers in RDM shapes
   * and the legacy deposit and bucket API does not exist (404).
   * 'zenodo': Zenodo: the legacy API stays as it is, and /api/records and /api/user/records
   * answer in RDM shapes only to Accept: application/vnd.inveniordm.v1+json.
   */
  mode: 'instance' | 'zenodo'
  /** The vocabularies served and enforced; default 'small' for an instance, 'zenodo' for Zenodo. */
  vocabularies?: 'zenodo' | 'small' | VocabularySet
  /** false: the instance mints no parent (concept) DOI. Default true. */
  parentDoi?: boolean
  /** DOI prefix; default 10.5281 for Zenodo, 10.80001 for an instance. */
  doiPrefix?: string
  communities?: RdmCommunitySpec[]
}

/** A published record to seed (no requests logged). */
export interface RdmSeedSpec {
  title?: string
  version?: string
  files?: { name: string; content: string | Buffer }[]
  metadata?: Record<string, unknown>
  /** Number of published versions (default 1); each gets the same files. */
  versions?: number
}

/** What a test can see and set of the native API's state. */
export interface RdmTestHandle {
  /** Every record and draft as GET would answer (published records and drafts). */
  records(): Record<string, unknown>[]
  drafts(): Record<string, unknown>[]
  /** Community inclusion requests made so far. */
  requests(): { id: string; record: string; community: string; status: string }[]
  /** The UUID of a community by slug. */
  communityId(slug: string): string | undefined
  seedPublished(
    spec?: RdmSeedSpec
  ): Promise<{ id: string; parentId: string; doi: string; parentDoi?: string }>
  /** Leaves an unpublished new-version draft of the record's parent, with files. */
  seedNewVersionDraft(
    recordId: string,
    spec?: {
      files?: { name: string; content: string | Buffer }[]
      metadata?: Record<string, unknown>
    }
  ): Promise<{ id: string }>
}
