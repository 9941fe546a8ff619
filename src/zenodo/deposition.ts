/**
 * The legacy deposit API's side of choosing and finishing the one deposition a release goes
 * into, so that any sequence of failed, killed, repeated and simultaneous runs ends with exactly
 * one published version and nothing a person made is changed.
 *
 * Two halves, so that a dry run cannot reach a write by construction:
 * - resolveTarget() reads only (GETs and lists, through the ReadOnlyZenodo view of the client)
 *   and returns a TargetPlan (src/target.ts holds the rules: identity, ownership, tie-break);
 * - openTarget(), removeInheritedFiles(), settleRivals(), publishAndConfirm() and discardOwned()
 *   make the writes; only src/execute.ts calls them.
 */
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
import { logSafe } from '../format.js'
import { HttpError, NetworkError } from '../http.js'
import type { ZenodoMetadata } from '../metadata/types.js'
import {
  blockedMessage,
  carriesIdentity,
  judgeDraft,
  rivalWinner,
  type Entry,
  type PlannedUpload,
  type ReleaseIdentity,
  type TargetPlan
} from '../target.js'
import type { Deposition, ZenodoClient } from './client.js'

/** The read-only calls of the client: all that planning may use. */
export type ReadOnlyZenodo = Pick<
  ZenodoClient,
  | 'api'
  | 'getDeposition'
  | 'listDepositions'
  | 'latestVersion'
  | 'getRecord'
  | 'listFiles'
  | 'communityId'
>

type Sleep = (ms: number) => Promise<void>

/** Pages of the deposition list read when looking for a release (100 items each). */
const LIST_PAGES = 10
/** Re-reads of the (eventually consistent) list, and the pause between them (scaled). */
const LIST_READS = 40
const LIST_WAIT_MS = 1500
/** Reads of the list after a create whose answer was lost (15 s in real use). */
const CREATE_READS = 10
/** Reads of the list while it does not show this run's own draft yet (2 requests each, scaled pause). */
const RIVAL_READS = 20
const RIVAL_WAIT_MS = 3000
/** Read-backs after a publish whose outcome is unknown, and the pause between them (scaled). */
const READ_BACKS = 6
const READ_BACK_WAIT_MS = 5000
/** How long a run that lost a tie waits for the winner's publish (reads x pause, scaled). */
const WINNER_READS = 40
const WINNER_WAIT_MS = 3000

/** True when a request failed in a way that leaves its effect on the server unknown. */
export function isAmbiguous(e: unknown): boolean {
  return e instanceof NetworkError || (e instanceof HttpError && e.status >= 500)
}

export function isPublished(d: Deposition): boolean {
  return d.submitted && d.state === 'done'
}

/** A deposition as the rules of src/target.ts see it. */
export function toEntry(d: Deposition, zenodoUrl: string): Entry {
  const related = Array.isArray(d.metadata.related_identifiers)
    ? d.metadata.related_identifiers
    : []
  const { prereserve_doi: _reserved, ...metadata } = d.metadata
  return {
    id: d.id,
    conceptId: d.conceptrecid ?? '',
    published: d.submitted,
    title: typeof d.metadata.title === 'string' ? d.metadata.title : (d.title ?? ''),
    pageUrl: d.links.html ?? `${zenodoUrl}/deposit/${String(d.id)}`,
    relatedLinks: related
      .map(r => (r as { identifier?: unknown }).identifier)
      .filter((x): x is string => typeof x === 'string'),
    metadata,
    files: (d.files ?? []).map(f => ({ name: f.filename, md5: f.checksum }))
  }
}

function serverOf(client: Pick<ZenodoClient, 'api'>): string {
  return client.api.replace(/\/api$/, '')
}

/** The user's depositions, every version (at most LIST_PAGES pages), optionally filtered by q. */
async function listAll(
  client: ReadOnlyZenodo,
  q?: string,
  pages = LIST_PAGES
): Promise<Deposition[]> {
  const all: Deposition[] = []
  for (let page = 1; page <= pages; page++) {
    const items = await client.listDepositions({
      size: 100,
      page,
      sort: 'mostrecent',
      allVersions: true,
      ...(q ? { q } : {})
    })
    all.push(...items)
    if (items.length < 100) break
  }
  return all
}

/** The user's depositions (every version) and, with a concept, the concept's own list. */
async function readLists(
  client: ReadOnlyZenodo,
  conceptrecid?: string,
  pages = LIST_PAGES,
  listed?: Deposition[]
): Promise<Deposition[][]> {
  const lists = [listed ?? (await listAll(client, undefined, pages))]
  if (conceptrecid) lists.push(await listAll(client, `conceptrecid:${conceptrecid}`, pages))
  return lists
}

/** Those that carry this release's identity, each once. */
function ofRelease(lists: Deposition[][], identity: ReleaseIdentity): Deposition[] {
  const seen = new Map<number, Deposition>()
  for (const d of lists.flat()) {
    if (carriesIdentity(toEntry(d, ''), identity)) seen.set(d.id, d)
  }
  return [...seen.values()]
}

/** Every deposition of the user that carries this release's identity, across all versions. */
async function releaseDepositions(
  client: ReadOnlyZenodo,
  identity: ReleaseIdentity,
  conceptrecid?: string,
  pages = LIST_PAGES
): Promise<Deposition[]> {
  return ofRelease(await readLists(client, conceptrecid, pages), identity)
}

/** The latest published version of the concept, with a clear error when it does not exist. */
async function latestOfConcept(client: ReadOnlyZenodo, conceptId: number) {
  try {
    return await client.latestVersion(conceptId)
  } catch (e) {
    if (e instanceof HttpError && (e.status === 404 || e.status === 410)) {
      throw new ActionError(
        `Input 'concept': no published Zenodo record ${String(conceptId)} on ${serverOf(client)}. Check the concept DOI or record id, and whether it lives on the sandbox (sandbox: true) or on zenodo.org.`
      )
    }
    throw e
  }
}

export interface ResolveOptions {
  /** Record id from the concept input; undefined for a first release. */
  conceptId?: number
  identity: ReleaseIdentity
  /** This run's uploads, with md5 where known; called only when a draft must be judged. */
  planned: () => Promise<PlannedUpload[]>
  /** The user's deposition list (every version), when already read (concept discovery). */
  listed?: Deposition[]
}

/**
 * Decides, reading only, where the release goes: already published (any version of the
 * concept, or any of the user's depositions, carrying this release's tree link), a draft that is
 * provably this action's leftover (adopt), a person's draft in the way (blocked), a new version
 * of the concept, or a new deposition.
 */
export async function resolveTarget(
  client: ReadOnlyZenodo,
  o: ResolveOptions
): Promise<TargetPlan> {
  const server = serverOf(client)
  const latest = o.conceptId === undefined ? undefined : await latestOfConcept(client, o.conceptId)
  const conceptrecid = latest?.conceptrecid
  if (latest) {
    const { version } = latest.metadata
    const shown = typeof version === 'string' || typeof version === 'number' ? String(version) : ''
    core.info(
      `Latest version of the concept: record ${String(latest.id)}${shown ? ` (version ${logSafe(shown)})` : ''}.`
    )
  }
  const previousDep = latest ? await client.getDeposition(latest.id) : undefined
  const previous = previousDep ? toEntry(previousDep, server) : undefined
  if (previousDep && previous && carriesIdentity(previous, o.identity)) {
    return {
      kind: 'published',
      recordId: previousDep.id,
      conceptId: previous.conceptId,
      conceptDoi: previousDep.conceptdoi
    }
  }

  const lists = await readLists(client, conceptrecid, LIST_PAGES, o.listed)
  const mine = ofRelease(lists, o.identity)
  const published = mine
    .filter(d => d.submitted)
    .sort(
      (a, b) =>
        Number(conceptrecid !== undefined && b.conceptrecid === conceptrecid) -
          Number(conceptrecid !== undefined && a.conceptrecid === conceptrecid) || a.id - b.id
    )
    .at(0)
  if (published) {
    return {
      kind: 'published',
      recordId: published.id,
      conceptId: published.conceptrecid ?? '',
      conceptDoi: published.conceptdoi
    }
  }

  // Unpublished drafts that matter: those of this release, and the concept's new-version draft
  // (Zenodo keeps one per concept and hands it back to newversion).
  const drafts = new Map<number, Deposition>()
  for (const d of mine) if (!d.submitted) drafts.set(d.id, d)
  if (conceptrecid) {
    const conceptDraft = lists
      .flat()
      .find(d => !d.submitted && String(d.conceptrecid) === conceptrecid)
    if (conceptDraft) drafts.set(conceptDraft.id, conceptDraft)
  }
  const ordered = [...drafts.values()].sort((a, b) => a.id - b.id)
  let planned: PlannedUpload[] | undefined
  for (const listed of ordered) {
    const draft = await client.getDeposition(listed.id)
    if (draft.submitted) continue
    const entry = toEntry(draft, server)
    const sameConcept = conceptrecid !== undefined && entry.conceptId === conceptrecid
    planned ??= await o.planned()
    const verdict = judgeDraft(entry, {
      identity: o.identity,
      previous: sameConcept ? previous : undefined,
      planned
    })
    if (!verdict.owned) {
      return {
        kind: 'blocked',
        reason: verdict.why,
        draft: { id: entry.id, title: entry.title, pageUrl: entry.pageUrl }
      }
    }
    return {
      kind: 'adopt',
      draftId: entry.id,
      conceptId: entry.conceptId,
      latestId: sameConcept ? latest?.id : undefined,
      why: verdict.why
    }
  }
  if (latest && conceptrecid) {
    return {
      kind: 'new-version',
      conceptId: conceptrecid,
      conceptDoi: latest.conceptdoi,
      latestId: latest.id
    }
  }
  return { kind: 'create' }
}

// ---------------------------------------------------------------- writes (execute only)

/** The deposition a run works in, and whether this run may discard it after a failure. */
export interface OpenTarget {
  deposition: Deposition
  /** Made by this run, or provably this action's own leftover. */
  owned: boolean
}

export interface OpenOptions {
  identity: ReleaseIdentity
  metadata: ZenodoMetadata
  planned: PlannedUpload[]
  sleep: Sleep
}

/** Carries out the plan's create / new-version / adopt; the first write of a run. */
export async function openTarget(
  client: ZenodoClient,
  target: Extract<TargetPlan, { kind: 'create' | 'new-version' | 'adopt' }>,
  o: OpenOptions
): Promise<OpenTarget> {
  if (target.kind === 'adopt') {
    core.info(
      `Reusing unpublished draft ${String(target.draftId)} left by an earlier run: ${target.why}.`
    )
    return { deposition: await client.getDeposition(target.draftId), owned: true }
  }
  if (target.kind === 'create') return { deposition: await create(client, o), owned: true }
  const draft = await newVersionDraft(client, target.latestId, o)
  return { deposition: draft, owned: true }
}

async function create(client: ZenodoClient, o: OpenOptions): Promise<Deposition> {
  try {
    const created = await client.createDeposition(o.metadata)
    core.info(`Created deposition ${String(created.id)}.`)
    return created
  } catch (e) {
    if (!isAmbiguous(e)) throw e
    core.warning(
      `Creating the deposition failed (${(e as Error).message}); reading your depositions back to see whether it was made.`
    )
    // The metadata sent at create carries the release's link, so a draft made is recognisable.
    // The list lags, so it is read for a while (CREATE_READS x LIST_WAIT_MS) before concluding
    // that the create did not happen: creating again too early would leave an orphan draft.
    for (let read = 1; read <= CREATE_READS; read++) {
      const made = (await releaseDepositions(client, o.identity)).find(d => !d.submitted)
      if (made) return client.getDeposition(made.id)
      await o.sleep(LIST_WAIT_MS)
    }
    const created = await client.createDeposition(o.metadata)
    core.info(`Created deposition ${String(created.id)}.`)
    return created
  }
}

async function newVersionDraft(
  client: ZenodoClient,
  latestId: number,
  o: OpenOptions
): Promise<Deposition> {
  let draft: Deposition
  try {
    draft = await client.newVersion(latestId)
  } catch (e) {
    if (isStaleDraftError(e)) draft = await adoptStaleDraft(client, latestId, o)
    else if (!isAmbiguous(e)) throw e
    else {
      // Zenodo keeps one new-version draft per concept and hands it back on a repeated call
      // (or refuses with "remove all files"), so asking again cannot make a second draft.
      core.warning(
        `Asking Zenodo for a new version failed (${(e as Error).message}); asking again.`
      )
      try {
        draft = await client.newVersion(latestId)
      } catch (e2) {
        if (!isStaleDraftError(e2)) throw e2
        draft = await adoptStaleDraft(client, latestId, o)
      }
    }
  }
  // Zenodo hands back an existing empty draft of the concept as "the new version": make sure it
  // is not a person's before touching it.
  const previous = toEntry(await client.getDeposition(latestId), serverOf(client))
  const verdict = judgeDraft(toEntry(draft, serverOf(client)), {
    identity: o.identity,
    previous,
    planned: o.planned
  })
  if (!verdict.owned) {
    throw new ActionError(
      blockedMessage({
        kind: 'blocked',
        reason: verdict.why,
        draft: { id: draft.id, title: draft.title ?? '', pageUrl: draft.links.html ?? '' }
      })
    )
  }
  core.info(`Opened new-version draft ${String(draft.id)} from record ${String(latestId)}.`)
  return draft
}

function isStaleDraftError(e: unknown): boolean {
  return (
    e instanceof HttpError &&
    e.status === 400 &&
    e.fieldErrors.some(
      f => f.field === 'files.enabled' && f.messages.some(m => /remove all files/i.test(m))
    )
  )
}

/**
 * newversion refused because the concept already has a draft holding files: find it (the list
 * lags), and use it as it is only when it is provably this action's own leftover. It is not
 * emptied: another run of this release may be filling it at this moment, and every step that
 * follows (deleting files this release does not upload, same-name uploads replaced in place,
 * the metadata PUT, publish) gives the same result when two runs do it.
 */
async function adoptStaleDraft(
  client: ZenodoClient,
  latestId: number,
  o: OpenOptions
): Promise<Deposition> {
  const latest = await client.getDeposition(latestId)
  const concept = latest.conceptrecid ?? ''
  let stale: Deposition | undefined
  for (let read = 1; read <= LIST_READS && !stale; read++) {
    stale = (await listAll(client, `conceptrecid:${concept}`)).find(
      d => !d.submitted && String(d.conceptrecid) === concept
    )
    if (!stale && read < LIST_READS) await o.sleep(LIST_WAIT_MS)
  }
  if (!stale) {
    throw new ActionError(
      `Zenodo refuses a new version of concept ${concept} because an unpublished draft of it already exists, and that draft is not in your list of depositions yet. Run again in a minute, or publish or discard the draft on Zenodo and run again.`
    )
  }
  core.info(
    `Zenodo already holds an unpublished new-version draft (${String(stale.id)}) of this concept; checking that it was left by an earlier run of this action.`
  )
  return client.getDeposition(stale.id)
}

/** Deletes inherited files the run does not replace, unless keep-previous-files is set. */
export async function removeInheritedFiles(
  client: ZenodoClient,
  draft: Deposition,
  o: { keepPreviousFiles: boolean; uploadNames: Set<string> }
): Promise<void> {
  const files = draft.files ?? (await client.listFiles(draft.id))
  if (o.keepPreviousFiles) {
    if (files.length)
      core.info(
        `Keeping ${String(files.length)} file(s) of the previous version (keep-previous-files).`
      )
    return
  }
  const stale = files.filter(f => !o.uploadNames.has(f.filename))
  for (const f of stale) {
    core.debug(`Deleting inherited file ${f.filename}`)
    try {
      await client.deleteFile(draft.id, f.id)
    } catch (e) {
      // already gone (another run of this release deleted it): the result is the same
      if (!(e instanceof HttpError && e.status === 404)) throw e
    }
  }
  if (stale.length)
    core.info(
      `Removed ${String(stale.length)} file(s) from the draft that this release does not upload.`
    )
  draft.files = files.filter(f => o.uploadNames.has(f.filename))
}

/** What settleRivals found: go on publishing, or another run of this release has (or will). */
export type RivalOutcome = { go: true } | { go: false; winner: Deposition }

/**
 * Two runs of one release at once: before publishing, look for other depositions carrying this
 * release's identity. Once the list shows this run's own draft, every draft made before it is
 * listed too, so the lowest id (or a published version) is a decision both runs reach alike.
 * The loser discards its own draft and waits (bounded) for the winner's publish.
 */
export async function settleRivals(
  client: ZenodoClient,
  own: Deposition,
  o: { identity: ReleaseIdentity; sleep: Sleep }
): Promise<RivalOutcome> {
  let rivals: Deposition[] = []
  let visible = false
  for (let read = 1; read <= RIVAL_READS; read++) {
    // rivals are as recent as this run's own draft: the first page of the user's list (most
    // recent first, drafts included) holds them, so one request a read is enough
    rivals = await releaseDepositions(client, o.identity, undefined, 1)
    visible = rivals.some(d => d.id === own.id)
    if (visible || rivals.some(d => d.id !== own.id && d.submitted)) break
    if (read < RIVAL_READS) await o.sleep(RIVAL_WAIT_MS)
  }
  // Without its own draft in the list, this run cannot know what another run of the release sees:
  // deciding on a partial list could let both publish. It publishes nothing and leaves the draft,
  // which the next run of this release reuses (it carries the release's identity).
  if (!visible && !rivals.some(d => d.id !== own.id && d.submitted)) {
    throw new DraftLeftInPlace(
      `Deposition ${String(own.id)} did not show in your list of depositions in time, so this run cannot tell whether another run of this release is publishing it too. Nothing was published; the draft is left for the next run of this release, which reuses it: run it again in a few minutes.`
    )
  }
  const winner = rivalWinner(
    own.id,
    rivals.map(d => ({ id: d.id, published: d.submitted }))
  )
  if (!winner) return { go: true }
  core.warning(
    `Another run of this release is publishing it as deposition ${String(winner.id)}; this run discards its own draft ${String(own.id)} and waits for that publish.`
  )
  await discardOwned(client, own.id)
  for (let read = 1; read <= WINNER_READS; read++) {
    let dep: Deposition | undefined
    try {
      dep = await client.getDeposition(winner.id)
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 404)) throw e
    }
    if (!dep) {
      throw new ActionError(
        `Another run of this release was publishing it as deposition ${String(winner.id)}, but that draft is gone (that run failed). Nothing was published; run this release again.`
      )
    }
    if (isPublished(dep)) return { go: false, winner: dep }
    await o.sleep(WINNER_WAIT_MS)
  }
  throw new ActionError(
    `Another run of this release is publishing it as deposition ${String(winner.id)} and has not finished in time. Its DOI appears on Zenodo once it is published; this run published nothing.`
  )
}

/**
 * After a failure: has this release been published meanwhile, by another run of it (into this
 * run's draft, shared with it, or its own)? Returns that version, or undefined (also when the
 * look itself fails).
 */
export async function publishedMeanwhile(
  client: ZenodoClient,
  ownId: number,
  identity: ReleaseIdentity
): Promise<Deposition | undefined> {
  try {
    const own = await client.getDeposition(ownId)
    if (isPublished(own)) return own
    const other = (await releaseDepositions(client, identity)).find(d => d.submitted)
    if (!other) return undefined
    const dep = await client.getDeposition(other.id)
    return isPublished(dep) ? dep : undefined
  } catch {
    return undefined
  }
}

/** The run stops and leaves its draft for the next run of the release (never discarded). */
export class DraftLeftInPlace extends ActionError {
  override name = 'DraftLeftInPlace'
}

/** A publish whose outcome could not be learned: the draft is never discarded after it. */
export class PublishOutcomeUnknown extends ActionError {
  override name = 'PublishOutcomeUnknown'
}

/**
 * Publishes and judges the outcome by reading the deposition back, never by the answer's body:
 * a 2xx (whatever its body says), a stall, a reset or a 5xx are all followed by reads until the
 * deposition is seen published (success) or unpublished. An unpublished deposition after an
 * unknown outcome is asked to publish once more; a definite refusal (4xx) is thrown as is.
 */
export async function publishAndConfirm(
  client: ZenodoClient,
  id: number,
  sleep: Sleep
): Promise<Deposition> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    let answered: 'ok' | 'unknown' | 'refused' = 'ok'
    let failure: unknown
    try {
      await client.publish(id)
    } catch (e) {
      failure = e
      answered = isAmbiguous(e) ? 'unknown' : 'refused'
      if (answered === 'unknown') {
        core.warning(
          `Publishing answered: ${(e as Error).message}. Reading deposition ${String(id)} back to learn whether it was published.`
        )
      }
    }
    const reads = answered === 'refused' ? 1 : READ_BACKS
    for (let read = 1; read <= reads; read++) {
      let dep: Deposition | undefined
      try {
        dep = await client.getDeposition(id)
      } catch (e) {
        if (!isAmbiguous(e)) throw e
      }
      if (dep && isPublished(dep)) {
        if (answered !== 'ok') core.info(`Deposition ${String(id)} is published.`)
        return dep
      }
      if (dep && answered === 'refused') {
        // after an earlier attempt whose outcome was unknown, a refusal says nothing about it:
        // that publish may still be going on, so the draft must not be discarded
        if (attempt > 1) {
          throw new PublishOutcomeUnknown(
            `Publishing deposition ${String(id)} again was refused (${failure instanceof Error ? failure.message : String(failure)}) after an attempt whose outcome is unknown. It is left as it is; look at it on Zenodo before running again.`
          )
        }
        throw failure
      }
      if (read < reads) await sleep(READ_BACK_WAIT_MS)
    }
    if (answered === 'refused') {
      // refused, and the deposition could not be read: it may be published (by an earlier attempt)
      throw new PublishOutcomeUnknown(
        `Publishing deposition ${String(id)} was refused (${failure instanceof Error ? failure.message : String(failure)}), and it could not be read back to see whether it is published. It is left as it is; look at it on Zenodo before running again.`
      )
    }
    if (answered === 'ok') {
      throw new PublishOutcomeUnknown(
        `Zenodo accepted the publish of deposition ${String(id)}, but reading it back still shows it unpublished. It is left as it is; look at it on Zenodo before running again.`
      )
    }
    if (attempt === 1) core.info(`Deposition ${String(id)} is not published; asking once more.`)
  }
  throw new PublishOutcomeUnknown(
    `Publishing deposition ${String(id)} gave no clear answer twice, and reading it back does not show it published. It is left as it is (it may still be published); look at it on Zenodo before running again.`
  )
}

/** Best-effort removal of an unpublished draft this run made or provably owns, after a failure. */
export async function discardOwned(client: ZenodoClient, id: number): Promise<void> {
  try {
    const dep = await client.getDeposition(id)
    if (dep.submitted) return
    await client.discard(id)
    core.info(
      `Discarded the unpublished draft ${String(id)} so that nothing half-done is left on Zenodo.`
    )
  } catch (e) {
    core.warning(
      `Could not discard the unpublished draft ${String(id)} (${(e as Error).message}); the next run of this release reuses it.`
    )
  }
}
