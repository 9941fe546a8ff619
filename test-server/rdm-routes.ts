/**
 * The InvenioRDM native API the action uses, as an InvenioRDM instance (or Zenodo with
 * Accept: application/vnd.inveniordm.v1+json) answers it. Sources: InvenioRDM REST API reference,
 * https://inveniordm.docs.cern.ch/reference/rest_api_drafts_records/ (drafts, publish, versions,
 * files-import, draft files, /api/user/records), .../rest_api_vocabularies/,
 * .../rest_api_communities/ and .../rest_api_requests/ (inclusion requests); Zenodo's facts from
 * docs/zenodo-api.md. Mounted by zenodo-server.ts with a route-prefix check, behind the
 * same faults, rate limits, auth and request log as the legacy API.
 *
 * Behaviours kept: a new version copies NO files (files-import links them when asked; refused
 * once the draft has files); asking again for a new version returns the existing new-version
 * draft; create/PUT save leniently and list errors in the body; publish validates strictly; a DOI
 * can be reserved on a draft; file uploads are init -> content (streamed to disk through md5) ->
 * commit; communities are asked for by an inclusion request (POST /api/records/{id}/communities).
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { Ctx, Env } from './context.js'
import {
  ApiError,
  apiError,
  checkContentType,
  isObject,
  json,
  notFound,
  parseJson,
  permissionDenied,
  readSmallBody,
  timestamp,
  today,
  validationError,
  type FieldError,
  type Reply
} from './http-util.js'
import { legacyToRdm } from '../src/rdm/metadata.js'
import { loadDraftBody, publishErrors, type DraftBody } from './rdm-validate.js'
import { VocabularyIndex, vocabularySet } from './rdm-vocabularies.js'
import type { RdmSeedSpec, RdmServerOptions, RdmTestHandle } from './rdm-types.js'
import { receiveBlob } from './receive.js'
import { guessMimetype, type Blob } from './store.js'

/** The media type that makes Zenodo answer /api/records in RDM shapes. */
export const RDM_MEDIA_TYPE = 'application/vnd.inveniordm.v1+json'
const MAX_FILES = 100

interface RFile {
  key: string
  fileId: string
  status: 'pending' | 'completed'
  blob?: Blob
  created: string
  updated: string
}

/** A draft or a published record's content. */
interface Content {
  body: DraftBody
  files: Map<string, RFile>
  doi?: string
}

interface Rec {
  id: string
  parentId: string
  index: number
  created: string
  updated: string
  updatedAt: number
  revision: number
  draft?: Content & { saveErrors: FieldError[]; doiReserved?: boolean }
  published?: Content & { at: string }
}

interface Parent {
  id: string
  /** Published record ids, oldest first. */
  versions: string[]
  /** The unpublished draft of the next version (or of the first), if any. */
  draftId?: string
  doi?: string
  communities: string[]
}

interface Community {
  id: string
  slug: string
  autoAccept: boolean
  refuses: boolean
}

interface InclusionRequest {
  id: string
  record: string
  community: string
  status: 'submitted' | 'accepted'
  created: string
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** The native API's state and routes. */
export class RdmApi {
  readonly mode: 'instance' | 'zenodo'
  private readonly recs = new Map<string, Rec>()
  private readonly parents = new Map<string, Parent>()
  private readonly communities: Community[]
  private readonly requests: InclusionRequest[] = []
  /** Ids of records adopted from the legacy side (Zenodo mode): plain JSON reads stay legacy. */
  private readonly adopted = new Set<string>()
  private readonly vocab: VocabularyIndex
  private readonly doiPrefix: string
  private readonly parentDoi: boolean

  constructor(
    private readonly env: Env,
    opts: RdmServerOptions
  ) {
    this.mode = opts.mode
    this.vocab = new VocabularyIndex(
      vocabularySet(opts.vocabularies ?? (opts.mode === 'zenodo' ? 'zenodo' : 'small'))
    )
    this.doiPrefix = opts.doiPrefix ?? (opts.mode === 'zenodo' ? '10.5281' : '10.80001')
    this.parentDoi = opts.parentDoi ?? true
    this.communities = (opts.communities ?? []).map(c => ({
      id: randomUUID(),
      slug: c.slug,
      autoAccept: c.autoAccept === true,
      refuses: c.refuses === true
    }))
  }

  /**
   * Whether a request under /api (segments after 'api') is the native API's. On Zenodo,
   * /api/records answers in RDM shapes only to the InvenioRDM media type.
   */
  handles(ctx: Ctx, segs: string[]): boolean {
    const top = segs[0]
    if (top === 'vocabularies' || top === 'communities' || top === 'requests') return true
    if (top === 'user' && segs[1] === 'records') return true
    if (top !== 'records') return false
    if (this.mode === 'instance' || acceptsRdm(ctx)) return true
    // Zenodo: every /api/records route is InvenioRDM's; Accept picks the serializer of reads.
    // Writes (the legacy side has none there) and this API's own records are answered here.
    const id = segs[1] ?? ''
    const write = ctx.method !== 'GET' && ctx.method !== 'HEAD'
    return write || (this.recs.has(id) && !this.adopted.has(id))
  }

  /** Routes a native API request (segments after 'api'). */
  async route(ctx: Ctx, segs: string[]): Promise<Reply> {
    checkRdmAccept(ctx)
    if (this.mode === 'zenodo') this.syncLegacy()
    const [top, ...rest] = segs
    if (top === 'vocabularies') return this.vocabularies(ctx, rest)
    if (top === 'communities') return this.community(rest)
    if (top === 'requests') return this.request(ctx, rest)
    if (top === 'user') return this.userRecords(ctx)
    return this.records(ctx, rest)
  }

  // ---------------------------------------------------------------- records

  private async records(ctx: Ctx, segs: string[]): Promise<Reply> {
    const m = ctx.method
    if (segs.length === 0) {
      if (m === 'POST') return this.create(ctx)
      if (m === 'GET') return this.search(ctx)
      throw methodNotAllowed()
    }
    const id = segs[0]
    const rest = segs.slice(1)
    if (rest[0] === 'draft') return this.draftRoutes(ctx, id, rest.slice(1))
    if (rest.length === 0) {
      if (m !== 'GET') throw methodNotAllowed()
      return json(200, this.recordJson(this.published(id)))
    }
    if (rest[0] === 'versions') {
      if (rest.length === 1 && m === 'POST') return this.newVersion(ctx, id)
      if (rest.length === 1 && m === 'GET') return this.versions(ctx, id)
      if (rest.length === 2 && rest[1] === 'latest' && m === 'GET') {
        const parent = this.parentOf(this.published(id))
        const latest = this.recs.get(parent.versions[parent.versions.length - 1])
        if (!latest) throw pidDoesNotExist()
        return json(200, this.recordJson(latest))
      }
      throw notFound()
    }
    if (rest[0] === 'files') return this.recordFiles(id, rest.slice(1))
    if (rest[0] === 'communities' && rest.length === 1) {
      if (m === 'POST') return this.addCommunities(ctx, id)
      if (m === 'GET') return this.recordCommunities(id)
      throw methodNotAllowed()
    }
    throw notFound()
  }

  private async create(ctx: Ctx): Promise<Reply> {
    requireAuth(ctx)
    const input = await readJson(ctx)
    const { body, errors } = loadDraftBody(input, this.vocab)
    const parent: Parent = { id: this.newId(), versions: [], communities: [] }
    this.parents.set(parent.id, parent)
    const rec = this.newRec(parent, 1)
    rec.draft = { body, files: new Map(), saveErrors: errors }
    parent.draftId = rec.id
    return json(201, { ...this.draftJson(rec), ...(errors.length ? { errors } : {}) })
  }

  private async draftRoutes(ctx: Ctx, id: string, rest: string[]): Promise<Reply> {
    requireAuth(ctx)
    const m = ctx.method
    const rec = this.recs.get(id)
    if (!rec) throw pidDoesNotExist()
    if (rest.length === 0) {
      if (m === 'POST') throw methodNotAllowed()
      const draft = rec.draft
      if (!draft) throw apiError(404, 'Draft not found.')
      if (m === 'GET') return json(200, this.draftJson(rec))
      if (m === 'PUT') {
        checkContentType(ctx.req, 'application/json')
        const input = await readJson(ctx)
        const { body, errors } = loadDraftBody(input, this.vocab)
        draft.body = body
        draft.saveErrors = errors
        this.touch(rec)
        return json(200, { ...this.draftJson(rec), ...(errors.length ? { errors } : {}) })
      }
      if (m === 'DELETE') {
        this.discard(rec)
        return { status: 204 }
      }
      throw methodNotAllowed()
    }
    const draft = rec.draft
    if (!draft) throw apiError(404, 'Draft not found.')
    const path = rest.join('/')
    if (path === 'actions/publish' && m === 'POST') return this.publish(rec)
    if (path === 'actions/files-import' && m === 'POST') return this.filesImport(rec)
    if (path === 'pids/doi' && m === 'POST') {
      if (draft.body.externalDoi) throw apiError(400, 'The record already has an external DOI.')
      draft.doi ??= this.doiFor(rec.id)
      draft.doiReserved = true
      this.touch(rec)
      return json(201, this.draftJson(rec))
    }
    if (rest[0] === 'files') return this.draftFiles(ctx, rec, rest.slice(1))
    throw notFound()
  }

  private discard(rec: Rec): void {
    const draft = rec.draft
    if (!draft) return
    for (const f of draft.files.values()) this.release(f)
    rec.draft = undefined
    const parent = this.parentOf(rec)
    if (parent.draftId === rec.id) parent.draftId = undefined
    if (!rec.published) {
      this.recs.delete(rec.id)
      if (parent.versions.length === 0) this.parents.delete(parent.id)
    }
  }

  private publish(rec: Rec): Reply {
    const draft = rec.draft
    if (!draft) throw apiError(404, 'Draft not found.')
    const files = [...draft.files.values()]
    const errors = publishErrors(draft.body, draft.saveErrors, {
      committed: files.filter(f => f.status === 'completed').length,
      pending: files.filter(f => f.status === 'pending').map(f => f.key)
    })
    if (errors.length) throw validationError(errors)
    const parent = this.parentOf(rec)
    const doi = draft.body.externalDoi ?? draft.doi ?? this.doiFor(rec.id)
    if (this.parentDoi && !parent.doi) parent.doi = this.doiFor(parent.id)
    rec.published = { body: draft.body, files: draft.files, doi, at: timestamp() }
    rec.draft = undefined
    parent.versions.push(rec.id)
    if (parent.draftId === rec.id) parent.draftId = undefined
    this.touch(rec)
    return json(202, this.recordJson(rec))
  }

  private newVersion(ctx: Ctx, id: string): Reply {
    requireAuth(ctx)
    const parent = this.parentOf(this.published(id))
    // asking again returns the existing new-version draft
    const existing = parent.draftId ? this.recs.get(parent.draftId) : undefined
    if (existing?.draft) return json(201, this.draftJson(existing))
    const latest = this.recs.get(parent.versions[parent.versions.length - 1])
    if (!latest?.published) throw pidDoesNotExist()
    const body = structuredClone(latest.published.body)
    delete body.metadata.publication_date
    delete body.metadata.version
    delete body.externalDoi
    const rec = this.newRec(parent, parent.versions.length + 1)
    rec.draft = { body, files: new Map(), saveErrors: [] }
    parent.draftId = rec.id
    return json(201, this.draftJson(rec))
  }

  private filesImport(rec: Rec): Reply {
    const draft = rec.draft
    if (!draft) throw apiError(404, 'Draft not found.')
    const parent = this.parentOf(rec)
    const prevId = [...parent.versions].reverse().find(v => v !== rec.id)
    const prev = prevId ? this.recs.get(prevId) : undefined
    if (!prev?.published) throw apiError(404, 'Not found.')
    if (draft.files.size > 0) {
      throw validationError([
        { field: 'files.enabled', messages: ['Please remove all files first.'] }
      ])
    }
    for (const f of prev.published.files.values()) {
      if (!f.blob) continue
      f.blob.refs++
      draft.files.set(f.key, { ...f, fileId: randomUUID(), updated: timestamp() })
    }
    this.touch(rec)
    return json(201, this.filesJson(rec.id, draft.files, true))
  }

  private async draftFiles(ctx: Ctx, rec: Rec, rest: string[]): Promise<Reply> {
    const draft = rec.draft
    if (!draft) throw apiError(404, 'Draft not found.')
    const m = ctx.method
    if (rest.length === 0) {
      if (m === 'GET') return json(200, this.filesJson(rec.id, draft.files, true))
      if (m !== 'POST') throw methodNotAllowed()
      checkContentType(ctx.req, 'application/json')
      const input = await readJson(ctx)
      if (!draft.body.filesEnabled) {
        throw apiError(400, 'Cannot add files to a metadata-only record.')
      }
      if (
        !Array.isArray(input) ||
        input.some(e => !isObject(e) || typeof e.key !== 'string' || !e.key)
      ) {
        throw validationError([{ field: '0.key', messages: ['Missing data for required field.'] }])
      }
      const keys = (input as { key: string }[]).map(e => e.key)
      for (const key of keys) {
        if (draft.files.has(key)) throw apiError(400, `File with key ${key} already exists.`)
      }
      if (draft.files.size + keys.length > MAX_FILES) {
        throw apiError(
          400,
          'Uploading selected files will result in exceeding the max amount per record.'
        )
      }
      const now = timestamp()
      for (const key of keys) {
        draft.files.set(key, {
          key,
          fileId: randomUUID(),
          status: 'pending',
          created: now,
          updated: now
        })
      }
      this.touch(rec)
      const listing = this.filesJson(rec.id, draft.files, true) as { entries: { key: string }[] }
      return json(201, { ...listing, entries: listing.entries.filter(e => keys.includes(e.key)) })
    }
    const key = rest[0]
    const file = draft.files.get(key)
    if (!file) throw apiError(404, `File with key ${key} not found.`)
    if (rest.length === 1) {
      if (m === 'GET') return json(200, this.fileJson(rec.id, file, true))
      if (m === 'DELETE') {
        this.release(file)
        draft.files.delete(key)
        this.touch(rec)
        return { status: 204 }
      }
      throw methodNotAllowed()
    }
    if (rest.length === 2 && rest[1] === 'content') {
      if (m === 'GET') return fileContent(file)
      if (m !== 'PUT') throw methodNotAllowed()
      checkContentType(ctx.req, 'application/octet-stream')
      if (file.status === 'completed') throw apiError(400, `File ${key} is already committed.`)
      const quota = this.env.quota
      const declared = ctx.req.headers['content-length']
      if (declared !== undefined && Number(declared) > quota)
        throw apiError(400, 'Maximum file size exceeded.')
      const blob = await receiveBlob(ctx.req, ctx.entry, this.env.store.blobPath(), quota, () =>
        apiError(400, 'Maximum file size exceeded.')
      )
      if (rec.draft?.files.get(key) !== file) {
        rmSync(blob.path, { force: true })
        throw apiError(404, `File with key ${key} not found.`)
      }
      if (file.blob) this.release(file)
      blob.refs = 1
      file.blob = blob
      file.updated = timestamp()
      this.touch(rec)
      return json(200, this.fileJson(rec.id, file, true))
    }
    if (rest.length === 2 && rest[1] === 'commit' && m === 'POST') {
      if (!file.blob) throw apiError(400, `File ${key} has no content.`)
      file.status = 'completed'
      file.updated = timestamp()
      this.touch(rec)
      return json(200, this.fileJson(rec.id, file, true))
    }
    throw notFound()
  }

  private recordFiles(id: string, rest: string[]): Reply {
    const rec = this.published(id)
    const files = rec.published?.files ?? new Map<string, RFile>()
    if (rest.length === 0) return json(200, this.filesJson(id, files, false))
    const f = files.get(rest[0])
    if (!f) throw apiError(404, `File with key ${rest[0]} not found.`)
    if (rest.length === 1) return json(200, this.fileJson(id, f, false))
    if (rest.length === 2 && rest[1] === 'content') return fileContent(f)
    throw notFound()
  }

  private versions(ctx: Ctx, id: string): Reply {
    const parent = this.parentOf(this.published(id))
    const hits = parent.versions
      .map(v => this.recs.get(v))
      .filter((r): r is Rec => r !== undefined)
      .reverse()
      .map(r => this.recordJson(r))
    return json(200, {
      hits: { hits, total: hits.length },
      sortBy: 'version',
      links: { self: `${this.env.store.apiUrl}/records/${id}/versions?${ctx.query.toString()}` }
    })
  }

  /** GET /api/records: published records (public search), q and paging as /api/user/records. */
  private search(ctx: Ctx): Reply {
    const all = [...this.recs.values()].filter(r => r.published)
    return this.page(
      ctx,
      '/records',
      all.map(r => this.recordJson(r))
    )
  }

  /** GET /api/user/records: the user's drafts and records (latest per parent unless allversions). */
  private userRecords(ctx: Ctx): Reply {
    requireAuth(ctx)
    if (ctx.method !== 'GET') throw methodNotAllowed()
    const all = ['true', '1'].includes(ctx.query.get('allversions') ?? '')
    const items: Record<string, unknown>[] = []
    for (const parent of this.parents.values()) {
      const ids = [...parent.versions, ...(parent.draftId ? [parent.draftId] : [])]
      const chosen = all ? ids : ids.slice(-1)
      for (const id of chosen) {
        const rec = this.recs.get(id)
        if (!rec) continue
        items.push(rec.draft ? this.draftJson(rec) : this.recordJson(rec))
      }
    }
    return this.page(ctx, '/user/records', items)
  }

  private page(ctx: Ctx, path: string, items: Record<string, unknown>[]): Reply {
    const q = ctx.query.get('q') ?? ''
    const matched = items
      .filter(i => matchesQuery(i, q))
      .sort((a, b) => String(b.updated).localeCompare(String(a.updated)))
    const size = clampInt(ctx.query.get('size'), 10, 1, 100)
    const page = clampInt(ctx.query.get('page'), 1, 1, 10_000)
    const hits = matched.slice((page - 1) * size, page * size)
    const link = (p: number): string => {
      const qs = new URLSearchParams(ctx.query)
      qs.set('page', String(p))
      qs.set('size', String(size))
      return `${this.env.store.apiUrl}${path}?${qs.toString()}`
    }
    return json(200, {
      hits: { hits, total: matched.length },
      sortBy: ctx.query.get('sort') ?? 'newest',
      links: { self: link(page), ...(page * size < matched.length ? { next: link(page + 1) } : {}) }
    })
  }

  // ------------------------------------------------------------ communities

  private community(rest: string[]): Reply {
    const c = rest.length === 1 ? this.findCommunity(rest[0]) : undefined
    if (!c) throw pidDoesNotExist()
    return json(200, {
      id: c.id,
      slug: c.slug,
      metadata: { title: c.slug },
      access: { visibility: 'public', record_policy: c.refuses ? 'closed' : 'open' },
      links: {
        self: `${this.env.store.apiUrl}/communities/${c.id}`,
        self_html: `${this.env.store.url}/communities/${c.slug}`
      }
    })
  }

  private findCommunity(idOrSlug: string): Community | undefined {
    return this.communities.find(c => c.id === idOrSlug || c.slug === idOrSlug)
  }

  /**
   * POST /api/records/{id}/communities {"communities":[{"id": uuid-or-slug}]}: one inclusion
   * request per community; 200 with "processed" (and "errors"), 400 when nothing was processed.
   */
  private async addCommunities(ctx: Ctx, id: string): Promise<Reply> {
    requireAuth(ctx)
    checkContentType(ctx.req, 'application/json')
    const rec = this.published(id)
    const parent = this.parentOf(rec)
    const input = await readJson(ctx)
    const wanted =
      isObject(input) && Array.isArray(input.communities) ? input.communities : undefined
    if (!wanted || wanted.length === 0) {
      throw validationError([
        { field: 'communities', messages: ['Missing data for required field.'] }
      ])
    }
    const processed: Record<string, unknown>[] = []
    const errors: Record<string, unknown>[] = []
    for (const w of wanted) {
      const ref = isObject(w) && typeof w.id === 'string' ? w.id : ''
      const c = this.findCommunity(ref)
      if (!c) {
        errors.push({ community_id: ref, message: 'Community not found.' })
        continue
      }
      if (parent.communities.includes(c.id)) {
        errors.push({
          community_id: ref,
          message: 'The record is already included in this community.'
        })
        continue
      }
      if (
        this.requests.some(
          r => r.record === parent.id && r.community === c.id && r.status === 'submitted'
        )
      ) {
        errors.push({
          community_id: ref,
          message: 'There is already an open inclusion request for this community.'
        })
        continue
      }
      if (c.refuses) {
        errors.push({ community_id: ref, message: 'Submission to this community is not allowed.' })
        continue
      }
      const req: InclusionRequest = {
        id: randomUUID(),
        record: parent.id,
        community: c.id,
        status: c.autoAccept ? 'accepted' : 'submitted',
        created: timestamp()
      }
      this.requests.push(req)
      if (c.autoAccept) parent.communities.push(c.id)
      processed.push({ community_id: c.id, request_id: req.id, request: this.requestJson(req) })
    }
    const body = {
      ...(processed.length ? { processed } : {}),
      ...(errors.length ? { errors } : {})
    }
    return json(processed.length > 0 ? 200 : 400, body)
  }

  private recordCommunities(id: string): Reply {
    const parent = this.parentOf(this.published(id))
    const hits = parent.communities.map(cid => {
      const c = this.communities.find(x => x.id === cid)
      return { id: cid, slug: c?.slug }
    })
    return json(200, { hits: { hits, total: hits.length } })
  }

  private request(ctx: Ctx, rest: string[]): Reply {
    requireAuth(ctx)
    const r = rest.length === 1 ? this.requests.find(x => x.id === rest[0]) : undefined
    if (!r) throw apiError(404, 'Not found.')
    return json(200, this.requestJson(r))
  }

  private requestJson(r: InclusionRequest): Record<string, unknown> {
    return {
      id: r.id,
      type: 'community-inclusion',
      status: r.status,
      is_open: r.status === 'submitted',
      created: r.created,
      topic: { record: this.parents.get(r.record)?.versions.at(-1) ?? r.record },
      receiver: { community: r.community },
      links: { self: `${this.env.store.apiUrl}/requests/${r.id}` }
    }
  }

  // ----------------------------------------------------------- vocabularies

  private vocabularies(ctx: Ctx, rest: string[]): Reply {
    if (ctx.method !== 'GET') throw methodNotAllowed()
    const [type, id] = rest
    const entries = type ? this.vocab.entries(type) : undefined
    if (!entries || rest.length > 2) throw apiError(404, 'Not found.')
    const api = this.env.store.apiUrl
    const itemJson = (e: {
      id: string
      title: string
      props?: Record<string, string>
    }): unknown => ({
      id: e.id,
      type,
      title: { en: e.title },
      props: e.props ?? {},
      tags: [],
      links: { self: `${api}/vocabularies/${type}/${encodeURIComponent(e.id)}` }
    })
    if (rest.length === 2) {
      const e = this.vocab.get(type, id)
      if (!e) throw pidDoesNotExist()
      return json(200, itemJson(e))
    }
    const q = (ctx.query.get('q') ?? '').toLowerCase()
    const matched = q
      ? entries.filter(e => e.id.toLowerCase().includes(q) || e.title.toLowerCase().includes(q))
      : entries
    const size = clampInt(ctx.query.get('size'), 10, 1, 1000)
    const page = clampInt(ctx.query.get('page'), 1, 1, 100_000)
    const hits = matched.slice((page - 1) * size, page * size).map(itemJson)
    const link = (p: number): string => {
      const qs = new URLSearchParams(ctx.query)
      qs.set('page', String(p))
      qs.set('size', String(size))
      return `${api}/vocabularies/${type}?${qs.toString()}`
    }
    return json(200, {
      hits: { hits, total: matched.length },
      sortBy: 'title',
      links: { self: link(page), ...(page * size < matched.length ? { next: link(page + 1) } : {}) }
    })
  }

  // ------------------------------------------------------------------ state

  /**
   * Zenodo is one repository behind both APIs: versions published through the legacy API are
   * records of the native one too (same ids, DOIs, parent = concept, files shared). Adopted one
   * way, as they appear; what the native API writes is not shown back through the legacy one.
   */
  private syncLegacy(): void {
    const store = this.env.store
    for (const concept of store.concepts.values()) {
      const parentId = String(concept.id)
      for (const depId of concept.versions) {
        const id = String(depId)
        if (this.recs.has(id)) continue
        const dep = store.deps.get(depId)
        if (!dep?.published) continue
        let parent = this.parents.get(parentId)
        if (!parent) {
          parent = { id: parentId, versions: [], communities: [], doi: store.doi(concept.id) }
          this.parents.set(parentId, parent)
        }
        const stored = dep.published.metadata
        const mapped = legacyToRdm(stored.fields, { file: 'legacy' }).body
        if (stored.resourceType) mapped.metadata.resource_type = { id: stored.resourceType }
        if (stored.licenseId) mapped.metadata.rights = [{ id: stored.licenseId }]
        let body: DraftBody
        try {
          body = loadDraftBody(mapped, this.vocab).body
        } catch {
          body = loadDraftBody({ metadata: { title: mapped.metadata.title } }, this.vocab).body
        }
        const files = new Map<string, RFile>()
        for (const f of dep.bucket.files.values()) {
          f.blob.refs++
          files.set(f.key, {
            key: f.key,
            fileId: randomUUID(),
            status: 'completed',
            blob: f.blob,
            created: f.created,
            updated: f.updated
          })
        }
        this.recs.set(id, {
          id,
          parentId,
          index: parent.versions.length + 1,
          created: dep.created,
          updated: dep.modified,
          updatedAt: dep.createdAt,
          revision: dep.revision,
          published: { body, files, doi: store.doi(depId), at: dep.published.at }
        })
        parent.versions.push(id)
        this.adopted.add(id)
      }
    }
  }

  private newId(): string {
    const n = this.env.store.newId()
    if (this.mode === 'zenodo') return String(n)
    // InvenioRDM's recid form: 10 base32 characters, "xxxxx-xxxxx"
    let s = ''
    let x = n * 7919 + 1_000_003
    for (let i = 0; i < 10; i++) {
      s += ALPHABET[x % 32]
      x = Math.floor(x / 32) + i * 31
    }
    return `${s.slice(0, 5)}-${s.slice(5)}`
  }

  private newRec(parent: Parent, index: number): Rec {
    const now = timestamp()
    const rec: Rec = {
      id: this.newId(),
      parentId: parent.id,
      index,
      created: now,
      updated: now,
      updatedAt: Date.now(),
      revision: 1
    }
    this.recs.set(rec.id, rec)
    return rec
  }

  private touch(rec: Rec): void {
    rec.updated = timestamp()
    rec.updatedAt = Date.now()
    rec.revision++
  }

  private doiFor(id: string): string {
    return this.mode === 'zenodo' ? `${this.doiPrefix}/zenodo.${id}` : `${this.doiPrefix}/${id}`
  }

  private release(f: RFile): void {
    if (!f.blob) return
    f.blob.refs--
    if (f.blob.refs <= 0) rmSync(f.blob.path, { force: true })
  }

  /** A published record by id (a draft-only id is "not registered", like InvenioRDM). */
  private published(id: string): Rec {
    const rec = this.recs.get(id)
    if (!rec) throw pidDoesNotExist()
    if (!rec.published) throw apiError(404, 'The persistent identifier is not registered.')
    return rec
  }

  private parentOf(rec: Rec): Parent {
    const p = this.parents.get(rec.parentId)
    if (!p) throw pidDoesNotExist()
    return p
  }

  // ------------------------------------------------------------------ JSON

  private parentJson(parent: Parent): Record<string, unknown> {
    return {
      id: parent.id,
      access: { owned_by: { user: '1' } },
      communities: { ids: [...parent.communities] },
      pids: parent.doi
        ? { doi: { identifier: parent.doi, provider: 'datacite', client: 'datacite' } }
        : {}
    }
  }

  private commonLinks(rec: Rec): Record<string, string> {
    const api = this.env.store.apiUrl
    const html = this.env.store.url
    return {
      latest: `${api}/records/${rec.id}/versions/latest`,
      latest_html: `${html}/records/${rec.id}/latest`,
      versions: `${api}/records/${rec.id}/versions`,
      record: `${api}/records/${rec.id}`,
      record_html: `${html}/records/${rec.id}`,
      draft: `${api}/records/${rec.id}/draft`
    }
  }

  private draftJson(rec: Rec): Record<string, unknown> {
    const d = rec.draft
    if (!d) throw apiError(404, 'Draft not found.')
    const api = this.env.store.apiUrl
    const parent = this.parentOf(rec)
    const isNewVersion = parent.versions.length > 0 && !rec.published
    return {
      id: rec.id,
      created: rec.created,
      updated: rec.updated,
      revision_id: rec.revision,
      expires_at: rec.created,
      is_published: rec.published !== undefined,
      is_draft: true,
      status: isNewVersion ? 'new_version_draft' : 'draft',
      metadata: structuredClone(d.body.metadata),
      access: structuredClone(d.body.access),
      files: { enabled: d.body.filesEnabled, order: [], default_preview: null },
      custom_fields: structuredClone(d.body.custom_fields),
      pids: this.pidsJson(d.body.externalDoi, d.doi, false),
      parent: this.parentJson(parent),
      versions: { index: rec.index, is_latest: false, is_latest_draft: true },
      links: {
        ...this.commonLinks(rec),
        self: `${api}/records/${rec.id}/draft`,
        self_html: `${this.env.store.url}/uploads/${rec.id}`,
        publish: `${api}/records/${rec.id}/draft/actions/publish`,
        files: `${api}/records/${rec.id}/draft/files`,
        reserve_doi: `${api}/records/${rec.id}/draft/pids/doi`
      }
    }
  }

  private pidsJson(
    external: string | undefined,
    doi: string | undefined,
    registered: boolean
  ): unknown {
    if (external) return { doi: { identifier: external, provider: 'external' } }
    if (!doi) return {}
    return {
      doi: { identifier: doi, provider: 'datacite', client: 'datacite', ...(registered ? {} : {}) }
    }
  }

  private recordJson(rec: Rec): Record<string, unknown> {
    const p = rec.published
    if (!p) throw apiError(404, 'The persistent identifier is not registered.')
    const api = this.env.store.apiUrl
    const parent = this.parentOf(rec)
    const latest = parent.versions[parent.versions.length - 1] === rec.id
    const entries: Record<string, unknown> = {}
    for (const f of p.files.values()) entries[f.key] = this.fileJson(rec.id, f, false)
    let total = 0
    for (const f of p.files.values()) total += f.blob?.size ?? 0
    return {
      id: rec.id,
      created: rec.created,
      updated: rec.updated,
      revision_id: rec.revision,
      is_published: true,
      is_draft: false,
      status: 'published',
      metadata: structuredClone(p.body.metadata),
      access: structuredClone(p.body.access),
      files: {
        enabled: p.body.filesEnabled,
        order: [],
        count: p.files.size,
        total_bytes: total,
        entries
      },
      custom_fields: structuredClone(p.body.custom_fields),
      pids: this.pidsJson(p.body.externalDoi, p.doi, true),
      parent: this.parentJson(parent),
      versions: { index: rec.index, is_latest: latest, is_latest_draft: latest && !parent.draftId },
      links: {
        ...this.commonLinks(rec),
        self: `${api}/records/${rec.id}`,
        self_html: `${this.env.store.url}/records/${rec.id}`,
        files: `${api}/records/${rec.id}/files`,
        communities: `${api}/records/${rec.id}/communities`,
        ...(p.doi ? { doi: `https://doi.org/${p.doi}` } : {}),
        ...(parent.doi ? { parent_doi: `https://doi.org/${parent.doi}` } : {})
      }
    }
  }

  private fileJson(id: string, f: RFile, draft: boolean): Record<string, unknown> {
    const base = `${this.env.store.apiUrl}/records/${id}${draft ? '/draft' : ''}/files/${encodeURIComponent(f.key)}`
    return {
      key: f.key,
      file_id: f.fileId,
      status: f.status,
      created: f.created,
      updated: f.updated,
      storage_class: 'L',
      metadata: null,
      ...(f.blob && f.status === 'completed'
        ? { checksum: `md5:${f.blob.md5}`, size: f.blob.size, mimetype: guessMimetype(f.key) }
        : {}),
      links: {
        self: base,
        content: `${base}/content`,
        ...(draft && f.status === 'pending' ? { commit: `${base}/commit` } : {})
      }
    }
  }

  private filesJson(
    id: string,
    files: Map<string, RFile>,
    draft: boolean
  ): Record<string, unknown> {
    return {
      enabled: true,
      default_preview: null,
      order: [],
      entries: [...files.values()].map(f => this.fileJson(id, f, draft)),
      links: { self: `${this.env.store.apiUrl}/records/${id}${draft ? '/draft' : ''}/files` }
    }
  }

  // --------------------------------------------------------------- seeding

  /** The test handle (seeding and inspection without requests). */
  handle(): RdmTestHandle {
    return {
      records: () => [...this.recs.values()].filter(r => r.published).map(r => this.recordJson(r)),
      drafts: () => [...this.recs.values()].filter(r => r.draft).map(r => this.draftJson(r)),
      requests: () =>
        this.requests.map(r => ({
          id: r.id,
          record: this.parents.get(r.record)?.versions.at(-1) ?? r.record,
          community: this.communities.find(c => c.id === r.community)?.slug ?? r.community,
          status: r.status
        })),
      communityId: slug => this.communities.find(c => c.slug === slug)?.id,
      seedPublished: spec => this.seedPublished(spec),
      seedNewVersionDraft: async (recordId, spec) => {
        const parent = this.parentOf(this.published(recordId))
        const rec = this.newRec(parent, parent.versions.length + 1)
        const { body } = loadDraftBody({ metadata: spec?.metadata ?? {} }, this.vocab)
        rec.draft = { body, files: await this.seedFiles(spec?.files ?? []), saveErrors: [] }
        parent.draftId = rec.id
        return { id: rec.id }
      }
    }
  }

  private async seedFiles(
    files: { name: string; content: string | Buffer }[]
  ): Promise<Map<string, RFile>> {
    const { BlobWriter } = await import('./receive.js')
    const out = new Map<string, RFile>()
    for (const f of files) {
      const w = new BlobWriter(this.env.store.blobPath())
      w.write(Buffer.from(f.content))
      const blob = await w.finish()
      blob.refs = 1
      const now = timestamp()
      out.set(f.name, {
        key: f.name,
        fileId: randomUUID(),
        status: 'completed',
        blob,
        created: now,
        updated: now
      })
    }
    return out
  }

  private async seedPublished(
    spec: RdmSeedSpec = {}
  ): Promise<{ id: string; parentId: string; doi: string; parentDoi?: string }> {
    const parent: Parent = { id: this.newId(), versions: [], communities: [] }
    this.parents.set(parent.id, parent)
    let last: Rec | undefined
    for (let v = 1; v <= (spec.versions ?? 1); v++) {
      const rec = this.newRec(parent, v)
      const firstRt = this.vocab.entries('resourcetypes')?.[0]?.id ?? 'software'
      const metadata = {
        resource_type: { id: firstRt },
        title: spec.title ?? 'Seeded record',
        publication_date: today(),
        creators: [{ person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane' } }],
        ...(spec.version ? { version: spec.version } : {}),
        ...spec.metadata
      }
      const { body } = loadDraftBody({ metadata }, this.vocab)
      const files = await this.seedFiles(spec.files ?? [{ name: 'seed.txt', content: 'seed' }])
      rec.published = { body, files, doi: this.doiFor(rec.id), at: timestamp() }
      parent.versions.push(rec.id)
      last = rec
    }
    if (this.parentDoi) parent.doi = this.doiFor(parent.id)
    if (!last?.published?.doi) throw new Error('seed failed')
    return {
      id: last.id,
      parentId: parent.id,
      doi: last.published.doi,
      ...(parent.doi ? { parentDoi: parent.doi } : {})
    }
  }
}

function acceptsRdm(ctx: Ctx): boolean {
  return (ctx.req.headers.accept ?? '').toLowerCase().includes(RDM_MEDIA_TYPE)
}

/** Accept: absent, any, application/json or the InvenioRDM media type, else 406. */
function checkRdmAccept(ctx: Ctx): void {
  const accept = ctx.req.headers.accept
  if (!accept) return
  const ok = accept
    .split(',')
    .map(p => p.split(';')[0].trim().toLowerCase())
    .some(t => ['*/*', 'application/*', 'application/json', RDM_MEDIA_TYPE, ''].includes(t))
  if (!ok)
    throw apiError(
      406,
      `Invalid 'Accept' header. Expected one of: application/json, ${RDM_MEDIA_TYPE}`
    )
}

function requireAuth(ctx: Ctx): void {
  if (!ctx.authed) throw permissionDenied()
}

function methodNotAllowed(): ApiError {
  return apiError(405, 'The method is not allowed for the requested URL.')
}

function pidDoesNotExist(): ApiError {
  return apiError(404, 'The persistent identifier does not exist.')
}

async function readJson(ctx: Ctx): Promise<unknown> {
  return parseJson(await readSmallBody(ctx.req, ctx.entry))
}

function clampInt(v: string | null, dflt: number, min: number, max: number): number {
  const n = v === null ? NaN : Number(v)
  if (!Number.isInteger(n)) return dflt
  if (n < min || n > max) throw apiError(400, `Invalid value ${v ?? ''}.`)
  return n
}

function fileContent(f: RFile): Reply {
  if (!f.blob || f.status !== 'completed') throw apiError(404, 'Not found.')
  return {
    status: 200,
    headers: { 'content-disposition': `attachment; filename="${encodeURIComponent(f.key)}"` },
    file: { path: f.blob.path, size: f.blob.size, contentType: guessMimetype(f.key) }
  }
}

/** Values at a dotted path, arrays flattened ("metadata.related_identifiers.identifier"). */
function valuesAt(v: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(v) ? v : [v]
  if (Array.isArray(v)) return v.flatMap(x => valuesAt(x, path))
  if (!isObject(v)) return []
  return valuesAt(v[path[0]], path.slice(1))
}

/**
 * A small part of the search syntax InvenioRDM takes in q: `field:value` or `field:"value"`
 * terms (all must match, exact and case-insensitive), else a substring of the hit's JSON.
 */
export function matchesQuery(item: unknown, q: string): boolean {
  const query = q.trim()
  if (!query) return true
  const terms = [...query.matchAll(/([\w.]+):(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)]
  if (terms.length === 0) return JSON.stringify(item).toLowerCase().includes(query.toLowerCase())
  return terms.every(t => {
    const want = (t.at(2) ?? t[3]).replace(/\\(.)/g, '$1').toLowerCase()
    return valuesAt(item, t[1].split('.')).some(
      v =>
        (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
        String(v).toLowerCase() === want
    )
  })
}
