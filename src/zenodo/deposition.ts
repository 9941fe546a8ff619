/**
 * Finding or making the one deposition a release is published into, and publishing it, so that
 * any sequence of failed, killed and repeated runs ends with exactly one published version.
 *
 * A release is recognised on Zenodo by its link to the source tree (the related identifier
 * `isSupplementTo <server>/<owner>/<repo>/tree/<tag>` that every deposition this action makes
 * carries) together with its version. That makes every step repeatable:
 * - the latest version of the concept already is this release => nothing to publish again;
 * - an unpublished draft of this release (left by a killed or failed run) => adopt it;
 * - newversion refused with "Please remove all files first" (a stale draft of the concept) =>
 *   find that draft, empty it, and ask again: Zenodo then hands back the same draft.
 */
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
import { HttpError, NetworkError } from '../http.js'
import type { ZenodoMetadata } from '../metadata/types.js'
import type { Deposition, ZenodoClient, ZenodoRecord } from './client.js'

/** How the release is recognised on Zenodo. */
export interface ReleaseIdentity {
  /** e.g. https://github.com/owner/repo/tree/v1.2.0 */
  link: string
  version: string
}

export type TargetKind = 'created' | 'new-version' | 'adopted-draft' | 'already-published'

export interface Target {
  deposition: Deposition
  kind: TargetKind
  /** True when this run made or adopted an unpublished draft: it is discarded if the run fails. */
  owned: boolean
}

export interface DepositionOptions {
  /** Record id from the concept input; undefined for a first release. */
  conceptId?: number
  identity: ReleaseIdentity
  metadata: ZenodoMetadata
  keepPreviousFiles: boolean
  /** Names this run uploads (same-name inherited files are replaced in place, not deleted). */
  uploadNames: Set<string>
  /** Read-only: resolve but never write (dry run). */
  dryRun?: boolean
  /** How often to re-read the (eventually consistent) deposition list, and the wait between reads. */
  listReads?: number
  listWaitMs?: number
  sleep?: (ms: number) => Promise<void>
}

const defaultSleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

/** True when a request failed in a way that leaves its effect on the server unknown. */
export function isAmbiguous(e: unknown): boolean {
  return e instanceof NetworkError || (e instanceof HttpError && e.status >= 500)
}

/** True when the deposition or record is the one this release is published as. */
export function isReleaseOf(
  metadata: Record<string, unknown> | undefined,
  id: ReleaseIdentity
): boolean {
  if (!metadata || String(metadata.version ?? '') !== id.version) return false
  const related = metadata.related_identifiers
  return (
    Array.isArray(related) &&
    related.some(r => sameLink((r as { identifier?: unknown }).identifier, id.link))
  )
}

function sameLink(value: unknown, link: string): boolean {
  return typeof value === 'string' && value.replace(/\/+$/, '').toLowerCase() === link.toLowerCase()
}

/** The latest published version of the concept, with a clear error when it does not exist. */
async function latestOfConcept(client: ZenodoClient, conceptId: number): Promise<ZenodoRecord> {
  try {
    return await client.latestVersion(conceptId)
  } catch (e) {
    if (e instanceof HttpError && (e.status === 404 || e.status === 410)) {
      const server = client.api.replace(/\/api$/, '')
      throw new ActionError(
        `Input 'concept': no published Zenodo record ${conceptId} on ${server}. Check the concept DOI or record id, and whether it lives on the sandbox (sandbox: true) or on zenodo.org.`
      )
    }
    throw e
  }
}

/**
 * Opens the deposition this run publishes into: a new deposition, a new version of the concept,
 * an adopted draft of this release, or the already-published version of this release.
 */
export async function openDeposition(client: ZenodoClient, o: DepositionOptions): Promise<Target> {
  return o.conceptId === undefined
    ? openFirstRelease(client, o)
    : openNewVersion(client, o, o.conceptId)
}

async function openFirstRelease(client: ZenodoClient, o: DepositionOptions): Promise<Target> {
  const existing = await findReleaseDepositions(client, o, 1)
  const published = existing.find(d => d.submitted)
  if (published) {
    core.info(
      `This release is already published on Zenodo as ${published.id}; nothing new is published.`
    )
    return {
      deposition: await client.getDeposition(published.id),
      kind: 'already-published',
      owned: false
    }
  }
  const draft = existing.find(d => !d.submitted)
  if (draft) return adoptDraft(client, o, draft.id)
  if (o.dryRun) return { deposition: plannedDeposition(), kind: 'created', owned: false }

  try {
    const created = await client.createDeposition(o.metadata)
    core.info(`Created deposition ${created.id}.`)
    return { deposition: created, kind: 'created', owned: true }
  } catch (e) {
    if (!isAmbiguous(e)) throw e
    core.warning(
      `Creating the deposition failed (${(e as Error).message}); reading your depositions back to see whether it was made.`
    )
    const made = await findReleaseDepositions(client, o, o.listReads ?? 3)
    const draftMade = made.find(d => !d.submitted)
    if (draftMade) return adoptDraft(client, o, draftMade.id)
    const created = await client.createDeposition(o.metadata)
    core.info(`Created deposition ${created.id}.`)
    return { deposition: created, kind: 'created', owned: true }
  }
}

async function openNewVersion(
  client: ZenodoClient,
  o: DepositionOptions,
  conceptId: number
): Promise<Target> {
  const latest = await latestOfConcept(client, conceptId)
  core.info(
    `Latest version of the concept: record ${latest.id}${latest.metadata?.version ? ` (version ${String(latest.metadata.version)})` : ''}.`
  )
  if (isReleaseOf(latest.metadata, o.identity) || (await legacyShapeIsRelease(client, latest, o))) {
    core.info(
      `Version ${o.identity.version} of this release is already published on Zenodo as ${latest.id}; nothing new is published.`
    )
    return {
      deposition: await client.getDeposition(latest.id),
      kind: 'already-published',
      owned: false
    }
  }
  if (o.dryRun) return { deposition: plannedDeposition(latest), kind: 'new-version', owned: false }

  const draft = await newVersionDraft(client, o, latest)
  const adopted = isReleaseOf(draft.metadata, o.identity)
  if (adopted) core.info(`Reusing draft ${draft.id} of this release left by an earlier run.`)
  else core.info(`Opened new-version draft ${draft.id} from record ${latest.id}.`)
  await removeInheritedFiles(client, draft, o)
  return { deposition: draft, kind: adopted ? 'adopted-draft' : 'new-version', owned: true }
}

/**
 * The published record (GET /records) speaks the RDM shape, where related identifiers and
 * version may sit elsewhere; the deposition view of the same id speaks the legacy shape.
 */
async function legacyShapeIsRelease(
  client: ZenodoClient,
  latest: ZenodoRecord,
  o: DepositionOptions
): Promise<boolean> {
  if (String(latest.metadata?.version ?? '') !== o.identity.version) return false
  const dep = await client.getDeposition(latest.id)
  return isReleaseOf(dep.metadata, o.identity)
}

async function newVersionDraft(
  client: ZenodoClient,
  o: DepositionOptions,
  latest: ZenodoRecord
): Promise<Deposition> {
  try {
    return await client.newVersion(latest.id)
  } catch (e) {
    if (isStaleDraftError(e)) return clearStaleDraft(client, o, latest)
    if (!isAmbiguous(e)) throw e
    // Zenodo keeps at most one new-version draft per concept and hands it back on a repeated
    // newversion call (or refuses with "remove all files" when it holds files), so asking again
    // after an unknown outcome cannot make a second draft.
    core.warning(`Asking Zenodo for a new version failed (${(e as Error).message}); asking again.`)
    try {
      return await client.newVersion(latest.id)
    } catch (e2) {
      if (isStaleDraftError(e2)) return clearStaleDraft(client, o, latest)
      throw e2
    }
  }
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

async function clearStaleDraft(
  client: ZenodoClient,
  o: DepositionOptions,
  latest: ZenodoRecord
): Promise<Deposition> {
  const concept = String(latest.conceptrecid)
  const stale = await findDrafts(client, o, d => !d.submitted && String(d.conceptrecid) === concept)
  if (!stale) {
    throw new ActionError(
      `Zenodo refuses a new version of concept ${concept} because an unpublished draft of it already exists (left by an earlier run), and that draft is not in your list of depositions yet. Run again in a minute, or discard the draft on Zenodo (Upload > your uploads) and run again.`
    )
  }
  core.warning(
    `An unpublished draft (${stale.id}) of this concept was left by an earlier run; emptying it so that this run can use it.`
  )
  const files = await client.listFiles(stale.id)
  for (const f of files) await client.deleteFile(stale.id, f.id)
  // With no files, newversion returns the existing draft with the latest version's files.
  return client.newVersion(latest.id)
}

/** Deletes inherited files the run does not replace, unless keep-previous-files is set. */
async function removeInheritedFiles(
  client: ZenodoClient,
  draft: Deposition,
  o: DepositionOptions
): Promise<void> {
  const files = draft.files ?? (await client.listFiles(draft.id))
  if (o.keepPreviousFiles) {
    if (files.length)
      core.info(`Keeping ${files.length} file(s) of the previous version (keep-previous-files).`)
    return
  }
  const stale = files.filter(f => !o.uploadNames.has(f.filename))
  for (const f of stale) {
    core.debug(`Deleting inherited file ${f.filename}`)
    await client.deleteFile(draft.id, f.id)
  }
  if (stale.length)
    core.info(`Removed ${stale.length} file(s) inherited from the previous version.`)
  draft.files = files.filter(f => o.uploadNames.has(f.filename))
}

async function adoptDraft(client: ZenodoClient, o: DepositionOptions, id: number): Promise<Target> {
  const draft = await client.getDeposition(id)
  if (o.dryRun) return { deposition: draft, kind: 'adopted-draft', owned: false }
  core.info(`Reusing unpublished draft ${id} of this release left by an earlier run.`)
  const files = draft.files ?? (await client.listFiles(id))
  for (const f of files.filter(f => !o.uploadNames.has(f.filename)))
    await client.deleteFile(id, f.id)
  draft.files = files.filter(f => o.uploadNames.has(f.filename))
  return { deposition: draft, kind: 'adopted-draft', owned: true }
}

/** Depositions of this release (published or not), newest first. reads > 1 re-reads the list while it is empty. */
async function findReleaseDepositions(
  client: ZenodoClient,
  o: DepositionOptions,
  reads: number
): Promise<Deposition[]> {
  const sleep = o.sleep ?? defaultSleep
  for (let attempt = 1; ; attempt++) {
    const all = await listRecent(client)
    const found = all.filter(d => isReleaseOf(d.metadata, o.identity))
    if (found.length || attempt >= reads) return found
    await sleep(o.listWaitMs ?? 2000)
  }
}

async function findDrafts(
  client: ZenodoClient,
  o: DepositionOptions,
  match: (d: Deposition) => boolean
): Promise<Deposition | undefined> {
  const sleep = o.sleep ?? defaultSleep
  const reads = o.listReads ?? 3
  for (let attempt = 1; attempt <= reads; attempt++) {
    const found = (await listRecent(client)).find(match)
    if (found) return found
    if (attempt < reads) await sleep(o.listWaitMs ?? 2000)
  }
  return undefined
}

/** The user's most recent depositions (at most 3 pages of 100). */
async function listRecent(client: ZenodoClient): Promise<Deposition[]> {
  const all: Deposition[] = []
  for (let page = 1; page <= 3; page++) {
    const items = await client.listDepositions({ size: 100, page, sort: 'mostrecent' })
    all.push(...items)
    if (items.length < 100) break
  }
  return all
}

function plannedDeposition(latest?: ZenodoRecord): Deposition {
  return {
    id: 0,
    conceptrecid: latest ? String(latest.conceptrecid) : undefined,
    conceptdoi: latest?.conceptdoi,
    state: 'unsubmitted',
    submitted: false,
    metadata: {},
    links: {},
    files: []
  }
}

/**
 * Publishes; when the answer is lost (504 from the proxy, a reset, a timeout) the deposition is
 * read back, and a publish that happened counts as success. Only a publish that did not happen
 * is asked for again, once.
 */
export async function publishDeposition(
  client: ZenodoClient,
  id: number,
  opts: { reads?: number; waitMs?: number; sleep?: (ms: number) => Promise<void> } = {}
): Promise<Deposition> {
  const sleep = opts.sleep ?? defaultSleep
  try {
    return await client.publish(id)
  } catch (e) {
    if (!isAmbiguous(e)) throw e
    core.warning(
      `Publishing answered ${(e as Error).message}; reading the deposition back to see whether it was published.`
    )
  }
  const reads = opts.reads ?? 3
  for (let attempt = 1; attempt <= reads; attempt++) {
    const dep = await client.getDeposition(id)
    if (isPublished(dep)) {
      core.info(`Deposition ${id} was published despite the error.`)
      return dep
    }
    if (attempt < reads) await sleep(opts.waitMs ?? 3000)
  }
  core.info(`Deposition ${id} is not published; publishing again.`)
  try {
    return await client.publish(id)
  } catch (e) {
    const dep = await client.getDeposition(id)
    if (isPublished(dep)) return dep
    throw e
  }
}

export function isPublished(d: Deposition): boolean {
  return d.submitted && d.state === 'done'
}

/** Best-effort removal of an unpublished draft this run made or adopted, after a failure. */
export async function discardDraft(client: ZenodoClient, target: Target): Promise<void> {
  const id = target.deposition.id
  try {
    const dep = await client.getDeposition(id)
    if (dep.submitted) return
    await client.discard(id)
    core.info(`Discarded the unpublished draft ${id} so that nothing half-done is left on Zenodo.`)
  } catch (e) {
    core.warning(
      `Could not discard the unpublished draft ${id} (${(e as Error).message}); the next run of this release reuses it.`
    )
  }
}
