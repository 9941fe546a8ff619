/**
 * Every write of a run on an InvenioRDM repository, in order: the draft (create, new version, or
 * a provably owned leftover), files-import only for keep-previous-files, removal of files the
 * release does not upload (never in a person's draft), the DOI reserved, each upload (init,
 * streamed content with its md5, commit, checksum compared), the metadata saved, a look for other
 * runs of the same release, publish read back after an ambiguous answer, and community inclusion
 * requests (a refusal is a warning: the record stays published). A failure discards only a draft
 * this run made or provably owns, and never one whose publish may have happened.
 */
import * as core from '@actions/core'
import { ActionError, ValidationError } from '../errors.js'
import type { LocalFile } from '../files/plan.js'
import { hashFile } from '../files/hash.js'
import { logSafe } from '../format.js'
import { HttpError, NetworkError } from '../http.js'
import { assembleOutputs, type FileOutput, type Outputs, type RunState } from '../outputs.js'
import { blockedMessage, judgeDraft, rivalWinner, type TargetPlan } from '../target.js'
import type { RdmClient, RdmRecord, RdmUploadResult } from './client.js'
import { saveErrorProblems } from './metadata.js'
import type { PlannedCommunity } from '../zenodo/communities.js'
import type { RdmPlan } from './plan.js'
import {
  byCreation,
  draftFilesForJudging,
  isOpenDraft,
  ofRelease,
  recordFiles,
  toEntry,
  userRecords
} from './target.js'

/** How a run ended on the repository, with its outputs. */
export interface RdmOutcome {
  outputs: Outputs
  state: 'published' | 'draft'
  note?: string
  newConcept: boolean
}

/** What execute needs of the plan (a subset of src/plan.ts's Plan). */
export interface RdmRun {
  rdm: RdmPlan
  settings: {
    zenodoUrl: string
    publish: boolean
    keepPreviousFiles: boolean
    concurrency: number
  }
  identity: { link: string }
  uploadNames: Set<string>
  sleep: (ms: number) => Promise<void>
  /** Runs uploads with bounded concurrency (src/execute.ts's uploadAll). */
  uploadAll: <T>(files: LocalFile[], limit: number, f: (x: LocalFile) => Promise<T>) => Promise<T[]>
}

type Sleep = (ms: number) => Promise<void>
type Writable = Extract<TargetPlan<string>, { kind: 'create' | 'new-version' | 'adopt' }>

/** Read-backs after a publish whose outcome is unknown, and the pause between them (scaled). */
const READ_BACKS = 6
const READ_BACK_WAIT_MS = 5000
/** Reads of the user's records while this run's draft is not listed yet (scaled pause). */
const RIVAL_READS = 20
const RIVAL_WAIT_MS = 3000
/** How long a run that lost a tie waits for the winner's publish. */
const WINNER_READS = 40
const WINNER_WAIT_MS = 3000

/** True when a request failed in a way that leaves its effect on the server unknown. */
function isAmbiguous(e: unknown): boolean {
  return e instanceof NetworkError || (e instanceof HttpError && e.status >= 500)
}

/** A publish whose outcome could not be learned: the draft is never discarded after it. */
export class RdmPublishOutcomeUnknown extends ActionError {
  override name = 'RdmPublishOutcomeUnknown'
}

/** Carries out an InvenioRDM plan (never 'blocked': main stops before). */
/**
 * `uploads` gives the files to upload once the draft is open and its DOI reserved (the archive
 * is built then, citing that DOI).
 */
export async function executeRdm(
  run: RdmRun,
  uploads: (doi: string) => Promise<LocalFile[]>
): Promise<RdmOutcome> {
  const { client, target, service } = run.rdm
  if (target.kind === 'blocked') throw new ActionError('internal: executeRdm() of a blocked plan')
  if (target.kind === 'published') {
    core.info(
      logSafe(
        `This release (${run.identity.link}) is already published on ${service} as record ${target.recordId}; nothing new is published.`
      )
    )
    const record = await client.getRecord(target.recordId)
    return {
      outputs: recordOutputs(record, run.settings.zenodoUrl, 'published', service),
      state: 'published',
      note: 'This release was already published by an earlier run; nothing new was published.',
      newConcept: false
    }
  }
  return finish(run, target, uploads)
}

async function finish(
  run: RdmRun,
  target: Writable,
  uploads: (doi: string) => Promise<LocalFile[]>
): Promise<RdmOutcome> {
  const { client, mapped, file, service } = run.rdm
  const { settings, sleep } = run
  let draft: RdmRecord
  try {
    draft = await core.group(`Draft on ${service}`, () => openDraft(run, target))
  } catch (e) {
    // e.g. the shared new-version draft was published by another run of this release meanwhile
    const published = await releasePublished(client, run.identity)
    if (!published) throw e
    return publishedByAnother(e, published, run, service)
  }
  const id = draft.id
  const newConcept =
    target.kind === 'create' || (target.kind === 'adopt' && target.latestId === undefined)
  try {
    await core.group('Files of the draft', () => prepareFiles(run, draft, target))
    // The version DOI is reserved before the archive is built, so that the archive can cite it.
    const doi = mapped.body.pids?.doi?.identifier ?? (await reserveDoi(client, id))
    const files = await uploads(doi)
    const results = await core.group(`Upload ${String(files.length)} file(s)`, () =>
      run.uploadAll(files, settings.concurrency, f => uploadOne(client, id, f, sleep))
    )
    const saved = await core.group(`Metadata on ${service}`, async () => {
      const res = await client.saveDraft(id, mapped.body as unknown as Record<string, unknown>)
      if (res.errors.length)
        throw new ValidationError(saveErrorProblems(res.errors, mapped, file), service)
      await verifyFiles(client, id, results, service)
      return res.draft
    })
    if (!settings.publish) {
      return {
        outputs: recordOutputs(
          saved,
          settings.zenodoUrl,
          'draft',
          service,
          await draftFiles(client, id)
        ),
        state: 'draft',
        newConcept
      }
    }
    const rivals = await core.group('Other runs of this release', () =>
      settleRivals(client, saved, { identity: run.identity, sleep, service })
    )
    if (rivals) {
      return {
        outputs: recordOutputs(rivals, settings.zenodoUrl, 'published', service),
        state: 'published',
        note: `Another run of this release published it at the same time (record ${rivals.id}); this run discarded its own draft and published nothing.`,
        newConcept: false
      }
    }
    const record = await core.group('Publish', () => publishAndConfirm(client, id, sleep, service))
    const communities = run.rdm.communities ?? mapped.communities.map(slug => ({ slug }))
    await core.group('Communities', () => requestCommunities(client, record, communities))
    return {
      outputs: recordOutputs(record, settings.zenodoUrl, 'published', service),
      state: 'published',
      newConcept
    }
  } catch (e) {
    // A publish that may have happened is never followed by a discard.
    if (e instanceof RdmPublishOutcomeUnknown) throw e
    const published = await publishedMeanwhile(client, id, run.identity)
    // Only a draft this run created is its alone: InvenioRDM hands the one new-version draft of a
    // record to every run that asks, so another run of this release may be filling it now. It is
    // left in place, and the next run reuses it (it is provably this action's own).
    const alone = target.kind === 'create'
    if (published) {
      if (published.id !== id && alone) await discardOwned(client, id, service)
      return publishedByAnother(e, published, run, service)
    }
    if (alone) await discardOwned(client, id, service)
    else
      core.info(
        logSafe(
          `The draft ${id} is left in place (another run of this release may share it); the next run of this release reuses it.`
        )
      )
    throw e
  }
}

/** Reserves the draft's DOI unless it has one; a refusal because it has one meanwhile is fine. */
async function reserveDoi(client: RdmClient, id: string): Promise<string> {
  const held = (await client.findDraft(id))?.pids.doi?.identifier
  if (held) return held
  try {
    const doi = await client.reserveDoi(id)
    core.info(logSafe(`Reserved DOI ${doi}.`))
    return doi
  } catch (e) {
    // another run of this release sharing the draft may have reserved it first
    const meanwhile = (await client.findDraft(id))?.pids.doi?.identifier
    if (!meanwhile) throw e
    return meanwhile
  }
}

/** Looks at a file the draft holds while another run of this release may be uploading it. */
const HELD_READS = 10
const HELD_WAIT_MS = 1000

/**
 * Uploads one file so that two runs of this release sharing the draft end alike: a file the draft
 * already holds with our md5 is not uploaded again; one with another md5 is replaced; one being
 * uploaded (pending) or appearing meanwhile is not deleted, and after a refusal the draft is
 * looked at (bounded) until it holds the file with our md5.
 */
async function uploadOne(
  client: RdmClient,
  id: string,
  f: LocalFile,
  sleep: Sleep
): Promise<RdmUploadResult> {
  const held = async (): Promise<{ status?: string; md5?: string; size?: number } | undefined> => {
    const entry = (await client.listDraftFiles(id)).find(x => x.key === f.name)
    if (!entry) return undefined
    if (entry.status !== 'completed' || !entry.checksum) return { status: entry.status }
    const local = await hashFile(f.path)
    return {
      status: 'completed',
      size: local.size,
      md5: local.md5 === entry.checksum ? local.md5 : undefined
    }
  }
  const done = (h: { md5?: string; size?: number }): RdmUploadResult => {
    core.info(logSafe(`${f.name} is in the draft with the same md5; not uploaded again.`))
    const md5 = h.md5 ?? ''
    return { name: f.name, size: h.size ?? 0, md5, checksum: md5 }
  }
  const before = await held()
  if (before?.md5) return done(before)
  try {
    return await client.uploadFile(
      id,
      { path: f.path, name: f.name },
      { replace: before?.status === 'completed' }
    )
  } catch (e) {
    for (let read = 1; read <= HELD_READS; read++) {
      const now = await held().catch(() => undefined)
      if (now?.md5) return done(now)
      if (now?.status !== 'pending') break
      await sleep(HELD_WAIT_MS)
    }
    throw e
  }
}

/** The draft the run works in: made now, a new version (judged again), or an owned leftover. */
async function openDraft(run: RdmRun, target: Writable): Promise<RdmRecord> {
  const { client, mapped, file, service } = run.rdm
  if (target.kind === 'adopt') {
    core.info(
      logSafe(`Reusing unpublished draft ${target.draftId} left by an earlier run: ${target.why}.`)
    )
    const draft = await client.findDraft(target.draftId)
    if (!draft) {
      throw new ActionError(
        `The draft ${target.draftId} found while planning is gone from ${service} (another run published or discarded it). Nothing was written; run this release again.`
      )
    }
    return draft
  }
  if (target.kind === 'create') {
    let made: RdmRecord
    try {
      const res = await client.createDraft(mapped.body as unknown as Record<string, unknown>)
      made = res.draft
      if (res.errors.length) {
        await discardOwned(client, made.id, service)
        throw new ValidationError(saveErrorProblems(res.errors, mapped, file), service)
      }
    } catch (e) {
      if (!isAmbiguous(e)) throw e
      core.warning(
        logSafe(
          `Creating the draft failed (${(e as Error).message}); reading your records back to see whether it was made.`
        )
      )
      const found = await madeDraft(client, run)
      if (!found) throw e
      made = found
    }
    core.info(logSafe(`Created draft ${made.id}.`))
    return made
  }
  // Asking again returns the existing new-version draft: safe to repeat, and the HTTP client does.
  const draft = await client.newVersion(target.latestId)
  const previous = await client.getRecord(target.latestId)
  const planned = [...run.uploadNames].map(name => ({ name }))
  const files = draftFilesForJudging(await client.listDraftFiles(draft.id), planned)
  const verdict = judgeDraft(toEntry(draft, files), {
    identity: run.identity,
    previous: toEntry(previous),
    planned
  })
  if (!verdict.owned) {
    throw new ActionError(
      blockedMessage(
        {
          kind: 'blocked',
          reason: verdict.why,
          draft: {
            id: draft.id,
            title: typeof draft.metadata.title === 'string' ? draft.metadata.title : '',
            pageUrl: draft.links.self_html ?? ''
          }
        },
        service
      )
    )
  }
  core.info(logSafe(`Opened new-version draft ${draft.id} from record ${target.latestId}.`))
  return draft
}

/** After a create whose answer was lost: the draft it made, recognised by the release's link. */
async function madeDraft(client: RdmClient, run: RdmRun): Promise<RdmRecord | undefined> {
  for (let read = 1; read <= 3; read++) {
    const made = ofRelease(await userRecords(client, 1), run.identity)
      .filter(isOpenDraft)
      .sort(byCreation)
      .at(0)
    if (made) return made
    await run.sleep(1500)
  }
  return undefined
}

/**
 * keep-previous-files: the previous version's files are imported into a new-version draft that
 * has none yet (same-name files are replaced by the uploads). Otherwise files of the draft the
 * release does not upload are deleted (the draft is this run's own or a provably owned leftover;
 * the previous version keeps its own copies).
 */
async function prepareFiles(run: RdmRun, draft: RdmRecord, target: Writable): Promise<void> {
  const { client } = run.rdm
  let files = await client.listDraftFiles(draft.id)
  const versioned = target.kind === 'new-version' || (target.kind === 'adopt' && target.latestId)
  if (run.settings.keepPreviousFiles) {
    if (versioned && files.length === 0) {
      files = await client.importFiles(draft.id)
      core.info(
        `Imported ${String(files.length)} file(s) of the previous version (keep-previous-files).`
      )
    } else if (files.length) {
      core.info(`Keeping ${String(files.length)} file(s) of the draft (keep-previous-files).`)
    }
    return
  }
  const stale = files.filter(f => !run.uploadNames.has(f.key))
  for (const f of stale) {
    core.debug(`Deleting ${f.key} from the draft`)
    await client.deleteDraftFile(draft.id, f.key)
  }
  if (stale.length) {
    core.info(
      `Removed ${String(stale.length)} file(s) from the draft that this release does not upload.`
    )
  }
}

/** Every uploaded file is in the draft with the md5 computed as it was sent. */
async function verifyFiles(
  client: RdmClient,
  id: string,
  results: RdmUploadResult[],
  service: string
): Promise<void> {
  const held = new Map((await client.listDraftFiles(id)).map(f => [f.key, f.checksum]))
  const wrong = results.filter(r => held.get(r.name) !== r.md5)
  if (wrong.length) {
    throw new ActionError(
      `${service} does not hold ${wrong.map(r => `${r.name} (md5 ${r.md5})`).join(', ')} as uploaded; nothing was published.`
    )
  }
}

/**
 * Two runs of one release at once: before publishing, look for other records carrying this
 * release's identity. Once the list shows this run's own draft, every draft made before it is
 * listed too, so the oldest (or a published version) is a decision both runs reach alike. The
 * loser discards its own draft and waits (bounded) for the winner's publish; returns the
 * winner's record, or undefined when this run goes on.
 */
async function settleRivals(
  client: RdmClient,
  own: RdmRecord,
  o: { identity: { link: string }; sleep: Sleep; service: string }
): Promise<RdmRecord | undefined> {
  let rivals: RdmRecord[] = []
  let visible = false
  for (let read = 1; read <= RIVAL_READS; read++) {
    rivals = ofRelease(await userRecords(client, 1), o.identity)
    visible = rivals.some(r => r.id === own.id)
    if (visible || rivals.some(r => r.id !== own.id && !isOpenDraft(r))) break
    if (read < RIVAL_READS) await o.sleep(RIVAL_WAIT_MS)
  }
  // Without its own draft in the list, this run cannot know what another run sees: it publishes
  // nothing and leaves the draft for the next run of this release (never discarded).
  if (!visible && !rivals.some(r => r.id !== own.id && !isOpenDraft(r))) {
    throw new RdmPublishOutcomeUnknown(
      `Draft ${own.id} did not show in your records in time, so this run cannot tell whether another run of this release is publishing it too. Nothing was published; the draft is left for the next run of this release, which reuses it: run it again in a few minutes.`
    )
  }
  // Same draft (a shared new-version draft) is not a rival; ranks follow creation order.
  const ordered = [...rivals.filter(r => r.id !== own.id), own].sort(byCreation)
  const rank = (r: RdmRecord): number => ordered.findIndex(x => x.id === r.id)
  const winner = rivalWinner(
    rank(own),
    ordered.map(r => ({ id: rank(r), published: !isOpenDraft(r) }))
  )
  if (!winner) return undefined
  const other = ordered[winner.id]
  core.warning(
    logSafe(
      `Another run of this release is publishing it as ${other.id}; this run discards its own draft ${own.id} and waits for that publish.`
    )
  )
  await discardOwned(client, own.id, o.service)
  for (let read = 1; read <= WINNER_READS; read++) {
    try {
      return await client.getRecord(other.id)
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 404)) throw e
    }
    if (!(await client.findDraft(other.id))) {
      throw new ActionError(
        `Another run of this release was publishing it as ${other.id}, but that draft is gone (that run failed). Nothing was published; run this release again.`
      )
    }
    await o.sleep(WINNER_WAIT_MS)
  }
  throw new ActionError(
    `Another run of this release is publishing it as ${other.id} and has not finished in time; this run published nothing.`
  )
}

/**
 * Publishes and judges the outcome by reading back: after an ambiguous answer (5xx, reset,
 * stall) the record is read until it is seen published, or the draft unpublished (then publish
 * is asked once more). A definite refusal (4xx) is read back once (another run may have
 * published the shared draft) and otherwise thrown, with the repository's field errors.
 */
async function publishAndConfirm(
  client: RdmClient,
  id: string,
  sleep: Sleep,
  service: string
): Promise<RdmRecord> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    let failure: unknown
    try {
      const record = await client.publish(id)
      if (!record.is_draft) return record
    } catch (e) {
      failure = e
    }
    const ambiguous = failure === undefined || isAmbiguous(failure)
    if (failure !== undefined && ambiguous) {
      core.warning(
        logSafe(
          `Publishing answered: ${(failure as Error).message}. Reading ${id} back to learn whether it was published.`
        )
      )
    }
    const reads = ambiguous ? READ_BACKS : 1
    for (let read = 1; read <= reads; read++) {
      let outcome: RdmRecord | undefined | 'unreadable'
      try {
        outcome = await client.readPublishOutcome(id)
      } catch (e) {
        if (!isAmbiguous(e) && !ambiguous) throw refusal(failure, attempt)
        outcome = 'unreadable'
      }
      if (outcome && outcome !== 'unreadable') {
        if (failure !== undefined) core.info(logSafe(`Record ${id} is published.`))
        return outcome
      }
      if (outcome === undefined) break
      if (read < reads) await sleep(READ_BACK_WAIT_MS)
    }
    if (!ambiguous) throw refusal(failure, attempt)
    if (attempt === 1) core.info(logSafe(`Record ${id} is not published; asking once more.`))
  }
  throw new RdmPublishOutcomeUnknown(
    `Publishing ${id} gave no clear answer twice, and reading it back does not show it published. It is left as it is (it may still be published); look at it on ${service} before running again.`
  )
}

/**
 * A definite refusal of publish. After an earlier attempt whose outcome was unknown, it says
 * nothing about that attempt (its publish may still be going on): the outcome stays unknown, and
 * the draft must not be discarded.
 */
function refusal(failure: unknown, attempt: number): unknown {
  if (attempt === 1) return failure
  return new RdmPublishOutcomeUnknown(
    `Publishing again was refused (${failure instanceof Error ? failure.message : String(failure)}) after an attempt whose outcome is unknown. The draft is left as it is; look at it on the repository before running again.`
  )
}

/**
 * Asks each community named in the metadata (looked up while planning, or now when that lookup
 * could not be made) to include the record; a refusal is a warning.
 */
async function requestCommunities(
  client: RdmClient,
  record: RdmRecord,
  planned: PlannedCommunity[]
): Promise<void> {
  if (!planned.length) return
  const communities: string[] = []
  const ids: string[] = []
  for (const c of planned) {
    try {
      ids.push(c.id ?? (await client.getCommunity(c.slug)).id)
      communities.push(c.slug)
    } catch (e) {
      core.warning(
        logSafe(
          `Community ${c.slug} could not be found (${(e as Error).message}); record ${record.id} stays published without it.`
        )
      )
    }
  }
  if (!ids.length) return
  try {
    const res = await client.requestInclusion(record.id, ids)
    for (const p of res.processed) {
      const slug = communities[ids.indexOf(p.communityId)] ?? p.communityId
      core.info(
        logSafe(
          `Asked community ${slug} to include record ${record.id}${p.status ? ` (request ${p.status})` : ''}.`
        )
      )
    }
    for (const r of res.refused) {
      const slug = communities[ids.indexOf(r.communityId)] ?? r.communityId
      core.warning(
        logSafe(
          `Community ${slug} refused to include record ${record.id}: ${r.message}. The record stays published; ask the community's curators, or remove it from the metadata's communities.`
        )
      )
    }
  } catch (e) {
    core.warning(
      logSafe(
        `Asking the communities to include record ${record.id} failed (${(e as Error).message}). The record stays published; ask for inclusion on the record's page.`
      )
    )
  }
}

/** The outcome when another run of this release published it while this one failed. */
function publishedByAnother(
  e: unknown,
  published: RdmRecord,
  run: RdmRun,
  service: string
): RdmOutcome {
  core.warning(
    logSafe(
      `${e instanceof Error ? e.message : String(e)}; but this release is published meanwhile as record ${published.id}.`
    )
  )
  return {
    outputs: recordOutputs(published, run.settings.zenodoUrl, 'published', service),
    state: 'published',
    note: `Another run of this release published it at the same time (record ${published.id}); this run published nothing of its own.`,
    newConcept: false
  }
}

/** A published record of this release among the token owner's newest records, if any. */
async function releasePublished(
  client: RdmClient,
  identity: { link: string }
): Promise<RdmRecord | undefined> {
  try {
    const other = ofRelease(await userRecords(client, 1), identity).find(r => !isOpenDraft(r))
    return other ? await client.getRecord(other.id) : undefined
  } catch {
    return undefined
  }
}

/** After a failure: is this run's own draft published (by a rival sharing it), or the release? */
async function publishedMeanwhile(
  client: RdmClient,
  ownId: string,
  identity: { link: string }
): Promise<RdmRecord | undefined> {
  try {
    const own = await client.readPublishOutcome(ownId)
    if (own) return own
  } catch {
    // neither could be read: look for another published version of the release
  }
  return releasePublished(client, identity)
}

/** Best-effort removal of an unpublished draft this run made or provably owns, after a failure. */
async function discardOwned(client: RdmClient, id: string, service: string): Promise<void> {
  try {
    const draft = await client.findDraft(id)
    if (!draft || !isOpenDraft(draft)) return
    await client.discardDraft(id)
    core.info(
      logSafe(
        `Discarded the unpublished draft ${id} so that nothing half-done is left on ${service}.`
      )
    )
  } catch (e) {
    core.warning(
      logSafe(
        `Could not discard the unpublished draft ${id} (${(e as Error).message}); the next run of this release reuses it.`
      )
    )
  }
}

async function draftFiles(client: RdmClient, id: string): Promise<FileOutput[]> {
  return (await client.listDraftFiles(id)).map(f => ({
    name: f.key,
    size: f.size ?? 0,
    md5: f.checksum ?? ''
  }))
}

/**
 * The outputs of a record or draft: record-url is its HTML page; concept-doi and the badge are
 * empty, with a notice, when the repository mints no parent DOI.
 */
export function recordOutputs(
  r: RdmRecord,
  zenodoUrl: string,
  state: RunState,
  service: string,
  files?: FileOutput[]
): Outputs {
  const conceptDoi = r.parent.pids?.doi?.identifier ?? ''
  if (!conceptDoi && state !== 'dry-run') {
    core.notice(
      `${service[0].toUpperCase()}${service.slice(1)} mints no concept (parent) DOI for record ${r.id}: the concept-doi, badge-url and badge-markdown outputs are empty. Cite the version DOI, or the record page ${r.links.self_html ?? ''}.`
    )
  }
  const sizes = new Map<string, number>()
  const entries = r.files?.entries
  for (const e of Array.isArray(entries) ? entries : Object.values(entries ?? {})) {
    if (isObject(e) && typeof e.key === 'string' && typeof e.size === 'number')
      sizes.set(e.key, e.size)
  }
  return assembleOutputs({
    doi: r.pids.doi?.identifier ?? '',
    conceptDoi,
    id: r.id,
    conceptId: r.parent.id,
    recordUrl:
      r.links.self_html ?? `${zenodoUrl}/${state === 'published' ? 'records' : 'uploads'}/${r.id}`,
    zenodoUrl,
    state,
    files:
      files ?? recordFiles(r).map(f => ({ name: f.name, size: sizes.get(f.name) ?? 0, md5: f.md5 }))
  })
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
