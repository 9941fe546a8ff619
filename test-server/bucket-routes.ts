/**
 * /api/files/:bucket/:key (the bucket API: streamed uploads with md5, replace in place, quota,
 * lock after publish) and /api/records (published records, redirects to the latest version,
 * file downloads streamed from disk). docs/zenodo-api.md "Endpoints", "Limits", "Quirks" 4, 5, 13.
 */
import type { Ctx, Env } from './context.js'
import { bucketLocked, tooManyFiles } from './deposit-routes.js'
import {
  apiError,
  checkContentType,
  internalError,
  json,
  notFound,
  permissionDenied,
  type Reply
} from './http-util.js'
import { receiveBlob } from './receive.js'
import type { Bucket, Dep, FileEntry } from './store.js'

const MAX_FILES = 100

function bytesUsed(bucket: Bucket): number {
  let n = 0
  for (const f of bucket.files.values()) n += f.blob.size
  return n
}

/** Routes /api/files/... (segments after 'files'). */
export async function bucketRoutes(env: Env, ctx: Ctx, segs: string[]): Promise<Reply> {
  if (!ctx.authed) throw permissionDenied()
  const bucket = env.store.buckets.get(segs[0])
  if (!bucket) throw notFound()
  if (segs.length === 1) {
    // listing a bucket answers 500 on Zenodo today (quirk 4)
    if (ctx.method === 'GET') throw internalError()
    throw notFound()
  }
  if (segs.length !== 2) throw notFound()
  const key = segs[1]
  if (ctx.method === 'PUT') return putObject(env, ctx, bucket, key)
  if (ctx.method === 'GET') {
    const f = bucket.files.get(key)
    if (!f) throw notFound()
    return fileReply(f)
  }
  if (ctx.method === 'DELETE') {
    if (bucket.locked) throw bucketLocked()
    if (!bucket.files.has(key)) throw notFound()
    env.store.removeFile(bucket, key)
    const dep = env.store.deps.get(bucket.depId)
    if (dep) env.store.touch(dep)
    if (env.opts.bucketDeleteReturns500) throw internalError()
    return { status: 204 }
  }
  throw apiError(405, 'The method is not allowed for the requested URL.')
}

async function putObject(env: Env, ctx: Ctx, bucket: Bucket, key: string): Promise<Reply> {
  checkContentType(ctx.req, 'application/octet-stream')
  if (bucket.locked) throw bucketLocked()
  const existing = bucket.files.get(key)
  if (!existing && bucket.files.size >= MAX_FILES) throw tooManyFiles()
  const quota = env.quota
  const used = bytesUsed(bucket) - (existing?.blob.size ?? 0)
  const fileTooBig = (): Error => apiError(400, 'Maximum file size exceeded.')
  const bucketFull = (): Error => apiError(400, 'Bucket quota exceeded.')
  const declared = ctx.req.headers['content-length']
  if (declared !== undefined) {
    const n = Number(declared)
    if (n > quota) throw fileTooBig()
    if (used + n > quota) throw bucketFull()
  }
  const limit = quota - used
  const blob = await receiveBlob(ctx.req, ctx.entry, env.store.blobPath(), limit, () =>
    limit < quota ? bucketFull() : fileTooBig()
  )
  // Look again: the draft may have been published (bucket locked) or discarded (bucket gone)
  // while the bytes arrived.
  const now = env.store.buckets.get(bucket.id)
  if (!now || now.locked) {
    blob.refs = 1
    env.store.release(blob)
    throw now ? bucketLocked() : notFound()
  }
  const entry = env.store.putFile(bucket, key, blob)
  const dep = env.store.deps.get(bucket.depId)
  if (dep) env.store.touch(dep)
  return json(201, env.store.objectJson(bucket, entry))
}

function fileReply(f: FileEntry): Reply {
  return {
    status: 200,
    headers: { 'content-disposition': `attachment; filename="${encodeURIComponent(f.key)}"` },
    file: { path: f.blob.path, size: f.blob.size, contentType: f.mimetype }
  }
}

function recordsFilesJson(env: Env, dep: Dep): Record<string, unknown> {
  const rec = env.store.recordJson(dep)
  return {
    enabled: true,
    entries: rec.files.map(f => ({
      key: f.key,
      size: f.size,
      checksum: f.checksum,
      file_id: f.id,
      links: { self: f.links.self.replace(/\/content$/, ''), content: f.links.self }
    })),
    links: { self: `${env.store.apiUrl}/records/${String(dep.id)}/files` }
  }
}

/** Routes /api/records/... (segments after 'records'); public like Zenodo's. */
export function recordRoutes(env: Env, ctx: Ctx, segs: string[]): Reply {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    throw apiError(405, 'The method is not allowed for the requested URL.')
  }
  if (segs.length === 0 || !/^\d+$/.test(segs[0])) throw notFound()
  const store = env.store
  const id = Number(segs[0])
  const dep = store.deps.get(id)
  const rest = segs.slice(1)
  if (rest[0] === 'draft') return draftFile(env, ctx, dep, rest.slice(1))
  if (!dep) {
    const latest = store.latest(id)
    if (!latest) throw notFound()
    // a concept id redirects to its latest version
    if (rest.length === 0) return redirect(302, `/api/records/${String(latest.id)}`)
    if (rest.join('/') === 'versions/latest') {
      return redirect(301, `${store.apiUrl}/records/${String(latest.id)}`)
    }
    throw notFound()
  }
  if (!dep.published) throw apiError(404, 'The persistent identifier is not registered.')
  if (rest.length === 0) return json(200, store.recordJson(dep))
  if (rest.join('/') === 'versions/latest') {
    const latest = store.latest(dep.conceptrecid) ?? dep
    return redirect(301, `${store.apiUrl}/records/${String(latest.id)}`)
  }
  if (rest[0] === 'files') {
    if (rest.length === 1) return json(200, recordsFilesJson(env, dep))
    const f = dep.bucket.files.get(rest[1])
    if (!f || rest.length > 3 || (rest.length === 3 && rest[2] !== 'content')) throw notFound()
    if (rest.length === 3) return fileReply(f)
    const entries = recordsFilesJson(env, dep).entries as { key: string }[]
    return json(
      200,
      entries.find(e => e.key === f.key)
    )
  }
  throw notFound()
}

/** /api/records/:id/draft/files/:key/content, where the legacy download links point (quirk 5). */
function draftFile(env: Env, ctx: Ctx, dep: Dep | undefined, rest: string[]): Reply {
  if (!ctx.authed) throw permissionDenied()
  if (!dep || rest.length !== 3 || rest[0] !== 'files' || rest[2] !== 'content') throw notFound()
  const f = dep.bucket.files.get(rest[1])
  if (!f) throw notFound()
  return fileReply(f)
}

function redirect(status: 301 | 302, location: string): Reply {
  return json(status, { status, message: 'Redirecting...', location }, { location })
}
