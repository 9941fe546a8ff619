/**
 * Where a release goes on an InvenioRDM repository, decided read-only: the same TargetPlan kinds
 * and the same rules as on Zenodo's legacy API (src/target.ts): a release is recognised by its
 * tree link across every version; a published version of it means nothing new is published; an
 * unpublished draft is used only when it is provably this action's own leftover, and a person's
 * draft stops the run before any write. Only GETs reach the repository from here.
 */
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
import { linkedRepository } from '../zenodo/discovery.js'
import { logSafe } from '../format.js'
import { HttpError } from '../http.js'
import {
  carriesIdentity,
  judgeDraft,
  type Entry,
  type PlannedUpload,
  type ReleaseIdentity,
  type TargetPlan
} from '../target.js'
import type { RdmClient, RdmFile, RdmRecord } from './client.js'
import { conceptOf, resolveConcept, type FoundConcept } from './concept.js'

/** Pages of 100 of the token owner's records read when looking for a release. */
const USER_PAGES = 10

/** The checksums of a record's or draft's files, as the rules need them. */
export function recordFiles(r: RdmRecord): Entry['files'] {
  const entries = r.files?.entries
  const list: unknown[] = Array.isArray(entries) ? entries : Object.values(entries ?? {})
  return list
    .filter(
      (f): f is { key: string; checksum?: unknown } => isObject(f) && typeof f.key === 'string'
    )
    .map(f => ({
      name: f.key,
      md5: typeof f.checksum === 'string' ? f.checksum.replace(/^md5:/i, '').toLowerCase() : ''
    }))
}

/**
 * A draft's files as the rules need them. A file still pending (its upload begun, not committed:
 * no checksum yet) of a name this release uploads counts as this release's partial upload.
 */
export function draftFilesForJudging(
  files: readonly RdmFile[],
  planned: readonly PlannedUpload[]
): Entry['files'] {
  return files.map(f => ({
    name: f.key,
    md5: f.checksum ?? planned.find(p => p.name === f.key)?.md5 ?? ''
  }))
}

/**
 * A record or draft as the rules of src/target.ts see it. Its id is a string here; the rules
 * used on InvenioRDM (carriesIdentity, judgeDraft) do not read Entry.id, so it is left 0.
 */
export function toEntry(r: RdmRecord, files: Entry['files'] = recordFiles(r)): Entry {
  const related = Array.isArray(r.metadata.related_identifiers)
    ? r.metadata.related_identifiers
    : []
  return {
    id: 0,
    conceptId: r.parent.id,
    published: !r.is_draft,
    title: typeof r.metadata.title === 'string' ? r.metadata.title : '',
    pageUrl: r.links.self_html ?? '',
    relatedLinks: related
      .map(x => (isObject(x) ? x.identifier : undefined))
      .filter((x): x is string => typeof x === 'string'),
    metadata: r.metadata,
    files
  }
}

/** What resolution found besides the target: the parent's DOI (for a dry run's outputs). */
export interface RdmResolution {
  target: TargetPlan<string>
  parentDoi?: string
}

export interface RdmResolveOptions {
  /** The concept input ('' when not given). */
  concept: string
  identity: ReleaseIdentity
  /** https://github.com/<owner>/<repo> (records linking it are the repository's). */
  repositoryUrl: string
  /** This run's uploads, with md5 where known; called only when a draft must be judged. */
  planned: () => Promise<PlannedUpload[]>
}

/** The token owner's records (every version, drafts too), newest first, bounded. */
export async function userRecords(client: RdmClient, pages = USER_PAGES): Promise<RdmRecord[]> {
  const all: RdmRecord[] = []
  for await (const r of client.userRecords({ size: 100, sort: 'newest', allVersions: true }, pages))
    all.push(r)
  return all
}

/** Those carrying this release's identity, each once (a published version over its draft). */
export function ofRelease(records: RdmRecord[], identity: ReleaseIdentity): RdmRecord[] {
  const seen = new Map<string, RdmRecord>()
  for (const r of records) {
    if (!carriesIdentity(toEntry(r), identity)) continue
    const key = `${r.id}\n${String(r.is_draft && !r.is_published)}`
    if (!seen.has(key)) seen.set(key, r)
  }
  return [...seen.values()]
}

/** True when the record is an unpublished draft (a first version's or a new version's). */
export function isOpenDraft(r: RdmRecord): boolean {
  return r.is_draft && !r.is_published
}

/**
 * Decides, reading only, where the release goes: already published (any of the token owner's
 * records carrying its tree link, the concept's first), a draft that is provably this action's
 * leftover (adopt), a person's draft in the way (blocked), a new version of the concept (the
 * `concept` input, or the one parent whose records link the GitHub repository), or a new record.
 */
export async function resolveRdmTarget(
  client: RdmClient,
  o: RdmResolveOptions
): Promise<RdmResolution> {
  const records = await userRecords(client)
  // `concept: new` always makes a new record, as on the legacy API
  const newRecord = o.concept.trim().toLowerCase() === 'new'
  const found = newRecord
    ? undefined
    : o.concept
      ? await resolveConcept(client, o.concept)
      : await discoverConcept(client, records, o.repositoryUrl)
  const latest = found?.latest
  const parentDoi = found?.parentDoi
  if (latest) {
    core.info(
      logSafe(
        `Latest version of the record: ${latest.id}${typeof latest.metadata.version === 'string' ? ` (version ${latest.metadata.version})` : ''}.`
      )
    )
  }
  const previous = latest ? toEntry(latest) : undefined
  if (latest && previous && carriesIdentity(previous, o.identity)) {
    return {
      target: {
        kind: 'published',
        recordId: latest.id,
        conceptId: latest.parent.id,
        ...doi(parentDoi)
      },
      ...pdoi(parentDoi)
    }
  }

  const mine = ofRelease(records, o.identity)
  const published = mine
    .filter(r => !isOpenDraft(r))
    .sort(
      (a, b) =>
        Number(b.parent.id === found?.parentId) - Number(a.parent.id === found?.parentId) ||
        String(a.created).localeCompare(String(b.created))
    )
    .at(0)
  if (published) {
    const pd = published.parent.pids?.doi?.identifier
    return {
      target: {
        kind: 'published',
        recordId: published.id,
        conceptId: published.parent.id,
        ...doi(pd)
      },
      ...pdoi(pd)
    }
  }

  // Unpublished drafts that matter: those of this release, and the concept's open draft
  // (InvenioRDM keeps one per parent and hands it back when a new version is asked for).
  const drafts = new Map<string, RdmRecord>()
  for (const r of mine) if (isOpenDraft(r)) drafts.set(r.id, r)
  if (found?.draft) drafts.set(found.draft.id, found.draft)
  let planned: PlannedUpload[] | undefined
  for (const listed of [...drafts.values()].sort(byCreation)) {
    const draft = await client.findDraft(listed.id)
    if (!draft || !isOpenDraft(draft)) continue
    planned ??= await o.planned()
    const files = await draftFilesOrGone(client, draft.id)
    // published or discarded since it was listed (another run of this release): not in the way;
    // the look for other runs before publishing settles what that run did
    if (!files) continue
    const entry = toEntry(draft, draftFilesForJudging(files, planned))
    const sameConcept = found !== undefined && draft.parent.id === found.parentId
    const verdict = judgeDraft(entry, {
      identity: o.identity,
      previous: sameConcept ? previous : undefined,
      planned
    })
    if (!verdict.owned) {
      return {
        target: {
          kind: 'blocked',
          reason: verdict.why,
          draft: { id: draft.id, title: entry.title, pageUrl: entry.pageUrl }
        },
        ...pdoi(parentDoi)
      }
    }
    return {
      target: {
        kind: 'adopt',
        draftId: draft.id,
        conceptId: draft.parent.id,
        ...(sameConcept && latest ? { latestId: latest.id } : {}),
        why: verdict.why
      },
      ...pdoi(parentDoi)
    }
  }
  if (found && latest) {
    return {
      target: {
        kind: 'new-version',
        conceptId: found.parentId,
        ...doi(parentDoi),
        latestId: latest.id
      },
      ...pdoi(parentDoi)
    }
  }
  return { target: { kind: 'create' } }
}

/**
 * Without the concept input: the parent whose records link the GitHub repository, matched as on
 * the legacy API (linkedRepository: case, http(s), www., .git and /tree/<ref> forgiven). Several
 * such parents stop the run before any write.
 */
async function discoverConcept(
  client: RdmClient,
  records: RdmRecord[],
  repositoryUrl: string
): Promise<FoundConcept | undefined> {
  const wanted = linkedRepository(repositoryUrl)
  const parents: string[] = []
  for (const r of records) {
    if (!toEntry(r).relatedLinks.some(l => linkedRepository(l) === wanted)) continue
    if (!parents.includes(r.parent.id)) parents.push(r.parent.id)
  }
  if (parents.length === 0) return undefined
  if (parents.length > 1) {
    // as on the legacy API (issue 11): never guess between records, stop before any write
    throw new ActionError(
      `Input 'concept' is empty, and ${String(parents.length)} records of yours link ${repositoryUrl}: ${parents.map(p => logSafe(p)).join(', ')}. Nothing was written. Set the concept input to the one this release continues (e.g. concept: ${logSafe(parents[0])}), or to new for a new record.`
    )
  }
  core.info(logSafe(`Found the repository's record ${parents[0]} by its link to ${repositoryUrl}.`))
  return conceptOf(client, parents[0])
}

/** A draft's files; undefined when the draft is gone (404: published or discarded meanwhile). */
async function draftFilesOrGone(client: RdmClient, id: string): Promise<RdmFile[] | undefined> {
  try {
    return await client.listDraftFiles(id)
  } catch (e) {
    if (e instanceof HttpError && e.status === 404) return undefined
    throw e
  }
}

/** Oldest first (creation time, then id): the order both runs of one release agree on. */
export function byCreation(a: RdmRecord, b: RdmRecord): number {
  return String(a.created).localeCompare(String(b.created)) || a.id.localeCompare(b.id)
}

/** The target's conceptDoi, when the parent has a DOI. */
function doi(parentDoi: string | undefined): { conceptDoi?: string } {
  return parentDoi ? { conceptDoi: parentDoi } : {}
}

/** The resolution's parentDoi, when the parent has one. */
function pdoi(parentDoi: string | undefined): { parentDoi?: string } {
  return parentDoi ? { parentDoi } : {}
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
