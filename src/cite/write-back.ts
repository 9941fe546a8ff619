/**
 * Writing the DOI back into the workspace after a successful publish, for a following
 * commit step (the action never commits or pushes): CITATION.cff gets the concept DOI,
 * the release's version and date (update-citation-file), README.md the concept-DOI
 * badge (update-readme-badge). Returns the workspace-relative paths it changed, for the
 * `updated-files` output, and warnings for what it could not do.
 *
 * Only regular files at the workspace root are written, in place (their mode kept); a
 * symbolic link is not followed, since it may lead outside the workspace.
 */
import { lstat, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { formatProblem, type Problem } from '../errors.js'
import { citeInCff } from './citation-cff.js'
import { putDoiBadge } from './readme-badge.js'

export interface WriteBackOptions {
  workspace: string
  /** The concept DOI, bare: 10.5281/zenodo.123 */
  conceptDoi: string
  version?: string
  dateReleased?: string
  /** update-citation-file */
  citationFile: boolean
  /** update-readme-badge */
  readmeBadge: boolean
  /** The Zenodo instance, for the badge host. */
  zenodoUrl?: string
  /** DOIs of this concept's versions: badges showing one of them are replaced. */
  knownDois?: string[]
}

export interface WriteBackResult {
  /** Workspace-relative paths that changed, in the order written. */
  updatedFiles: string[]
  warnings: string[]
}

/** A regular file at the workspace root, by exact name, else (for README) by case-insensitive name. */
async function rootFile(
  workspace: string,
  names: string[]
): Promise<{ name: string; problem?: string } | undefined> {
  const entries = await readdir(workspace)
  const name =
    names.find(n => entries.includes(n)) ??
    entries.find(e => names.some(n => n.toLowerCase() === e.toLowerCase()))
  if (name === undefined) return undefined
  const stat = await lstat(join(workspace, name))
  if (stat.isSymbolicLink())
    return { name, problem: `${name} is a symbolic link; it is not followed` }
  if (!stat.isFile()) return { name, problem: `${name} is not a regular file` }
  return { name }
}

function notUtf8(file: string): { ok: false; problem: Problem } {
  return {
    ok: false,
    problem: {
      severity: 'warning',
      file,
      field: '(file)',
      message: 'is not UTF-8 text, so no DOI was written back',
      fix: 'save the file as UTF-8'
    }
  }
}

/** The file's text, or undefined when it is not UTF-8 (it would be damaged by a rewrite). */
async function readUtf8(path: string): Promise<string | undefined> {
  const bytes = await readFile(path)
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}

export async function writeBack(opts: WriteBackOptions): Promise<WriteBackResult> {
  const updatedFiles: string[] = []
  const warnings: string[] = []

  if (opts.citationFile) {
    const found = await rootFile(opts.workspace, ['CITATION.cff'])
    if (!found) {
      warnings.push(
        'update-citation-file: there is no CITATION.cff at the workspace root, so no DOI was written back. Add one (https://citation-file-format.github.io) or turn update-citation-file off'
      )
    } else if (found.problem !== undefined) {
      warnings.push(`update-citation-file: ${found.problem}, so no DOI was written back`)
    } else {
      const path = join(opts.workspace, found.name)
      const text = await readUtf8(path)
      const r =
        text === undefined
          ? notUtf8(found.name)
          : citeInCff(
              text,
              {
                doi: opts.conceptDoi,
                ...(opts.version === undefined ? {} : { version: opts.version }),
                ...(opts.dateReleased === undefined ? {} : { dateReleased: opts.dateReleased })
              },
              found.name
            )
      if (!r.ok) warnings.push(`update-citation-file: ${formatProblem(r.problem)}`)
      else if (r.changed) {
        await writeFile(path, r.text, 'utf8')
        updatedFiles.push(found.name)
      }
    }
  }

  if (opts.readmeBadge) {
    const found = await rootFile(opts.workspace, ['README.md'])
    if (!found) {
      warnings.push(
        'update-readme-badge: there is no README.md at the workspace root, so no badge was added'
      )
    } else if (found.problem !== undefined) {
      warnings.push(`update-readme-badge: ${found.problem}, so no badge was added`)
    } else {
      const path = join(opts.workspace, found.name)
      const text = await readUtf8(path)
      if (text === undefined) {
        warnings.push(`update-readme-badge: ${found.name} is not UTF-8 text, so no badge was added`)
        return { updatedFiles, warnings }
      }
      const r = putDoiBadge(text, {
        conceptDoi: opts.conceptDoi,
        ...(opts.zenodoUrl === undefined ? {} : { zenodoUrl: opts.zenodoUrl }),
        ...(opts.knownDois === undefined ? {} : { knownDois: opts.knownDois })
      })
      if (r.changed) {
        await writeFile(path, r.text, 'utf8')
        updatedFiles.push(found.name)
      }
    }
  }
  return { updatedFiles, warnings }
}
