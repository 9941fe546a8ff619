/**
 * /api/deposit/depositions: list, create, get, PUT, DELETE, the actions (publish, edit, discard,
 * newversion) and the deposition files endpoints (docs/zenodo-api.md "Endpoints", "newversion",
 * "Publish", "Legacy metadata").
 */
import type { Ctx, Env } from './context.js'
import {
  apiError,
  checkContentType,
  internalError,
  isObject,
  json,
  notFound,
  parseJson,
  permissionDenied,
  readSmallBody,
  today,
  validationError,
  type Reply
} from './http-util.js'
import { loadMetadata, publishErrors, type StoredMetadata } from './legacy-metadata.js'
import { boundaryOf, readMultipart } from './multipart.js'
import type { Dep } from './store.js'

const MAX_FILES = 100
const TOO_MANY_FILES =
  'Uploading selected files will result in exceeding the max amount per record.'

/** 403 "Bucket is locked for modifications." */
export function bucketLocked(): Error {
  return apiError(403, 'Bucket is locked for modifications.')
}

/** 400 when a bucket already holds the maximum number of files. */
export function tooManyFiles(): Error {
  return apiError(400, TOO_MANY_FILES)
}

function methodNotAllowed(): Error {
  return apiError(405, 'The method is not allowed for the requested URL.')
}

/** Werkzeug's secure_filename, as Zenodo applies it to multipart uploads. */
export function secureFilename(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[/\\]/g, ' ')
  return ascii
    .split(/\s+/)
    .filter(Boolean)
    .join('_')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .replace(/^[._]+|[._]+$/g, '')
}

function clone(m: StoredMetadata): StoredMetadata {
  return structuredClone(m)
}

function etag(dep: Dep): Record<string, string> {
  return { etag: `"${String(dep.revision)}"` }
}

/** Routes /api/deposit/depositions/... (segments after 'depositions'). */
export async function depositRoutes(env: Env, ctx: Ctx, segs: string[]): Promise<Reply> {
  if (!ctx.authed) throw permissionDenied()
  const m = ctx.method
  if (segs.length === 0) {
    if (m === 'GET') return list(env, ctx)
    if (m === 'POST') return create(env, ctx)
    throw methodNotAllowed()
  }
  if (!/^\d+$/.test(segs[0])) throw notFound()
  const id = Number(segs[0])
  if (segs.length === 1) {
    if (m === 'GET') return get(env, id)
    if (m === 'PUT') return update(env, ctx, id)
    if (m === 'DELETE') return remove(env, id)
    throw methodNotAllowed()
  }
  if (segs[1] === 'actions' && segs.length === 3) {
    if (m !== 'POST') throw methodNotAllowed()
    if (segs[2] === 'publish') return publish(env, id)
    if (segs[2] === 'edit') return edit(env, id)
    if (segs[2] === 'discard') return discard(env, id)
    if (segs[2] === 'newversion') return newVersion(env, id)
    throw notFound()
  }
  if (segs[1] === 'files' && segs.length === 2) {
    if (m === 'GET') return listFiles(env, id)
    if (m === 'POST') return uploadMultipart(env, ctx, id)
    // sorting (PUT :id/files) and renaming (PUT :id/files/:file_id) are gone: 405
    throw methodNotAllowed()
  }
  if (segs[1] === 'files' && segs.length === 3) {
    if (m === 'GET') return getFile(env, id, segs[2])
    if (m === 'DELETE') return deleteFile(env, id, segs[2])
    throw methodNotAllowed()
  }
  throw notFound()
}

function depOr404(env: Env, id: number): Dep {
  const dep = env.store.deps.get(id)
  if (!dep) throw notFound()
  return dep
}

/** A deposition that can be changed (a draft, or a published record in edit), else 404. */
function draftOr404(env: Env, id: number): Dep {
  const dep = depOr404(env, id)
  if (dep.published && !dep.editing) throw notFound()
  return dep
}

function truthy(v: string | null): boolean {
  return v !== null && ['', 'true', '1', 'yes'].includes(v.toLowerCase())
}

function matchesQuery(dep: Dep, q: string): boolean {
  const field = /^(\w+):"?([^"]*)"?$/.exec(q.trim())
  const fields = dep.metadata.fields
  const title = (typeof fields.title === 'string' ? fields.title : '').toLowerCase()
  if (field) {
    const [, name, value] = field
    if (name === 'conceptrecid') return String(dep.conceptrecid) === value
    if (name === 'recid' || name === 'id') return String(dep.id) === value
    if (name === 'title') return title.includes(value.toLowerCase())
    return false
  }
  const words = q.replace(/"/g, '').toLowerCase().split(/\s+/).filter(Boolean)
  return words.every(w => title.includes(w))
}

function list(env: Env, ctx: Ctx): Reply {
  const q = ctx.query
  const lag = env.opts.listLagMs ?? 0
  const now = Date.now()
  let items = [...env.store.deps.values()].filter(d => now - d.createdAt >= lag)
  if (!truthy(q.get('all_versions'))) {
    const latestOf = new Map<number, Dep>()
    for (const d of items) {
      const cur = latestOf.get(d.conceptrecid)
      if (!cur || d.id > cur.id) latestOf.set(d.conceptrecid, d)
    }
    items = [...latestOf.values()]
  }
  const query = q.get('q')
  if (query) items = items.filter(d => matchesQuery(d, query))
  const sort = q.get('sort') ?? 'mostrecent'
  const asc = sort.startsWith('-')
  items.sort((a, b) => (b.modified.localeCompare(a.modified) || b.id - a.id) * (asc ? -1 : 1))
  const size = Math.min(100, Math.max(1, Number(q.get('size')) || 25))
  const page = Math.max(1, Number(q.get('page')) || 1)
  const slice = items.slice((page - 1) * size, page * size)
  return json(
    200,
    slice.map(d => env.store.depositionJson(d, true))
  )
}

async function readJsonObject(ctx: Ctx): Promise<Record<string, unknown>> {
  checkContentType(ctx.req, 'application/json')
  const body = parseJson(await readSmallBody(ctx.req, ctx.entry))
  if (!isObject(body)) throw internalError()
  const unknown = Object.keys(body).filter(k => k !== 'metadata' && k !== 'files')
  if (unknown.length) {
    throw validationError(unknown.map(field => ({ field, messages: ['Unknown field.'] })))
  }
  if (body.metadata !== undefined && !isObject(body.metadata)) throw internalError()
  return body.metadata ?? {}
}

async function create(env: Env, ctx: Ctx): Promise<Reply> {
  const input = await readJsonObject(ctx)
  const dep = env.store.createDep(loadMetadata(input, Object.keys(input).length > 0))
  return json(201, env.store.depositionJson(dep), etag(dep))
}

function get(env: Env, id: number): Reply {
  const dep = depOr404(env, id)
  return json(200, env.store.depositionJson(dep), etag(dep))
}

async function update(env: Env, ctx: Ctx, id: number): Promise<Reply> {
  const dep = draftOr404(env, id)
  const ifMatch = ctx.req.headers['if-match']
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== `"${String(dep.revision)}"`) {
    throw apiError(412, 'Precondition Failed')
  }
  const input = await readJsonObject(ctx)
  dep.metadata = loadMetadata(input, true)
  env.store.touch(dep)
  return json(200, env.store.depositionJson(dep), etag(dep))
}

function remove(env: Env, id: number): Reply {
  const dep = depOr404(env, id)
  if (dep.published) throw notFound()
  env.store.deleteDep(dep)
  return { status: 204 }
}

function publish(env: Env, id: number): Reply {
  const dep = draftOr404(env, id)
  const errors = publishErrors(dep.metadata, dep.bucket.files.size)
  if (errors.length) throw validationError(errors)
  const store = env.store
  if (!dep.published) {
    const concept = store.concepts.get(dep.conceptrecid)
    if (concept) {
      concept.versions.push(dep.id)
      if (concept.draftId === dep.id) concept.draftId = undefined
    }
  }
  dep.published = { metadata: clone(dep.metadata), at: dep.published?.at ?? dep.modified }
  dep.editing = false
  dep.bucket.locked = true
  store.touch(dep)
  return json(202, store.depositionJson(dep), etag(dep))
}

function edit(env: Env, id: number): Reply {
  const dep = depOr404(env, id)
  if (dep.published && !dep.editing) {
    dep.editing = true
    dep.metadata = clone(dep.published.metadata)
    env.store.touch(dep)
  }
  return json(201, env.store.depositionJson(dep), etag(dep))
}

function discard(env: Env, id: number): Reply {
  const dep = draftOr404(env, id)
  if (!dep.published) {
    env.store.deleteDep(dep)
    return { status: 204 }
  }
  dep.metadata = clone(dep.published.metadata)
  dep.editing = false
  env.store.touch(dep)
  return { status: 204 }
}

function newVersion(env: Env, id: number): Reply {
  const store = env.store
  const dep = depOr404(env, id)
  if (!dep.published) throw notFound()
  const ownDoi = dep.published.metadata.fields.doi
  if (typeof ownDoi === 'string' && ownDoi !== store.doi(dep.id)) throw permissionDenied()
  const latest = store.latest(dep.conceptrecid) ?? dep
  const concept = store.concepts.get(dep.conceptrecid)
  const existing = concept?.draftId === undefined ? undefined : store.deps.get(concept.draftId)
  if (existing) {
    if (existing.bucket.files.size > 0) {
      throw validationError([
        { field: 'files.enabled', messages: ['Please remove all files first.'] }
      ])
    }
    store.importFiles(latest.bucket, existing.bucket)
    store.touch(existing)
    return json(201, store.depositionJson(existing), etag(existing))
  }
  const draft = store.createDep(newVersionMetadata(latest), dep.conceptrecid)
  store.importFiles(latest.bucket, draft.bucket)
  return json(201, store.depositionJson(draft), etag(draft))
}

/** The metadata of a new-version draft: the latest version's, without version, dated today. */
export function newVersionMetadata(latest: Dep): StoredMetadata {
  const m = clone(latest.published?.metadata ?? latest.metadata)
  delete m.fields.version
  delete m.fields.doi
  m.fields.publication_date = today()
  return m
}

function listFiles(env: Env, id: number): Reply {
  const dep = depOr404(env, id)
  return json(
    200,
    [...dep.bucket.files.values()].map(f => env.store.fileJson(dep, f))
  )
}

function findFile(dep: Dep, fileId: string) {
  return [...dep.bucket.files.values()].find(f => f.blob.id === fileId)
}

function getFile(env: Env, id: number, fileId: string): Reply {
  const dep = depOr404(env, id)
  const f = findFile(dep, fileId)
  if (!f) throw notFound()
  return json(200, env.store.fileJson(dep, f))
}

function deleteFile(env: Env, id: number, fileId: string): Reply {
  const dep = depOr404(env, id)
  const f = findFile(dep, fileId)
  if (!f) throw notFound()
  if (dep.bucket.locked) throw bucketLocked()
  env.store.removeFile(dep.bucket, f.key)
  env.store.touch(dep)
  if (env.opts.bucketDeleteReturns500) throw internalError()
  return { status: 204 }
}

async function uploadMultipart(env: Env, ctx: Ctx, id: number): Promise<Reply> {
  const dep = depOr404(env, id)
  if (dep.bucket.locked) throw bucketLocked()
  const boundary = boundaryOf(ctx.req.headers['content-type'])
  const used = [...dep.bucket.files.values()].reduce((n, f) => n + f.blob.size, 0)
  const limit = Math.min(env.quota, env.quota - used)
  const result = await readMultipart(
    ctx.req,
    ctx.entry,
    boundary,
    () => env.store.blobPath(),
    limit,
    () =>
      apiError(400, limit < env.quota ? 'Bucket quota exceeded.' : 'Maximum file size exceeded.')
  )
  const file = result.file
  if (!file) throw apiError(400, 'Bad request.')
  const discardBlob = (): void => {
    file.blob.refs = 1
    env.store.release(file.blob)
  }
  const key = secureFilename(result.fields.name ?? file.filename)
  const checks: [boolean, () => Error][] = [
    [!env.store.deps.has(dep.id), notFound],
    [dep.bucket.locked, bucketLocked],
    [!key, () => apiError(400, 'Bad request.')],
    [dep.bucket.files.has(key), () => apiError(400, `File with key ${key} already exists.`)],
    [dep.bucket.files.size >= MAX_FILES, tooManyFiles]
  ]
  for (const [failed, error] of checks) {
    if (failed) {
      discardBlob()
      throw error()
    }
  }
  const entry = env.store.putFile(dep.bucket, key, file.blob)
  env.store.touch(dep)
  return json(201, env.store.fileJson(dep, entry))
}
