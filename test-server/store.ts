/**
 * The test server's state: depositions, concepts, buckets and the uploaded bytes on disk
 * (reference-counted blobs, shared between versions as Zenodo shares file instances), and the
 * JSON shapes the legacy API and the records API answer with (docs/zenodo-api.md, "Shapes").
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { recordMetadata, type StoredMetadata } from './legacy-metadata.js'
import { timestamp } from './http-util.js'
import type { Deposition, DepositionFileView, PublishedRecordView } from './types.js'

/** Bytes on disk, shared by every bucket entry that refers to them. */
export interface Blob {
  id: string
  path: string
  size: number
  md5: string
  refs: number
}

/** A key of a bucket. */
export interface FileEntry {
  key: string
  blob: Blob
  created: string
  updated: string
  versionId: string
  mimetype: string
}

/** A bucket (the files of one deposition). */
export interface Bucket {
  id: string
  depId: number
  files: Map<string, FileEntry>
  /** Published: "Bucket is locked for modifications." */
  locked: boolean
}

/** A deposition: a draft, a published record, or a published record being edited. */
export interface Dep {
  id: number
  conceptrecid: number
  created: string
  modified: string
  /** Date.now() at creation, for listLagMs. */
  createdAt: number
  /** The draft's metadata (or the record's, when published and not being edited). */
  metadata: StoredMetadata
  bucket: Bucket
  /** Present once published: the record's metadata. */
  published?: { metadata: StoredMetadata; at: string }
  /** Published and opened for edit. */
  editing: boolean
  revision: number
}

/** A concept: the published versions in order and its unpublished draft, if any. */
export interface Concept {
  id: number
  versions: number[]
  draftId?: number
}

const MIME: Record<string, string> = {
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  tar: 'application/x-tar',
  json: 'application/json',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  svg: 'image/svg+xml',
  html: 'text/html',
  xml: 'application/xml',
  py: 'text/x-python'
}

/** The mimetype Zenodo guesses from a key. */
export function guessMimetype(key: string): string {
  const ext = key.includes('.') ? key.split('.').pop()?.toLowerCase() : undefined
  return (ext && MIME[ext]) || 'application/octet-stream'
}

/** All state of one test server. */
export class Store {
  readonly deps = new Map<number, Dep>()
  readonly concepts = new Map<number, Concept>()
  readonly buckets = new Map<string, Bucket>()
  private nextId = 1000
  /** Where links.bucket points instead of this server's API (option foreignBucketApiUrl). */
  bucketApiUrl?: string

  constructor(
    readonly storageDir: string,
    readonly url: string,
    readonly doiPrefix = '10.5281'
  ) {}

  get apiUrl(): string {
    return `${this.url}/api`
  }

  /** A fresh id from the counter. */
  newId(): number {
    return this.nextId++
  }

  /** A path for a new blob. */
  blobPath(): string {
    return join(this.storageDir, `blob-${randomUUID()}`)
  }

  doi(id: number): string {
    return `${this.doiPrefix}/zenodo.${String(id)}`
  }

  newBucket(depId: number): Bucket {
    const b: Bucket = { id: randomUUID(), depId, files: new Map(), locked: false }
    this.buckets.set(b.id, b)
    return b
  }

  /** Creates a deposition (and, without conceptrecid, its concept). */
  createDep(metadata: StoredMetadata, conceptrecid?: number): Dep {
    let concept = conceptrecid === undefined ? undefined : this.concepts.get(conceptrecid)
    if (!concept) {
      concept = { id: this.newId(), versions: [] }
      this.concepts.set(concept.id, concept)
    }
    const id = this.newId()
    const now = timestamp()
    const dep: Dep = {
      id,
      conceptrecid: concept.id,
      created: now,
      modified: now,
      createdAt: Date.now(),
      metadata,
      bucket: this.newBucket(id),
      editing: false,
      revision: 1
    }
    this.deps.set(id, dep)
    concept.draftId = id
    return dep
  }

  /** Puts a blob under a key of a bucket, replacing (and releasing) what was there. */
  putFile(bucket: Bucket, key: string, blob: Blob): FileEntry {
    const now = timestamp()
    const old = bucket.files.get(key)
    blob.refs++
    const entry: FileEntry = {
      key,
      blob,
      created: old?.created ?? now,
      updated: now,
      versionId: randomUUID(),
      mimetype: guessMimetype(key)
    }
    bucket.files.set(key, entry)
    if (old) this.release(old.blob)
    return entry
  }

  /** Removes a key from a bucket. */
  removeFile(bucket: Bucket, key: string): void {
    const old = bucket.files.get(key)
    if (!old) return
    bucket.files.delete(key)
    this.release(old.blob)
  }

  /** Drops one reference to a blob; the bytes go when nothing refers to them. */
  release(blob: Blob): void {
    blob.refs--
    if (blob.refs <= 0) rmSync(blob.path, { force: true })
  }

  /** Deletes a never-published draft and its bucket. */
  deleteDep(dep: Dep): void {
    for (const key of [...dep.bucket.files.keys()]) this.removeFile(dep.bucket, key)
    this.buckets.delete(dep.bucket.id)
    this.deps.delete(dep.id)
    const concept = this.concepts.get(dep.conceptrecid)
    if (concept?.draftId === dep.id) concept.draftId = undefined
    if (concept && concept.versions.length === 0 && concept.draftId === undefined) {
      this.concepts.delete(concept.id)
    }
  }

  /** Imports every file of `from` into `to` (same keys, same bytes). */
  importFiles(from: Bucket, to: Bucket): void {
    for (const entry of from.files.values()) this.putFile(to, entry.key, entry.blob)
  }

  /** The latest published version of a concept. */
  latest(conceptrecid: number): Dep | undefined {
    const c = this.concepts.get(conceptrecid)
    const id = c?.versions[c.versions.length - 1]
    return id === undefined ? undefined : this.deps.get(id)
  }

  touch(dep: Dep): void {
    dep.modified = timestamp()
    dep.revision++
  }

  /** GET /deposit/depositions/:id (list: without links.bucket). */
  depositionJson(dep: Dep, list = false): Deposition {
    const api = this.apiUrl
    const self = `${api}/deposit/depositions/${String(dep.id)}`
    const published = dep.published !== undefined
    const showDraft = !published || dep.editing
    const m = showDraft ? dep.metadata : (dep.published?.metadata ?? dep.metadata)
    const doi = this.doi(dep.id)
    const concept = this.concepts.get(dep.conceptrecid)
    const conceptPublished = (concept?.versions.length ?? 0) > 0
    const conceptdoi = this.doi(dep.conceptrecid)
    const metadata: Deposition['metadata'] = {
      ...m.fields,
      prereserve_doi: { doi, recid: dep.id }
    }
    if (published) metadata.doi = doi
    const links: Record<string, string> = {
      self,
      html: `${this.url}/deposit/${String(dep.id)}`,
      badge: `${this.url}/badge/doi/${published ? doi : ''}.svg`,
      files: `${self}/files`,
      bucket: `${this.bucketApiUrl ?? api}/files/${dep.bucket.id}`,
      latest_draft: self,
      latest_draft_html: `${this.url}/deposit/${String(dep.id)}`,
      publish: `${self}/actions/publish`,
      edit: `${self}/actions/edit`,
      discard: `${self}/actions/discard`,
      newversion: `${self}/actions/newversion`,
      registerconceptdoi: `${self}/actions/registerconceptdoi`
    }
    if (published) {
      Object.assign(links, {
        self: `${api}/records/${String(dep.id)}`,
        html: `${this.url}/records/${String(dep.id)}`,
        doi: `https://doi.org/${doi}`,
        parent_doi: `https://doi.org/${conceptdoi}`,
        conceptbadge: `${this.url}/badge/doi/${conceptdoi}.svg`,
        record: `${api}/records/${String(dep.id)}`,
        record_html: `${this.url}/records/${String(dep.id)}`,
        latest: `${api}/records/${String(dep.id)}/versions/latest`,
        latest_html: `${this.url}/records/${String(dep.id)}/latest`
      })
    }
    if (list) delete links.bucket
    const out: Deposition = {
      created: dep.created,
      modified: dep.modified,
      id: dep.id,
      conceptrecid: String(dep.conceptrecid),
      ...(published ? { doi, doi_url: `https://doi.org/${doi}` } : {}),
      ...(conceptPublished ? { conceptdoi } : {}),
      metadata,
      title: typeof m.fields.title === 'string' ? m.fields.title : '',
      links,
      record_id: dep.id,
      owner: 1,
      files: [...dep.bucket.files.values()].map(f => this.fileJson(dep, f)),
      state: published ? (dep.editing ? 'inprogress' : 'done') : 'unsubmitted',
      submitted: published
    }
    return out
  }

  /** A file of a deposition (legacy shape; download links point at /draft/, quirk 5). */
  fileJson(dep: Dep, f: FileEntry): DepositionFileView {
    const key = encodeURIComponent(f.key)
    return {
      id: f.blob.id,
      filename: f.key,
      filesize: f.blob.size,
      checksum: f.blob.md5,
      links: {
        self: `${this.apiUrl}/deposit/depositions/${String(dep.id)}/files/${f.blob.id}`,
        download: `${this.apiUrl}/records/${String(dep.id)}/draft/files/${key}/content`
      }
    }
  }

  /** GET /api/records/:id of a published deposition. */
  recordJson(dep: Dep): PublishedRecordView {
    const published = dep.published
    if (!published) throw new Error(`deposition ${String(dep.id)} is not published`)
    const api = this.apiUrl
    const doi = this.doi(dep.id)
    const conceptdoi = this.doi(dep.conceptrecid)
    const concept = this.concepts.get(dep.conceptrecid)
    const versions = concept?.versions ?? [dep.id]
    const index = versions.indexOf(dep.id)
    const m = published.metadata
    return {
      created: published.at,
      updated: dep.modified,
      id: dep.id,
      recid: String(dep.id),
      conceptrecid: String(dep.conceptrecid),
      doi,
      conceptdoi,
      doi_url: `https://doi.org/${doi}`,
      metadata: recordMetadata(m, {
        doi,
        conceptrecid: dep.conceptrecid,
        index: index + 1,
        isLast: index === versions.length - 1
      }),
      title: typeof m.fields.title === 'string' ? m.fields.title : '',
      links: {
        self: `${api}/records/${String(dep.id)}`,
        self_html: `${this.url}/records/${String(dep.id)}`,
        doi: `https://doi.org/${doi}`,
        self_doi: `https://doi.org/${doi}`,
        parent: `${api}/records/${String(dep.conceptrecid)}`,
        parent_doi: `https://doi.org/${conceptdoi}`,
        badge: `${this.url}/badge/doi/${doi}.svg`,
        conceptbadge: `${this.url}/badge/doi/${conceptdoi}.svg`,
        files: `${api}/records/${String(dep.id)}/files`,
        latest: `${api}/records/${String(dep.id)}/versions/latest`,
        latest_html: `${this.url}/records/${String(dep.id)}/latest`,
        versions: `${api}/records/${String(dep.id)}/versions`
      },
      revision: dep.revision,
      owners: [{ id: 1 }],
      status: 'published',
      state: 'done',
      submitted: true,
      files: [...dep.bucket.files.values()].map(f => ({
        id: f.blob.id,
        key: f.key,
        size: f.blob.size,
        checksum: `md5:${f.blob.md5}`,
        links: {
          self: `${api}/records/${String(dep.id)}/files/${encodeURIComponent(f.key)}/content`
        }
      }))
    }
  }

  /** Bucket PUT 201 body. */
  objectJson(bucket: Bucket, f: FileEntry): Record<string, unknown> {
    const self = `${this.apiUrl}/files/${bucket.id}/${encodeURIComponent(f.key)}`
    return {
      created: f.created,
      updated: f.updated,
      version_id: f.versionId,
      key: f.key,
      size: f.blob.size,
      mimetype: f.mimetype,
      checksum: `md5:${f.blob.md5}`,
      is_head: true,
      delete_marker: false,
      links: { self, version: `${self}?versionId=${f.versionId}`, uploads: `${self}?uploads` }
    }
  }
}
