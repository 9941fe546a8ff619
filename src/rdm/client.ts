/**
 * InvenioRDM's native REST API (drafts, records, versions, draft files, user records,
 * vocabularies, communities), one method per call, each marked safe or unsafe to repeat, on the
 * action's one HttpClient (retry policy, typed errors, token only in the Authorization header).
 * Sources: https://inveniordm.docs.cern.ch/reference/rest_api_drafts_records/,
 * .../rest_api_vocabularies/, .../rest_api_communities/, .../rest_api_requests/;
 * docs/inveniordm-api.md says which behaviours the action relies on.
 *
 * Zenodo answers this API too, in RDM shapes only to Accept: application/vnd.inveniordm.v1+json,
 * which every record call here sends (InvenioRDM instances accept it as well).
 */
import { createReadStream, statSync } from 'node:fs'
import { pipeline } from 'node:stream'
import { ActionError } from '../errors.js'
import { HashingStream } from '../files/hash.js'
import {
  HttpError,
  NetworkError,
  type FieldError,
  type HttpClient,
  type RequestOptions
} from '../http.js'

/** The media type of InvenioRDM's own JSON (needed on Zenodo for RDM shapes). */
export const RDM_MEDIA_TYPE = 'application/vnd.inveniordm.v1+json'

/** A file of a draft or record. */
export interface RdmFile {
  key: string
  /** 'pending' until committed, then 'completed'. */
  status?: string
  /** Bare md5 hex (the server's "md5:<hex>"), once committed. */
  checksum?: string
  size?: number
  links: Record<string, string | undefined>
}

/** A draft or a published record (the same shape; is_draft tells which). */
export interface RdmRecord {
  id: string
  is_draft: boolean
  is_published: boolean
  /** 'draft', 'new_version_draft', 'published', ... (absent on older instances). */
  status?: string
  revision_id?: number
  created?: string
  updated?: string
  metadata: Record<string, unknown>
  access?: Record<string, unknown>
  files?: { enabled?: boolean; entries?: Record<string, unknown> | unknown[] }
  pids: { doi?: { identifier: string; provider?: string } }
  parent: { id: string; pids?: { doi?: { identifier: string } }; communities?: { ids?: string[] } }
  versions?: { index?: number; is_latest?: boolean; is_latest_draft?: boolean }
  /** self, self_html, publish, files, latest, versions, doi, parent_doi, ... */
  links: Record<string, string | undefined>
}

/** What a lenient draft save answers: the saved draft and the problems the server listed. */
export interface SaveResult {
  draft: RdmRecord
  errors: FieldError[]
}

/** One page of a search (/api/user/records, /api/records/{id}/versions). */
export interface SearchPage {
  hits: RdmRecord[]
  total: number
  /** Link to the next page, if any. */
  next?: string
}

/** Options of searchUserRecords. */
export interface UserRecordsQuery {
  q?: string
  sort?: string
  /** Default 10 on InvenioRDM; at most 100 here. */
  size?: number
  page?: number
  allVersions?: boolean
}

/** The outcome of asking communities to include a record. */
export interface InclusionOutcome {
  /** Inclusion requests made: community id and request id/status. */
  processed: { communityId: string; requestId?: string; status?: string }[]
  /** Communities that refused, with the server's reason. */
  refused: { communityId: string; message: string }[]
}

/** One vocabulary entry. */
export interface VocabularyItem {
  id: string
  title?: Record<string, string>
  props?: Record<string, unknown>
}

/** A local file to upload. */
export interface UploadSource {
  path: string
  /** The key in the record. */
  name: string
}

/** An uploaded file: the md5 computed locally as the bytes went out, and the server's. */
export interface RdmUploadResult {
  name: string
  size: number
  md5: string
  checksum: string
}

const READ_CHUNK_BYTES = 1024 * 1024
const CHECKSUM_ROUNDS = 2

/** The InvenioRDM API client. */
export class RdmClient {
  /** The API base, e.g. https://data.caltech.edu/api */
  readonly api: string
  private readonly http: HttpClient

  constructor(opts: { apiUrl: string; http: HttpClient }) {
    this.api = opts.apiUrl.replace(/\/+$/, '')
    this.http = opts.http
  }

  // ------------------------------------------------------------ reading

  /** A published record (any version). 404 for a draft-only id ("not registered"). */
  async getRecord(id: string): Promise<RdmRecord> {
    return asRecord(await this.call({ method: 'GET', path: recordPath(id), retry: 'safe' }))
  }

  /** The latest published version of the record that id (any version) belongs to. */
  async getLatestVersion(id: string): Promise<RdmRecord> {
    const body = await this.call({
      method: 'GET',
      path: `${recordPath(id)}/versions/latest`,
      retry: 'safe',
      followRedirects: true
    })
    return asRecord(body)
  }

  /** Every published version of the record's parent, newest first (one page of up to 100). */
  async listVersions(id: string): Promise<SearchPage> {
    return asPage(
      await this.call({ method: 'GET', path: `${recordPath(id)}/versions?size=100`, retry: 'safe' })
    )
  }

  /** A draft; undefined when the record has none (404). */
  async findDraft(id: string): Promise<RdmRecord | undefined> {
    try {
      return asRecord(await this.call({ method: 'GET', path: draftPath(id), retry: 'safe' }))
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return undefined
      throw e
    }
  }

  /** One page of the token owner's drafts and records (newest first by default). */
  async searchUserRecords(query: UserRecordsQuery = {}): Promise<SearchPage> {
    const qs = new URLSearchParams()
    if (query.q !== undefined) qs.set('q', query.q)
    qs.set('sort', query.sort ?? 'newest')
    qs.set('size', String(Math.min(query.size ?? 25, 100)))
    if (query.page !== undefined) qs.set('page', String(query.page))
    if (query.allVersions) qs.set('allversions', 'true')
    return asPage(
      await this.call({ method: 'GET', path: `/user/records?${qs.toString()}`, retry: 'safe' })
    )
  }

  /**
   * The token owner's drafts and records matching a query, page by page, at most maxPages pages
   * (bounded; the caller decides what a longer history means).
   */
  async *userRecords(query: UserRecordsQuery, maxPages = 20): AsyncGenerator<RdmRecord> {
    for (let page = 1; page <= maxPages; page++) {
      const res = await this.searchUserRecords({ ...query, page })
      yield* res.hits
      if (!res.next || res.hits.length === 0) return
    }
  }

  // ------------------------------------------------------------ writing

  /** Create a draft (POST /api/records). Unsafe: not repeated; lenient like a save. */
  async createDraft(body: Record<string, unknown>): Promise<SaveResult> {
    const res = await this.call({ method: 'POST', path: '/records', json: body, retry: 'unsafe' })
    return asSave(res)
  }

  /**
   * Replace a draft's metadata/access/files options (PUT). Idempotent. Lenient: the draft is
   * saved without the bad values and `errors` lists them; publish would refuse them.
   */
  async saveDraft(id: string, body: Record<string, unknown>): Promise<SaveResult> {
    return asSave(
      await this.call({ method: 'PUT', path: draftPath(id), json: body, retry: 'safe' })
    )
  }

  /**
   * Start a new version of a published record (any version id). Copies no files. Safe to
   * repeat: asking again returns the existing new-version draft.
   */
  async newVersion(id: string): Promise<RdmRecord> {
    return asRecord(
      await this.call({ method: 'POST', path: `${recordPath(id)}/versions`, retry: 'safe' })
    )
  }

  /**
   * Link every file of the previous version into a new-version draft. Refused (400 "Please
   * remove all files first.") once the draft has files; after an unknown outcome the draft's
   * files are listed and a non-empty list counts as done.
   */
  async importFiles(id: string): Promise<RdmFile[]> {
    try {
      const body = await this.call({
        method: 'POST',
        path: `${draftPath(id)}/actions/files-import`,
        retry: 'unsafe'
      })
      return asFiles(body)
    } catch (e) {
      if (!unknownEffect(e)) throw e
      const files = await this.listDraftFiles(id)
      if (files.length === 0) throw e
      return files
    }
  }

  /**
   * Reserve the draft's DOI (so the archive can cite it before publishing); returns it. After an
   * unknown outcome the draft is read back.
   */
  async reserveDoi(id: string): Promise<string> {
    let draft: RdmRecord | undefined
    try {
      draft = asRecord(
        await this.call({ method: 'POST', path: `${draftPath(id)}/pids/doi`, retry: 'unsafe' })
      )
    } catch (e) {
      if (!unknownEffect(e)) throw e
      draft = await this.findDraft(id)
      if (!draft?.pids.doi) throw e
    }
    const doi = draft.pids.doi?.identifier
    if (!doi) throw unexpected('a draft without pids.doi after reserving a DOI')
    return doi
  }

  /**
   * Publish a draft (202 with the record). Unsafe: a 5xx or a reset is thrown as is; the caller
   * reads back with readPublishOutcome.
   */
  async publish(id: string): Promise<RdmRecord> {
    return asRecord(
      await this.call({ method: 'POST', path: `${draftPath(id)}/actions/publish`, retry: 'unsafe' })
    )
  }

  /**
   * After an ambiguous publish (504, reset): the record if it was published, undefined if the
   * draft is still there unpublished. Throws when neither can be read.
   */
  async readPublishOutcome(id: string): Promise<RdmRecord | undefined> {
    try {
      return await this.getRecord(id)
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 404)) throw e
    }
    const draft = await this.findDraft(id)
    if (draft) return undefined
    throw new ActionError(
      `InvenioRDM has neither a published record nor a draft ${id} after the publish request.`
    )
  }

  /** Discard a draft (a never-published draft is deleted with its files). Repeat-safe. */
  async discardDraft(id: string): Promise<void> {
    await this.call({ method: 'DELETE', path: draftPath(id), retry: 'safe', expectOnRepeat: [404] })
  }

  // ------------------------------------------------------------ files

  /** The files of a draft. */
  async listDraftFiles(id: string): Promise<RdmFile[]> {
    return asFiles(
      await this.call({ method: 'GET', path: `${draftPath(id)}/files`, retry: 'safe' })
    )
  }

  /** Start uploads: one pending entry per key. After an unknown outcome, the listing decides. */
  async initFiles(id: string, keys: string[]): Promise<void> {
    try {
      await this.call({
        method: 'POST',
        path: `${draftPath(id)}/files`,
        json: keys.map(key => ({ key })),
        retry: 'unsafe'
      })
    } catch (e) {
      if (!unknownEffect(e)) throw e
      const have = new Set((await this.listDraftFiles(id)).map(f => f.key))
      if (!keys.every(k => have.has(k))) throw e
    }
  }

  /** Delete a file from a draft (the previous version keeps its own). Repeat-safe. */
  async deleteDraftFile(id: string, key: string): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: draftFilePath(id, key),
      retry: 'safe',
      expectOnRepeat: [404]
    })
  }

  /**
   * PUT a file's content, streamed from disk through an md5 pass-through (no second read);
   * safe to repeat: each attempt re-opens the file and re-hashes.
   */
  async putContent(id: string, key: string, path: string): Promise<{ md5: string; size: number }> {
    let hasher: HashingStream | undefined
    let length = 0
    await this.http.putStream(`${this.api}${draftFilePath(id, key)}/content`, () => {
      length = fileSize(path, key)
      hasher = new HashingStream({ highWaterMark: READ_CHUNK_BYTES })
      const source = createReadStream(path, {
        highWaterMark: READ_CHUNK_BYTES,
        ...(length > 0 ? { end: length - 1 } : {})
      })
      return { body: pipeline(source, hasher, () => undefined), length }
    })
    if (!hasher) throw new ActionError(`The upload of ${key} never opened the file.`)
    if (hasher.bytesSoFar !== length) {
      throw new ActionError(
        `${key} changed while it was being uploaded: ${String(length)} bytes expected, ${String(hasher.bytesSoFar)} read.`
      )
    }
    const d = hasher.digestOf(length)
    return { md5: d.md5, size: d.size }
  }

  /** Commit an uploaded file; the server's entry (with its checksum). Read back after a failure. */
  async commitFile(id: string, key: string): Promise<RdmFile> {
    try {
      return asFile(
        await this.call({
          method: 'POST',
          path: `${draftFilePath(id, key)}/commit`,
          retry: 'unsafe'
        })
      )
    } catch (e) {
      if (!unknownEffect(e)) throw e
      const file = (await this.listDraftFiles(id)).find(f => f.key === key)
      if (file?.status !== 'completed') throw e
      return file
    }
  }

  /**
   * Upload one file: init, content (streamed, md5 computed), commit, then the server's checksum
   * compared with ours; a mismatch deletes the entry and uploads once more, then fails naming
   * both md5s. An existing entry of the same key is replaced (deleted first) when `replace`,
   * else refused. opts.expectedMd5 (computed earlier) must equal the bytes sent.
   */
  async uploadFile(
    id: string,
    file: UploadSource,
    opts: { replace?: boolean; expectedMd5?: string } = {}
  ): Promise<RdmUploadResult> {
    for (let round = 1; ; round++) {
      const existing = (await this.listDraftFiles(id)).find(f => f.key === file.name)
      if (existing?.status === 'completed' || (existing && round > 1)) {
        if (!opts.replace && round === 1) {
          throw new ActionError(`The draft already has a file named ${file.name}.`)
        }
        await this.deleteDraftFile(id, file.name)
      }
      if (existing?.status !== 'pending' || round > 1) await this.initFiles(id, [file.name])
      const sent = await this.putContent(id, file.name, file.path)
      const expected = opts.expectedMd5?.toLowerCase()
      if (expected && expected !== sent.md5) {
        throw new ActionError(
          `${file.name} changed while it was being uploaded: its md5 was ${expected} before and ${sent.md5} while sending. Make sure nothing writes to ${file.path} during the action.`
        )
      }
      const committed = await this.commitFile(id, file.name)
      if (committed.checksum === sent.md5) {
        return { name: file.name, size: sent.size, md5: sent.md5, checksum: committed.checksum }
      }
      const what =
        committed.checksum === undefined
          ? `The repository committed ${file.name} without a checksum`
          : `The repository's checksum of ${file.name} (md5 ${committed.checksum}) differs from the md5 of the bytes sent (${sent.md5})`
      if (round >= CHECKSUM_ROUNDS) {
        throw new ActionError(
          `${what}, ${String(round)} times. Delete the file from the draft and run the action again.`
        )
      }
    }
  }

  // ------------------------------------------------------------ communities

  /** A community by UUID or slug (its UUID is what inclusion requests name). */
  async getCommunity(idOrSlug: string): Promise<{ id: string; slug?: string }> {
    const body = await this.call({
      method: 'GET',
      path: `/communities/${encodeURIComponent(idOrSlug)}`,
      retry: 'safe',
      accept: 'application/json'
    })
    if (!isObject(body) || typeof body.id !== 'string') throw unexpected('expected a community')
    return { id: body.id, ...(typeof body.slug === 'string' ? { slug: body.slug } : {}) }
  }

  /**
   * Ask communities (UUIDs or slugs) to include a published record: one inclusion request each.
   * A refusal is reported in `refused`, not thrown (the record stays published). Unsafe: a
   * repeat would be refused as "already open", so it is not repeated.
   */
  async requestInclusion(id: string, communities: string[]): Promise<InclusionOutcome> {
    const res = await this.http.request({
      method: 'POST',
      url: `${this.api}${recordPath(id)}/communities`,
      json: { communities: communities.map(c => ({ id: c })) },
      retry: 'unsafe',
      accept: 'application/json',
      expect: [200, 201, 400]
    })
    const body = isObject(res.body) ? res.body : {}
    const processed = (Array.isArray(body.processed) ? body.processed : []).filter(isObject)
    const errors = (Array.isArray(body.errors) ? body.errors : []).filter(isObject)
    if (res.status === 400 && processed.length === 0 && errors.every(e => !e.community_id)) {
      throw new HttpError({
        status: 400,
        method: 'POST',
        path: new URL(`${this.api}${recordPath(id)}/communities`).pathname,
        zenodoMessage: typeof body.message === 'string' ? this.http.scrub(body.message) : undefined,
        body
      })
    }
    return {
      processed: processed.map(p => {
        const req = isObject(p.request) ? p.request : {}
        return {
          communityId: String(p.community_id),
          ...(typeof p.request_id === 'string' ? { requestId: p.request_id } : {}),
          ...(typeof req.status === 'string' ? { status: req.status } : {})
        }
      }),
      refused: errors.map(e => ({
        communityId: String(e.community_id),
        message: typeof e.message === 'string' ? e.message : 'refused'
      }))
    }
  }

  // ------------------------------------------------------------ vocabularies

  /** One page of a vocabulary (read-only, public). */
  async vocabularyPage(
    type: string,
    page: number,
    size = 100
  ): Promise<{ items: VocabularyItem[]; total: number; next: boolean }> {
    const body = await this.call({
      method: 'GET',
      path: `/vocabularies/${encodeURIComponent(type)}?size=${String(size)}&page=${String(page)}`,
      retry: 'safe',
      accept: 'application/json'
    })
    const hits = isObject(body) && isObject(body.hits) ? body.hits : {}
    const list = Array.isArray(hits.hits) ? hits.hits.filter(isObject) : []
    const links = isObject(body) && isObject(body.links) ? body.links : {}
    return {
      items: list
        .filter(h => typeof h.id === 'string')
        .map(h => ({
          id: h.id as string,
          ...(isObject(h.title) ? { title: h.title as Record<string, string> } : {}),
          ...(isObject(h.props) ? { props: h.props } : {})
        })),
      total: typeof hits.total === 'number' ? hits.total : list.length,
      next: typeof links.next === 'string'
    }
  }

  /** Whether a vocabulary has an id (GET /api/vocabularies/{type}/{id}: 200 or 404). */
  async vocabularyHas(type: string, id: string): Promise<boolean> {
    try {
      await this.call({
        method: 'GET',
        path: `/vocabularies/${encodeURIComponent(type)}/${encodeURIComponent(id)}`,
        retry: 'safe',
        accept: 'application/json'
      })
      return true
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return false
      throw e
    }
  }

  private async call(o: Omit<RequestOptions, 'url'> & { path: string }): Promise<unknown> {
    const { path, ...rest } = o
    const res = await this.http.request({
      accept: RDM_MEDIA_TYPE,
      ...rest,
      url: `${this.api}${path}`
    })
    return res.body
  }
}

function recordPath(id: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(id))
    throw new ActionError(`Invalid record id ${JSON.stringify(id)}.`)
  return `/records/${id}`
}

function draftPath(id: string): string {
  return `${recordPath(id)}/draft`
}

function draftFilePath(id: string, key: string): string {
  return `${draftPath(id)}/files/${encodeURIComponent(key)}`
}

/** A failure after which the server may or may not have done the request. */
function unknownEffect(e: unknown): boolean {
  return (
    (e instanceof HttpError && e.status >= 500) ||
    (e instanceof NetworkError && e.mayHaveReachedServer)
  )
}

function fileSize(path: string, key: string): number {
  try {
    return statSync(path).size
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e)
    throw new ActionError(`Cannot upload ${key}: ${path} cannot be read (${code}).`)
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function unexpected(what: string): ActionError {
  return new ActionError(`The repository answered with an unexpected body (${what}).`)
}

function asRecord(body: unknown): RdmRecord {
  if (!isObject(body) || (typeof body.id !== 'string' && typeof body.id !== 'number')) {
    throw unexpected('expected a record or draft')
  }
  const parent = isObject(body.parent) ? body.parent : {}
  return {
    ...body,
    id: String(body.id),
    is_draft: body.is_draft === true,
    is_published: body.is_published === true,
    metadata: isObject(body.metadata) ? body.metadata : {},
    pids: isObject(body.pids) ? body.pids : {},
    parent: {
      ...parent,
      id: typeof parent.id === 'string' || typeof parent.id === 'number' ? String(parent.id) : ''
    },
    links: isObject(body.links) ? (body.links as RdmRecord['links']) : {}
  }
}

function asSave(body: unknown): SaveResult {
  const draft = asRecord(body)
  const errors = isObject(body) && Array.isArray(body.errors) ? body.errors.filter(isObject) : []
  return {
    draft,
    errors: errors.map(e => ({
      field: typeof e.field === 'string' ? e.field : '(unknown field)',
      messages: Array.isArray(e.messages) ? e.messages.map(String) : [String(e.messages)]
    }))
  }
}

function asPage(body: unknown): SearchPage {
  const hits = isObject(body) && isObject(body.hits) ? body.hits : undefined
  if (!hits || !Array.isArray(hits.hits)) throw unexpected('expected search hits')
  const links = isObject(body) && isObject(body.links) ? body.links : {}
  return {
    hits: hits.hits.map(asRecord),
    total: typeof hits.total === 'number' ? hits.total : hits.hits.length,
    ...(typeof links.next === 'string' ? { next: links.next } : {})
  }
}

function asFile(body: unknown): RdmFile {
  if (!isObject(body) || typeof body.key !== 'string') throw unexpected('expected a file entry')
  return {
    key: body.key,
    ...(typeof body.status === 'string' ? { status: body.status } : {}),
    ...(typeof body.checksum === 'string'
      ? { checksum: body.checksum.replace(/^md5:/i, '').toLowerCase() }
      : {}),
    ...(typeof body.size === 'number' ? { size: body.size } : {}),
    links: isObject(body.links) ? (body.links as RdmFile['links']) : {}
  }
}

function asFiles(body: unknown): RdmFile[] {
  const entries = isObject(body) ? body.entries : undefined
  if (!Array.isArray(entries)) throw unexpected('expected a files listing')
  return entries.map(asFile)
}
