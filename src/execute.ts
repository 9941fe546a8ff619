/**
 * Every write of a run, in order: the deposition (create / new version / adopt), removal of
 * inherited files, the archive (built now, so that it can cite the version DOI the deposition
 * reserved; its members are checked before the first write), the uploads (at most `concurrency` at once), the metadata, a look
 * for other runs of the same release, and publish with read-back. A failure discards only a
 * draft this run made or provably owns, and never one whose publish may have happened.
 */
import * as core from '@actions/core'
import { join } from 'node:path'
import pLimit from 'p-limit'
import { buildArchive, type ArchiveEntry, type BuiltArchive } from './archive/build.js'
import {
  checkMembersAsPlanned,
  citeMembers,
  finalRecordFiles,
  softwareHeritageSizeWarnings,
  warnProblems
} from './cite/steps.js'
import { ActionError } from './errors.js'
import { logSafe } from './format.js'
import type { LocalFile } from './files/plan.js'
import { releaseDate, type Plan } from './plan.js'
import { executeRdm, type RdmOutcome } from './rdm/execute.js'
import type { PlannedUpload, TargetPlan } from './target.js'
import type { Deposition } from './zenodo/client.js'
import {
  discardOwned,
  isPublished,
  openTarget,
  publishAndConfirm,
  publishedMeanwhile,
  DraftLeftInPlace,
  PublishOutcomeUnknown,
  removeInheritedFiles,
  settleRivals
} from './zenodo/deposition.js'
import { uploadFile, type UploadResult } from './zenodo/upload.js'

/** How a run ended on Zenodo. */
export interface Outcome {
  deposition: Deposition
  state: 'published' | 'draft'
  /** Said in the summary: why nothing new was published, etc. */
  note?: string
  /** True when this run made a new concept (a first release). */
  newConcept: boolean
}

type Writable = Extract<TargetPlan, { kind: 'create' | 'new-version' | 'adopt' }>

/** Carries out the plan. The plan's target must not be 'blocked' (main stops before). */
export async function execute(plan: Plan, scratch: string): Promise<Outcome | RdmOutcome> {
  if (plan.rdm) return executeRdmPlan(plan, plan.rdm, scratch)
  const { client } = plan.connection
  const target = plan.target as TargetPlan // the legacy API's (numeric) ids: plan.rdm is unset
  if (target.kind === 'blocked') throw new ActionError('internal: execute() of a blocked plan')
  if (target.kind === 'published') {
    core.info(
      logSafe(
        `This release (${plan.identity.link}) is already published on Zenodo as record ${String(target.recordId)}; nothing new is published.`
      )
    )
    return {
      deposition: await client.getDeposition(target.recordId),
      state: 'published',
      note: 'This release was already published by an earlier run; nothing new was published.',
      newConcept: false
    }
  }

  // The archive is built after the deposition is opened: what can be checked is checked now.
  if (plan.files.archiveMembers.length) {
    await core.group('Archive members', () => checkMembersAsPlanned(plan.files.archiveMembers))
  }
  return finish(plan, target, scratch)
}

async function finish(plan: Plan, target: Writable, scratch: string): Promise<Outcome> {
  const { client, http, sleep } = plan.connection
  const { settings, identity, metadata } = plan
  const planned: PlannedUpload[] = [...plan.uploadNames].map(name => ({ name }))
  const opened = await core.group('Deposition', async () => {
    const o = await openTarget(client, target, { identity, metadata, planned, sleep })
    await removeInheritedFiles(client, o.deposition, {
      keepPreviousFiles: settings.keepPreviousFiles,
      uploadNames: plan.uploadNames
    })
    return o
  })
  const id = opened.deposition.id
  const newConcept =
    target.kind === 'create' || (target.kind === 'adopt' && target.latestId === undefined)
  try {
    const archive = plan.files.archiveMembers.length
      ? await core.group(`Archive ${plan.archiveName}`, () =>
          buildPlannedArchive(plan, scratch, reservedDoi(opened.deposition))
        )
      : undefined
    const uploads = [...plan.files.uploads, ...archiveFiles(archive, settings.manifestUpload)]
    if (archive) {
      const kept = settings.keepPreviousFiles
        ? (opened.deposition.files ?? []).map(f => ({ name: f.filename, size: f.filesize }))
        : []
      warnArchiveSize(plan, uploads, kept)
    }
    const bucket = opened.deposition.links.bucket ?? (await client.getDeposition(id)).links.bucket
    if (!bucket) throw new ActionError(`Zenodo gave no bucket link for deposition ${String(id)}.`)
    const results = await core.group(`Upload ${String(uploads.length)} file(s)`, () =>
      uploadAll(uploads, settings.concurrency, f => uploadFile(http, bucket, f))
    )
    const draft = await core.group('Metadata on Zenodo', async () => {
      const dep = await client.updateMetadata(id, metadata)
      verifyFiles(dep, results)
      return dep
    })
    if (!settings.publish) return { deposition: draft, state: 'draft', newConcept }

    const rivals = await core.group('Other runs of this release', () =>
      settleRivals(client, draft, { identity, sleep })
    )
    if (!rivals.go) {
      return {
        deposition: rivals.winner,
        state: 'published',
        note: `Another run of this release published it at the same time (deposition ${String(rivals.winner.id)}); this run discarded its own draft and published nothing.`,
        newConcept: false
      }
    }
    const published = await core.group('Publish', () => publishAndConfirm(client, id, sleep))
    return {
      deposition: published,
      state: isPublished(published) ? 'published' : 'draft',
      newConcept
    }
  } catch (e) {
    // A publish that may have happened is never followed by a discard.
    if (e instanceof PublishOutcomeUnknown || e instanceof DraftLeftInPlace) throw e
    const winner = await publishedMeanwhile(client, id, identity)
    if (winner) {
      core.warning(
        `${e instanceof Error ? e.message : String(e)}; but another run of this release has published it meanwhile as deposition ${String(winner.id)}.`
      )
      if (winner.id !== id && opened.owned) await discardOwned(client, id)
      return {
        deposition: winner,
        state: 'published',
        note: `Another run of this release published it at the same time (deposition ${String(winner.id)}); this run published nothing of its own.`,
        newConcept: false
      }
    }
    if (opened.owned) await discardOwned(client, id)
    throw e
  }
}

/** The InvenioRDM side (src/rdm/execute.ts), with this module's archive and upload limits. */
async function executeRdmPlan(
  plan: Plan,
  rdm: NonNullable<Plan['rdm']>,
  scratch: string
): Promise<RdmOutcome> {
  // Everything checkable about the archive members is checked before the first write.
  if (rdm.target.kind !== 'published' && rdm.target.kind !== 'blocked')
    await checkMembersAsPlanned(plan.files.archiveMembers)
  const run = { ...plan, rdm, sleep: plan.connection.sleep, uploadAll }
  return executeRdm(run, async doi => {
    const archive = plan.files.archiveMembers.length
      ? await core.group(`Archive ${plan.archiveName}`, () =>
          buildPlannedArchive(plan, scratch, doi)
        )
      : undefined
    return [...plan.files.uploads, ...archiveFiles(archive, plan.settings.manifestUpload)]
  })
}

/** Runs `upload` over the files with at most `concurrency` in flight; results in input order. */
export async function uploadAll<T>(
  files: LocalFile[],
  concurrency: number,
  upload: (f: LocalFile) => Promise<T>
): Promise<T[]> {
  const limit = pLimit(concurrency)
  return Promise.all(files.map(f => limit(() => upload(f))))
}

/** Every uploaded file is on Zenodo with the md5 we computed. */
function verifyFiles(dep: Deposition, results: UploadResult[]): void {
  const held = new Map((dep.files ?? []).map(f => [f.filename, f.checksum.replace(/^md5:/, '')]))
  const wrong = results.filter(r => held.get(r.name) !== r.md5)
  if (wrong.length) {
    throw new ActionError(
      `Zenodo does not hold ${wrong.map(r => `${r.name} (md5 ${r.md5})`).join(', ')} as uploaded; nothing was published.`
    )
  }
}

/** The version DOI the draft reserved (prereserve_doi), or undefined. */
export function reservedDoi(dep: Deposition): string | undefined {
  return dep.metadata.prereserve_doi?.doi || dep.doi || undefined
}

/**
 * Builds the release archive; with cite-in-archive, CITATION.cff and codemeta.json are archived
 * citing `doi` (the version DOI the opened draft reserved). Generic: any API's execute calls it
 * once its draft is open.
 */
export async function buildPlannedArchive(
  plan: Plan,
  scratch: string,
  doi: string | undefined
): Promise<BuiltArchive> {
  const { settings, release } = plan
  let members: ArchiveEntry[] = plan.files.archiveMembers
  if (settings.citeInArchive && plan.cited.length) {
    if (!doi) {
      core.warning(
        'Zenodo reserved no DOI for this draft, so the archived citation files do not carry one.'
      )
    } else {
      const c = await citeMembers(members, {
        doi,
        version: plan.version,
        ...releaseDate(plan.metadata)
      })
      warnProblems(c.problems)
      for (const f of c.cited) core.info(`Archived ${logSafe(f)} cites ${logSafe(doi)}.`)
      members = c.entries
    }
  }
  return buildArchive({
    members,
    name: plan.archiveName,
    outDir: join(scratch, 'archive'),
    manifest: settings.manifest
      ? {
          repository: `${release.repo.owner}/${release.repo.repo}`,
          tag: release.release.tag,
          commit: release.commit
        }
      : undefined
  })
}

/** The archive, and manifest.json beside it when asked (manifest: upload). */
export function archiveFiles(
  archive: BuiltArchive | undefined,
  manifestUpload: boolean
): LocalFile[] {
  if (!archive) return []
  return archive.manifestFile && manifestUpload
    ? [archive.file, archive.manifestFile]
    : [archive.file]
}

/**
 * Software Heritage's size rule, once the archive's size is known (the other rules were told in
 * plan): over this run's uploads and the inherited files the draft keeps. Generic.
 */
export function warnArchiveSize(
  plan: Plan,
  uploads: LocalFile[],
  kept: { name: string; size: number }[]
): void {
  const files = finalRecordFiles(
    uploads.map(u => ({ name: u.name, size: u.size })),
    kept
  )
  for (const w of softwareHeritageSizeWarnings({
    resourceType: plan.metadata.upload_type ?? '',
    accessRight: plan.metadata.access_right ?? 'open',
    files
  }))
    core.warning(logSafe(w))
}
