/**
 * Zenodo's legacy deposit API (/api/deposit/depositions and /api/records), one method per call,
 * each marked safe or unsafe to repeat. Built on HttpClient; see docs/zenodo-api.md for
 * how the API behaves today and the quirks handled here.
 */
import { ActionError } from '../errors.js'
import { HttpError, NetworkError, type HttpClient, type RequestOptions } from '../http.js'
import type { ZenodoMetadata } from '../metadata/types.js'

/** A file of a deposition (GET /deposit/depositions/:id/files). */
export interface DepositionFile {
  id: string
  filename: string
  filesize: number
  /** Bare md5 hex. */
  checksum: string
  links: { self?: string; download?: string }
}

/** A deposition: a draft, or a published record seen through the deposit API. */
export interface Deposition {
  id: number
  conceptrecid?: string
  doi?: string
  conceptdoi?: string
  doi_url?: string
  /** 'unsubmitted', 'inprogress' or 'done' ('' when Zenodo sent none). */
  state: string
  submitted: boolean
  created?: string
  modified?: string
  title?: string
  metadata: ZenodoMetadata & { prereserve_doi?: { doi: string; recid: number } }
  /** self, html, bucket, badge, conceptbadge, latest_draft, ... */
  links: Record<string, string | undefined>
  files?: DepositionFile[]
  record_id?: number
}

/** A published record (GET /records/:id). */
export interface ZenodoRecord {
  id: number
  recid?: string
  conceptrecid: string
  doi?: string
  conceptdoi?: string
  doi_url?: string
  title?: string
  links: Record<string, string | undefined>
  metadata: Record<string, unknown>
  files?: { id: string; key: string; size: number; checksum: string }[]
  status?: string
}

/** Options of listDepositions (Zenodo's list is eventually consistent). */
export interface ListDepositionsOptions {
  q?: string
  /** Default 25, at most 100. */
  size?: number
  page?: number
  allVersions?: boolean
  sort?: string
}

/** The Zenodo API client. */
export class ZenodoClient {
  /** The API base, e.g. https://zenodo.org/api */
  readonly api: string
  private readonly http: HttpClient

  constructor(opts: { apiUrl: string; http: HttpClient }) {
    this.api = opts.apiUrl.replace(/\/+$/, '')
    this.http = opts.http
  }

  /** GET a deposition (the draft, or the published record if it has no draft). */
  async getDeposition(id: number): Promise<Deposition> {
    return asDeposition(await this.call({ method: 'GET', path: depositionPath(id), retry: 'safe' }))
  }

  /** The user's depositions, newest first by default. List items have no links.bucket. */
  async listDepositions(opts: ListDepositionsOptions = {}): Promise<Deposition[]> {
    const query = new URLSearchParams()
    if (opts.q !== undefined) query.set('q', opts.q)
    if (opts.size !== undefined) query.set('size', String(opts.size))
    if (opts.page !== undefined) query.set('page', String(opts.page))
    if (opts.allVersions !== undefined) query.set('all_versions', String(opts.allVersions))
    if (opts.sort !== undefined) query.set('sort', opts.sort)
    const qs = query.toString()
    const body = await this.call({
      method: 'GET',
      path: `/deposit/depositions${qs ? `?${qs}` : ''}`,
      retry: 'safe'
    })
    return asArray(body, '/deposit/depositions').map(asDeposition)
  }

  /** Create a new, empty draft (POST {"metadata": ...} or {}). Unsafe: not repeated. */
  async createDeposition(metadata?: ZenodoMetadata): Promise<Deposition> {
    const body = await this.call({
      method: 'POST',
      path: '/deposit/depositions',
      json: metadata ? { metadata } : {},
      retry: 'unsafe'
    })
    return asDeposition(body)
  }

  /** Replace all metadata of a draft (PUT {"metadata": ...}); idempotent. */
  async updateMetadata(id: number, metadata: ZenodoMetadata): Promise<Deposition> {
    const body = await this.call({
      method: 'PUT',
      path: depositionPath(id),
      json: { metadata },
      retry: 'safe'
    })
    return asDeposition(body)
  }

  /** Delete an unpublished draft. A 404 on a repeat after an unknown-effect failure means done. */
  async deleteDeposition(id: number): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: depositionPath(id),
      retry: 'safe',
      expectOnRepeat: [404]
    })
  }

  /** Discard a draft's changes (a never-published draft is deleted). Repeat-safe like delete. */
  async discard(id: number): Promise<void> {
    await this.call({
      method: 'POST',
      path: `${depositionPath(id)}/actions/discard`,
      retry: 'safe',
      expectOnRepeat: [404]
    })
  }

  /**
   * Start a new version of a published record; returns the NEW draft (with the previous
   * version's files). Unsafe: after a failure the caller looks for the draft.
   */
  async newVersion(id: number): Promise<Deposition> {
    const body = asDeposition(
      await this.call({
        method: 'POST',
        path: `${depositionPath(id)}/actions/newversion`,
        retry: 'unsafe'
      })
    )
    // Before 2023 Zenodo answered with the old record and linked the draft as latest_draft.
    const latestDraft = body.links.latest_draft
    if (body.id === id && latestDraft) {
      const draftId = Number(new URL(latestDraft).pathname.split('/').pop())
      if (Number.isInteger(draftId) && draftId !== id) return this.getDeposition(draftId)
    }
    return body
  }

  /**
   * Ask Zenodo to publish a draft. Unsafe: a 5xx or a reset is thrown as is. The answer's body
   * is not read as the outcome (a proxy may answer 200 with a page, a body may say submitted:
   * false): the caller reads the deposition back.
   */
  async publish(id: number): Promise<void> {
    await this.call({
      method: 'POST',
      path: `${depositionPath(id)}/actions/publish`,
      retry: 'unsafe'
    })
  }

  /** The files of a deposition. */
  async listFiles(id: number): Promise<DepositionFile[]> {
    const body = await this.call({
      method: 'GET',
      path: `${depositionPath(id)}/files`,
      retry: 'safe'
    })
    return asArray(body, `${depositionPath(id)}/files`).map(asFile)
  }

  /**
   * Delete a file from a draft. Zenodo has answered 500 although it deleted the file (quirk 4):
   * after a 5xx or a network error the files are listed, and a file that is gone is a success.
   */
  async deleteFile(depositionId: number, fileId: string): Promise<void> {
    try {
      await this.call({
        method: 'DELETE',
        path: `${depositionPath(depositionId)}/files/${encodeURIComponent(fileId)}`,
        retry: 'unsafe'
      })
    } catch (e) {
      const unknownEffect =
        (e instanceof HttpError && e.status >= 500) ||
        (e instanceof NetworkError && e.mayHaveReachedServer)
      if (!unknownEffect) throw e
      const files = await this.listFiles(depositionId)
      if (files.some(f => f.id === fileId)) throw e
    }
  }

  /** A published record; a concept id is redirected (302) to its latest version. */
  async getRecord(id: number | string): Promise<ZenodoRecord> {
    const body = await this.call({
      method: 'GET',
      path: `/records/${encodeURIComponent(String(id))}`,
      retry: 'safe',
      followRedirects: true
    })
    return asRecord(body)
  }

  /** The latest version of the record that id (any version) belongs to (301 to it). */
  async latestVersion(id: number | string): Promise<ZenodoRecord> {
    const body = await this.call({
      method: 'GET',
      path: `/records/${encodeURIComponent(String(id))}/versions/latest`,
      retry: 'safe',
      followRedirects: true
    })
    return asRecord(body)
  }

  /**
   * The id of Zenodo's community with this identifier (its slug, the last part of its address),
   * or undefined when there is none (404): GET /communities/{identifier}. Read-only.
   */
  async communityId(identifier: string): Promise<string | undefined> {
    try {
      const body = await this.call({
        method: 'GET',
        path: `/communities/${encodeURIComponent(identifier)}`,
        retry: 'safe'
      })
      return isObject(body) && typeof body.id === 'string' ? body.id : identifier
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return undefined
      throw e
    }
  }

  private async call(o: Omit<RequestOptions, 'url'> & { path: string }): Promise<unknown> {
    const { path, ...rest } = o
    const res = await this.http.request({ ...rest, url: `${this.api}${path}` })
    return res.body
  }
}

function depositionPath(id: number): string {
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ActionError(`Invalid Zenodo deposition id ${String(id)}.`)
  }
  return `/deposit/depositions/${String(id)}`
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function unexpected(what: string): ActionError {
  return new ActionError(`Zenodo answered with an unexpected body (${what}).`)
}

/** Zenodo sends ids as numbers or numeric strings. */
function isId(v: unknown): v is string | number {
  return typeof v === 'string' || typeof v === 'number'
}

/** An id as a string ('' when absent or not an id). */
function idString(v: unknown): string {
  return isId(v) ? String(v) : ''
}

function asArray(body: unknown, path: string): unknown[] {
  if (!Array.isArray(body)) throw unexpected(`expected a list from ${path}`)
  return body
}

function asDeposition(body: unknown): Deposition {
  if (!isObject(body) || typeof body.id !== 'number') throw unexpected('expected a deposition')
  const files = Array.isArray(body.files) ? body.files.map(asFile) : undefined
  return {
    ...body,
    id: body.id,
    state: typeof body.state === 'string' ? body.state : '',
    submitted: body.submitted === true,
    ...(body.conceptrecid !== undefined ? { conceptrecid: idString(body.conceptrecid) } : {}),
    metadata: isObject(body.metadata) ? body.metadata : {},
    links: isObject(body.links) ? (body.links as Deposition['links']) : {},
    ...(files ? { files } : {})
  }
}

function asFile(body: unknown): DepositionFile {
  if (!isObject(body) || !isId(body.id)) throw unexpected('expected a file')
  const checksum = typeof body.checksum === 'string' ? body.checksum.replace(/^md5:/, '') : ''
  return {
    ...body,
    id: String(body.id),
    filename: typeof body.filename === 'string' ? body.filename : '',
    filesize: typeof body.filesize === 'number' ? body.filesize : 0,
    checksum,
    links: isObject(body.links) ? body.links : {}
  }
}

function asRecord(body: unknown): ZenodoRecord {
  if (!isObject(body) || !isId(body.id)) throw unexpected('expected a record')
  return {
    ...body,
    id: Number(body.id),
    conceptrecid: idString(body.conceptrecid),
    links: isObject(body.links) ? (body.links as ZenodoRecord['links']) : {},
    metadata: isObject(body.metadata) ? body.metadata : {}
  }
}
