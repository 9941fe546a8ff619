/**
 * The archive cites itself: the archived copies of the workspace's CITATION.cff and
 * codemeta.json carry the version DOI; every other file is archived byte for byte.
 *
 * Pure: the archive builder asks `citedFileKind` for each workspace-relative path and,
 * for the (at most two, small) cited files, passes their bytes to `citeArchivedFile`
 * and archives the returned bytes instead (manifest.json then describes these bytes).
 * The workspace file itself is never written.
 */
import type { Problem } from '../errors.js'
import { citeInCff } from './citation-cff.js'
import { citeInCodemeta } from './codemeta.js'

export interface ReleaseCitation {
  /** The version DOI, bare (10.5281/zenodo.124), as reserved before the archive is built. */
  doi: string
  /** The release's version (tag), and its date YYYY-MM-DD. */
  version?: string
  dateReleased?: string
}

export type CitedFileKind = 'citation-cff' | 'codemeta'

/** Files above this size are not read into memory to be cited (a CITATION.cff is a few KiB). */
export const MAX_CITED_BYTES = 1024 * 1024

/** Which files are cited: CITATION.cff and codemeta.json at the workspace root, by exact name. */
export function citedFileKind(relativePath: string): CitedFileKind | undefined {
  const path = relativePath.replace(/\\/g, '/').replace(/^\.\//, '')
  if (path === 'CITATION.cff') return 'citation-cff'
  if (path === 'codemeta.json') return 'codemeta'
  return undefined
}

export interface CitedFile {
  /** The bytes to archive: the cited text, or the original bytes when nothing could be cited. */
  content: Buffer
  changed: boolean
  /** Why the file was archived unchanged (a warning for the log); absent when it was cited. */
  problem?: Problem
}

/**
 * The bytes to archive for a cited file. A file that cannot be cited (not UTF-8, not
 * valid CFF/JSON, too large) is archived as it is, with a problem to warn about: a
 * broken citation file must not stop a release that Zenodo would accept.
 */
export function citeArchivedFile(
  relativePath: string,
  content: Buffer,
  cite: ReleaseCitation
): CitedFile {
  const kind = citedFileKind(relativePath)
  if (kind === undefined) return { content, changed: false }
  const unchanged = (message: string, fix: string): CitedFile => ({
    content,
    changed: false,
    problem: { severity: 'warning', file: relativePath, field: '(file)', message, fix }
  })
  if (content.length > MAX_CITED_BYTES) {
    return unchanged(
      `is ${String(content.length)} bytes, too large to be a citation file, so the archived copy does not carry the DOI`,
      'keep the file small, or set cite-in-archive: false'
    )
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content)
  } catch {
    return unchanged(
      'is not UTF-8 text, so the archived copy does not carry the DOI',
      'save the file as UTF-8'
    )
  }
  const result =
    kind === 'citation-cff'
      ? citeInCff(
          text,
          {
            doi: cite.doi,
            ...(cite.version === undefined ? {} : { version: cite.version }),
            ...(cite.dateReleased === undefined ? {} : { dateReleased: cite.dateReleased })
          },
          relativePath
        )
      : citeInCodemeta(text, cite.doi, relativePath)
  if (!result.ok) {
    return {
      content,
      changed: false,
      problem: {
        ...result.problem,
        message: `${result.problem.message}, so the archived copy does not carry the DOI`
      }
    }
  }
  return result.changed
    ? { content: Buffer.from(result.text, 'utf8'), changed: true }
    : { content, changed: false }
}
