/**
 * Seeding state directly (no requests): published records with several versions, and the
 * unpublished new-version draft a failed run leaves behind.
 */
import { createHash, randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { newVersionMetadata } from './deposit-routes.js'
import { loadMetadata } from './legacy-metadata.js'
import type { Blob, Dep, Store } from './store.js'
import type { SeedFile, ZenodoTestServer } from './types.js'

/** Writes seed content to a blob synchronously (seeds are small). */
function seedBlob(store: Store, content: string | Buffer): Blob {
  const data = typeof content === 'string' ? Buffer.from(content) : content
  const path = store.blobPath()
  writeFileSync(path, data)
  return {
    id: randomUUID(),
    path,
    size: data.length,
    md5: createHash('md5').update(data).digest('hex'),
    refs: 0
  }
}

function seedFiles(store: Store, dep: Dep, files: SeedFile[]): void {
  for (const f of files) store.putFile(dep.bucket, f.name, seedBlob(store, f.content))
}

function publishDirect(store: Store, dep: Dep): void {
  const concept = store.concepts.get(dep.conceptrecid)
  concept?.versions.push(dep.id)
  if (concept?.draftId === dep.id) concept.draftId = undefined
  dep.published = { metadata: structuredClone(dep.metadata), at: dep.modified }
  dep.bucket.locked = true
}

/** See ZenodoTestServer.seedPublished; older versions get version "0.<n>.0"; conceptrecid adds to a concept. */
export function seedPublished(
  store: Store,
  spec: Parameters<ZenodoTestServer['seedPublished']>[0]
): ReturnType<ZenodoTestServer['seedPublished']> {
  const versions = Math.max(1, spec.versions ?? 1)
  let conceptrecid: number | undefined = spec.conceptrecid
  if (conceptrecid !== undefined && !store.concepts.has(conceptrecid)) {
    throw new Error(`no concept ${String(conceptrecid)}`)
  }
  let dep: Dep | undefined
  for (let i = 1; i <= versions; i++) {
    const version = i === versions ? spec.version : `0.${String(i)}.0`
    const meta = loadMetadata(
      {
        title: spec.title ?? 'Seeded record',
        upload_type: 'software',
        description: 'A record seeded by the test server.',
        creators: [{ name: 'Doe, Jane', affiliation: 'Test University' }],
        ...(version !== undefined ? { version } : {}),
        ...(spec.metadata ?? {})
      },
      true
    )
    dep = store.createDep(meta, conceptrecid)
    conceptrecid = dep.conceptrecid
    seedFiles(store, dep, spec.files ?? [])
    publishDirect(store, dep)
  }
  const last = dep as Dep
  return {
    id: last.id,
    conceptrecid: last.conceptrecid,
    doi: store.doi(last.id),
    conceptdoi: store.doi(last.conceptrecid)
  }
}

/**
 * See ZenodoTestServer.seedStaleDraft: a new-version draft of the concept's latest version with
 * the given files (the latest version's files when none are given).
 */
export function seedStaleDraft(
  store: Store,
  conceptrecid: number,
  spec: { files?: SeedFile[]; metadata?: Record<string, unknown> } = {}
): { id: number } {
  const latest = store.latest(conceptrecid)
  if (!latest) throw new Error(`concept ${String(conceptrecid)} has no published version`)
  if (store.concepts.get(conceptrecid)?.draftId !== undefined) {
    throw new Error(`concept ${String(conceptrecid)} already has an unpublished draft`)
  }
  let meta = newVersionMetadata(latest)
  if (spec.metadata) {
    const license = meta.licenseId
    meta = loadMetadata({ ...meta.fields, license, ...spec.metadata }, true)
  }
  const dep = store.createDep(meta, conceptrecid)
  if (spec.files) seedFiles(store, dep, spec.files)
  else store.importFiles(latest.bucket, dep.bucket)
  return { id: dep.id }
}
