/**
 * Public types of the Zenodo test server (re-exported by zenodo-server.ts).
 */
import type { RdmServerOptions, RdmTestHandle } from './rdm-types.js'

export type * from './rdm-types.js'

/** Options of startZenodoServer. */
export interface ZenodoServerOptions {
  /** The valid personal access token, default 'test-token'. */
  token?: string
  /** Port to listen on; default 0 (random). */
  port?: number
  /** Where uploaded bytes go; default a fresh mkdtemp dir, removed on close(). */
  storageDir?: string
  /** Added to every request (for parallel-upload benchmarks). */
  latencyMs?: number
  /** Authenticated requests per minute, default 100; 0 disables enforcement (headers still sent). */
  rateLimitPerMinute?: number
  /** GET /deposit/depositions does not list items created less than this long ago (default 0). */
  listLagMs?: number
  /** The GitHub repository the fixture serves; default octo-org/octo-repo. */
  github?: { owner?: string; repo?: string }
  /** Per-file and per-bucket quota in bytes; default 50 GB (Zenodo's). */
  quotaBytes?: number
  /**
   * links.bucket names this API base (e.g. another listener's http://127.0.0.1:<port>/api)
   * instead of the server's own: a bucket host on a foreign origin.
   */
  foreignBucketApiUrl?: string
  /** Zenodo before zenodo-rdm PR #1434: deleting a draft file deletes it, then answers 500. */
  bucketDeleteReturns500?: boolean
  /** Also answer InvenioRDM's native API (rdm-routes.ts): as an instance, or as Zenodo does. */
  rdm?: RdmServerOptions
  /**
   * Slugs of the communities GET /api/communities/{slug} finds when the native API (`rdm`) is
   * off; default ['zenodo']. With `rdm`, its own communities answer instead.
   */
  communities?: string[]
}

/** One request as the server saw it. */
export interface RequestLogEntry {
  method: string
  /** Path + query exactly as received. */
  url: string
  /** Status answered; 0 while pending or when the socket was reset / the request stalled. */
  status: number
  /** Raw request headers. */
  headers: Record<string, string | string[] | undefined>
  /** Body bytes received. */
  bodyBytes: number
  /** Date.now() when the request arrived. */
  startedAt: number
  durationMs: number
}

/** A failure the server produces on matching requests (see Faults). */
export interface FaultRule {
  /** HTTP method; default any. */
  method?: string
  /** Matched against the path without query: a RegExp, or a string the path equals or ends with. */
  path: RegExp | string
  /** How many matching requests it applies to (default 1), then it is removed. */
  times?: number
  /** Let this many matching requests through first (default 0). */
  skip?: number
  kind:
    | {
        type: 'status'
        status: number
        body?: unknown
        html?: boolean
        headers?: Record<string, string>
      }
    | {
        /** The request is carried out, then answered with this instead (text: a non-JSON body). */
        type: 'after'
        status: number
        body?: unknown
        html?: boolean
        text?: string
      }
    /** The request is carried out, and then never answered (a publish that stalls but happens). */
    | { type: 'stall-after' }
    | { type: 'reset'; afterBodyBytes?: number }
    | { type: 'stall'; afterBodyBytes?: number }
    | { type: 'delay'; ms: number }
    | {
        type: 'hook'
        when: 'before' | 'after'
        fn: (req: RequestLogEntry) => void | Promise<void>
      }
}

/** Switches for the failures real Zenodo produces. */
export interface Faults {
  add(rule: FaultRule): void
  clear(): void
  /** Rules not used up yet (with their remaining times/skip). */
  pending(): FaultRule[]
}

/** A GitHub release as the fixture serves it. */
export interface GithubReleaseSpec {
  id?: number
  name?: string | null
  body?: string | null
  published_at?: string
  html_url?: string
  author?: { login: string }
  prerelease?: boolean
  assets?: { name: string; content: string | Buffer }[]
}

/** A GitHub contributor as the fixture serves it. */
export interface GithubContributorSpec {
  login: string
  type?: 'User' | 'Bot'
  contributions: number
  name?: string
}

/** The GitHub API fixture (served under /github). */
export interface GithubFixture {
  setRepo(info: { description?: string | null; license?: string | null; htmlUrl?: string }): void
  /** 'error' makes the contributors endpoint answer 500. */
  setContributors(list: GithubContributorSpec[] | 'error'): void
  /** undefined removes the release of that tag. */
  setRelease(tag: string, release: GithubReleaseSpec | undefined): void
  /** If set, requests must carry it as `Authorization: token X` or `Bearer X`, else 401. */
  token?: string
}

/** The OAuth token endpoint fixture (POST /oauth/token). */
export interface OAuthFixture {
  clientId: string
  clientSecret: string
  /** The initial refresh token. */
  refreshToken: string
  /** Access tokens issued so far, in order. */
  issued: string[]
  /** Tokens issued so far stop working: the next API call with one gets 403. */
  revokeAccessTokens(): void
}

/** A file of a deposition, as the legacy API lists it. */
export interface DepositionFileView {
  id: string
  filename: string
  filesize: number
  /** Bare md5 hex. */
  checksum: string
  links: { self: string; download: string }
}

/** A deposition as GET /deposit/depositions/:id returns it. */
export interface Deposition {
  id: number
  conceptrecid: string
  created: string
  modified: string
  doi?: string
  conceptdoi?: string
  doi_url?: string
  title: string
  state: 'unsubmitted' | 'inprogress' | 'done'
  submitted: boolean
  record_id: number
  owner: number
  metadata: Record<string, unknown> & { prereserve_doi?: { doi: string; recid: number } }
  links: Record<string, string>
  files: DepositionFileView[]
}

/** A published record as GET /api/records/:id returns it. */
export interface PublishedRecordView {
  id: number
  recid: string
  conceptrecid: string
  doi: string
  conceptdoi: string
  doi_url: string
  title: string
  created: string
  updated: string
  revision: number
  status: 'published'
  state: 'done'
  submitted: true
  owners: { id: number }[]
  links: Record<string, string>
  metadata: Record<string, unknown>
  files: { id: string; key: string; size: number; checksum: string; links: { self: string } }[]
}

/** A file to seed: name and content. */
export interface SeedFile {
  name: string
  content: string | Buffer
}

/** The running test server. */
export interface ZenodoTestServer {
  /** 'http://127.0.0.1:<port>' (the action's zenodo-url input). */
  url: string
  /** url + '/api'. */
  apiUrl: string
  /** url + '/github' (the action gets it as GITHUB_API_URL). */
  githubApiUrl: string
  token: string
  /** Every request, in order of arrival. */
  requests: RequestLogEntry[]
  faults: Faults
  github: GithubFixture
  oauth: OAuthFixture
  /** The native API's state, when started with `rdm`. */
  rdm?: RdmTestHandle
  /** All depositions (drafts and published), as GET /deposit/depositions/:id returns them. */
  depositions(): Deposition[]
  /** Published records as GET /api/records/:id returns them, files {key,size,checksum 'md5:..'}. */
  records(): PublishedRecordView[]
  /** Create a published record directly (no requests logged); returns its latest version. */
  seedPublished(spec: {
    title?: string
    version?: string
    files?: SeedFile[]
    metadata?: Record<string, unknown>
    versions?: number
    /** Add the versions to this existing concept instead of making a new one. */
    conceptrecid?: number
  }): { id: number; conceptrecid: number; doi: string; conceptdoi: string }
  /** Leave an unpublished new-version draft of the concept (as a failed run would). */
  seedStaleDraft(
    conceptrecid: number,
    spec?: { files?: SeedFile[]; metadata?: Record<string, unknown> }
  ): { id: number }
  close(): Promise<void>
}
