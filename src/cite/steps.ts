/**
 * The citing steps of a run that do not depend on the server's API (the legacy deposit API and
 * InvenioRDM's native API call the same ones):
 * - softwareHeritageCheck: the files the record will hold, judged by Software Heritage's rules;
 * - previewCitedMembers / citeMembers: the archived CITATION.cff and codemeta.json carry the
 *   version DOI (read-only preview at plan time, the real bytes once the DOI is reserved);
 * - checkMembersAsPlanned: the archive members are still readable and sized as planned, checked
 *   before the first write since the archive is built only after the draft is opened;
 * - writeBackStep: the concept DOI written into the workspace after a successful publish.
 */
import { lstat, open } from 'node:fs/promises'
import * as core from '@actions/core'
import pLimit from 'p-limit'
import type { ArchiveEntry } from '../archive/build.js'
import { ActionError, formatProblem, type Problem } from '../errors.js'
import type { ArchiveMember } from '../files/plan.js'
import { logSafe } from '../format.js'
import {
  citeArchivedFile,
  citedFileKind,
  MAX_CITED_BYTES,
  type ReleaseCitation
} from './archive.js'
import { softwareHeritageFailures, type SwhRecord } from './software-heritage.js'
import { writeBack } from './write-back.js'

/** A file the record will hold: its name and size (0 when not known yet, e.g. the archive). */
export interface RecordFile {
  name: string
  size: number
}

/**
 * The files a record holds after the run: this run's uploads, plus the inherited files it does
 * not replace when keep-previous-files is set.
 */
export function finalRecordFiles(uploads: RecordFile[], inherited: RecordFile[]): RecordFile[] {
  const names = new Set(uploads.map(u => u.name))
  return [...uploads, ...inherited.filter(f => !names.has(f.name))]
}

/**
 * The Software Heritage rules a software record fails (none for another type). With
 * `sizeKnown` false the size rule is left out (the archive is not built yet).
 */
export function softwareHeritageCheck(record: SwhRecord, sizeKnown = true): string[] {
  const failures = softwareHeritageFailures(record)
  if (failures.some(f => f.rule === 'software')) return []
  return failures.filter(f => sizeKnown || f.rule !== 'size').map(f => f.message)
}

/** Only the size rule, once the archive's size is known (the other rules were told at plan time). */
export function softwareHeritageSizeWarnings(record: SwhRecord): string[] {
  const failures = softwareHeritageFailures(record)
  if (failures.some(f => f.rule === 'software')) return []
  return failures.filter(f => f.rule === 'size').map(f => f.message)
}

/** The members that are cited (CITATION.cff, codemeta.json at the archive root). */
export function citedMembers(members: ArchiveMember[]): ArchiveMember[] {
  return members.filter(m => citedFileKind(m.archivePath) !== undefined)
}

async function readSmall(path: string): Promise<Buffer | undefined> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    if (size > MAX_CITED_BYTES) return undefined
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** A DOI that stands for the one not reserved yet, when the cited files are checked read-only. */
const PLACEHOLDER_DOI = '10.5281/zenodo.0'

/**
 * Read-only, at plan time: which members would be cited, and the problems (as warnings) that
 * would leave one archived unchanged, found with a placeholder DOI before anything is written.
 */
export async function previewCitedMembers(
  members: ArchiveMember[],
  cite: Omit<ReleaseCitation, 'doi'>
): Promise<{ cited: string[]; problems: Problem[] }> {
  const cited: string[] = []
  const problems: Problem[] = []
  for (const m of citedMembers(members)) {
    const bytes = await readSmall(m.path)
    const r = citeArchivedFile(m.archivePath, bytes ?? Buffer.alloc(MAX_CITED_BYTES + 1), {
      ...cite,
      doi: PLACEHOLDER_DOI
    })
    if (r.problem) problems.push(r.problem)
    else cited.push(m.archivePath)
  }
  return { cited, problems }
}

/**
 * The archive's entries with the cited files' bytes replaced by their cited text (every other
 * member is read from disk by the archive builder, byte for byte). The workspace is not written.
 */
export async function citeMembers(
  members: ArchiveMember[],
  cite: ReleaseCitation
): Promise<{ entries: ArchiveEntry[]; cited: string[]; problems: Problem[] }> {
  const cited: string[] = []
  const problems: Problem[] = []
  const entries: ArchiveEntry[] = []
  for (const m of members) {
    if (citedFileKind(m.archivePath) === undefined) {
      entries.push(m)
      continue
    }
    const bytes = await readSmall(m.path)
    if (bytes === undefined) {
      entries.push(m)
      continue
    }
    const r = citeArchivedFile(m.archivePath, bytes, cite)
    if (r.problem) problems.push(r.problem)
    if (r.changed) cited.push(m.archivePath)
    entries.push({ ...m, size: r.content.length, content: r.content })
  }
  return { entries, cited, problems }
}

/**
 * Before the first write: every archive member is still a readable regular file of the size
 * planned (the archive is built after the deposition is opened, and a failure then costs a
 * draft). Throws an ActionError naming the files.
 */
export async function checkMembersAsPlanned(members: ArchiveMember[]): Promise<void> {
  const limit = pLimit(32)
  const wrong = (
    await Promise.all(
      members.map(m =>
        limit(async (): Promise<string | undefined> => {
          try {
            const s = await lstat(m.path)
            if (!s.isFile()) return `${m.archivePath} is no longer a regular file`
            if (s.size !== m.size)
              return `${m.archivePath} is ${String(s.size)} bytes, not ${String(m.size)} as planned`
            const h = await open(m.path, 'r')
            await h.close()
            return undefined
          } catch (e) {
            return `${m.archivePath} cannot be read (${e instanceof Error ? e.message : String(e)})`
          }
        })
      )
    )
  ).filter((w): w is string => w !== undefined)
  if (wrong.length) {
    throw new ActionError(
      `The files to archive changed after they were planned: ${wrong.slice(0, 10).map(logSafe).join('; ')}${wrong.length > 10 ? `; and ${String(wrong.length - 10)} more` : ''}. Nothing was written to Zenodo; make sure no other step changes the workspace while the action runs, and run again.`
    )
  }
}

/** What the write-back needs to know of a finished run. */
export interface WriteBackRun {
  workspace: string
  updateCitationFile: boolean
  updateReadmeBadge: boolean
  zenodoUrl: string
  conceptDoi: string
  /** The version DOI, so a badge showing it is replaced too. */
  doi: string
  version: string
  dateReleased?: string
}

/**
 * After a successful publish: the concept DOI into CITATION.cff and the README badge, as asked.
 * Returns the changed workspace paths (the updated-files output); never commits.
 */
export async function writeBackStep(o: WriteBackRun): Promise<string[]> {
  if (!o.updateCitationFile && !o.updateReadmeBadge) return []
  if (!o.conceptDoi) {
    core.warning('No concept DOI is known for this record, so nothing was written back.')
    return []
  }
  const r = await writeBack({
    workspace: o.workspace,
    conceptDoi: o.conceptDoi,
    version: o.version,
    ...(o.dateReleased ? { dateReleased: o.dateReleased } : {}),
    citationFile: o.updateCitationFile,
    readmeBadge: o.updateReadmeBadge,
    zenodoUrl: o.zenodoUrl,
    knownDois: o.doi ? [o.doi] : []
  })
  for (const w of r.warnings) core.warning(logSafe(w))
  for (const f of r.updatedFiles)
    core.info(`Wrote the concept DOI ${logSafe(o.conceptDoi)} into ${logSafe(f)}.`)
  if (!r.updatedFiles.length) core.info('The workspace already carries the concept DOI.')
  return r.updatedFiles
}

/** Logs problems of cited files as warnings. */
export function warnProblems(problems: Problem[]): void {
  for (const p of problems) core.warning(formatProblem(p))
}
