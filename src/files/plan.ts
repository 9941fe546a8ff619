/**
 * Which local files a release uploads: glob the `files` and `archive` inputs, add
 * manifest.rdmc and extra uploads (release assets), and find every problem that must stop
 * the run before anything is written to Zenodo (names, counts, sizes, permissions).
 */
import { constants as fsConstants } from 'node:fs'
import type { Stats } from 'node:fs'
import { access, lstat, readlink, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import * as glob from '@actions/glob'
import pLimit from 'p-limit'
import type { Problem } from '../errors.js'
import { formatBytes, hasControlChars, logSafe } from '../format.js'

/** A file uploaded to Zenodo under `name`. */
export interface LocalFile {
  /** Absolute path on disk. */
  path: string
  /** Name (key) on Zenodo. */
  name: string
  size: number
  origin: 'files' | 'archive' | 'manifest' | 'release-asset' | 'manifest.rdmc'
}

/** A file packed into the archive. */
export interface ArchiveMember {
  /** Absolute path on disk. */
  path: string
  /** Posix path inside the archive: relative to the workspace when inside it, else to the glob's search root. */
  archivePath: string
  size: number
}

/** What planFiles found: what to upload, what to archive, and what is wrong. */
export interface FilePlan {
  /** Files to upload as themselves. */
  uploads: LocalFile[]
  /** Files to pack into the archive, sorted by archivePath. */
  archiveMembers: ArchiveMember[]
  problems: Problem[]
}

/** Zenodo accepts at most 100 files per record. */
export const MAX_FILES = 100
/** Zenodo: 50 GB per file and per record. */
export const MAX_BYTES = 50 * 1000 ** 3

/** Name of the manifest written beside the archive (see archive.ts). */
export const MANIFEST_NAME = 'manifest.json'
/** A file that, when present at the workspace root, is uploaded as it is. */
export const RDMC_MANIFEST_NAME = 'manifest.rdmc'

/** Options of planFiles. `limits` exists for tests and benchmarks; it defaults to Zenodo's. */
export interface PlanOptions {
  workspace: string
  files: string[]
  archive: string[]
  /** Already resolved (see resolveArchiveName). */
  archiveName: string
  manifest: boolean
  /** manifest.json uploaded beside the archive too (default: the same as manifest). */
  manifestBeside?: boolean
  ifNoFilesFound: 'error' | 'warn' | 'ignore'
  /** Files already on disk to upload too, e.g. release assets. */
  extra?: LocalFile[]
  limits?: { maxFiles?: number; maxBytes?: number }
}

type InputName = 'files' | 'archive' | 'archive-name' | 'if-no-files-found'

const STAT_CONCURRENCY = 32

/**
 * Glob `files` and `archive` patterns (one per line, @actions/glob, directories skipped,
 * matches de-duplicated; relative patterns resolve against workspace), add manifest.rdmc
 * from the workspace root if it exists (uploaded as-is), and check everything that must
 * fail before anything is written: nothing matched, duplicate upload names (including the
 * archive and manifest.json), too many files, a file or total over the size limit,
 * unreadable paths, and a bad archive name.
 */
export async function planFiles(opts: PlanOptions): Promise<FilePlan> {
  const problems: Problem[] = []
  const workspace = path.resolve(opts.workspace)
  const filePatterns = patternLines(opts.files)
  const archivePatterns = patternLines(opts.archive)

  const fileMatches = await globInput('files', filePatterns, workspace, problems)
  const archiveMatches = await globInput('archive', archivePatterns, workspace, problems)

  const uploads: LocalFile[] = fileMatches.map(m => ({
    path: m.path,
    name: m.name,
    size: m.size,
    origin: 'files'
  }))
  const archiveMembers: ArchiveMember[] = archiveMatches
    .map(m => ({ path: m.path, archivePath: m.archivePath, size: m.size }))
    .sort((a, b) => compareStrings(a.archivePath, b.archivePath))

  const rdmc = await rdmcManifest(workspace, problems)
  if (rdmc && !uploads.some(u => u.path === rdmc.path)) uploads.push(rdmc)
  uploads.push(...(opts.extra ?? []))

  checkNames(uploads, archiveMembers, problems)
  checkNothingMatched(opts, filePatterns, archivePatterns, fileMatches, archiveMatches, problems)
  const hasArchive = archiveMembers.length > 0
  if (archivePatterns.length > 0) checkArchiveName(opts.archiveName, problems)
  checkDuplicateArchivePaths(archiveMembers, problems)
  if (opts.manifest && archiveMembers.some(m => m.archivePath === MANIFEST_NAME)) {
    problems.push(
      problem(
        'archive',
        `an archived file would be stored as "${MANIFEST_NAME}" at the archive root, where the manifest goes`,
        'rename or exclude that file, or set manifest to false'
      )
    )
  }
  const beside = opts.manifestBeside ?? opts.manifest
  checkDuplicateNames(uploads, hasArchive ? opts.archiveName : undefined, beside, problems)
  checkCounts(uploads.length + (hasArchive ? 1 + (beside ? 1 : 0) : 0), opts, problems)
  checkSizes(uploads, archiveMembers, opts, problems)
  await checkReadable(uploads, archiveMembers, problems)

  return { uploads, archiveMembers, problems }
}

/** Expand {owner} {repo} {tag} {version} in archive-name; '/' in a value is replaced by '-'. */
export function resolveArchiveName(
  template: string,
  vars: { owner: string; repo: string; tag: string; version: string }
): string {
  return template.replace(/\{(owner|repo|tag|version)\}/g, (_m, key: keyof typeof vars) =>
    vars[key].replaceAll('/', '-')
  )
}

/** The archive format named by its extension, or undefined when the name has none we build. */
export function archiveFormat(name: string): 'zip' | 'tar.gz' | undefined {
  const lower = name.toLowerCase()
  if (lower.endsWith('.zip')) return 'zip'
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz'
  return undefined
}

interface Match {
  /** The file read: the real path (a link's resolved, checked target). */
  path: string
  /** Base name of the matched path (a link's own name, not its target's). */
  name: string
  archivePath: string
  size: number
}

/** Non-empty, non-comment lines (a line may itself hold several lines). */
function patternLines(lines: string[]): string[] {
  return lines
    .flatMap(l => l.split(/\r?\n/))
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
}

/** Root a relative pattern at the workspace, keeping its leading '!'s and trailing '/'. */
function rootPattern(line: string, workspace: string): string {
  const bang = /^!*/.exec(line)?.[0] ?? ''
  const body = line.slice(bang.length).trim()
  if (path.isAbsolute(body) || body === '~' || body.startsWith('~/')) return bang + body
  const rooted = path.join(globEscape(workspace), body)
  return bang + (body.endsWith('/') && !rooted.endsWith('/') ? `${rooted}/` : rooted)
}

/**
 * Git's own files are never release files: `**` would otherwise archive the whole .git
 * directory (the history, hooks and credentials of the checkout). Only patterns that name
 * .git themselves reach into it.
 */
function gitExclusions(patterns: string[]): string[] {
  if (patterns.some(p => /(^|[/\\])\.git([/\\]|$)/.test(p.replace(/^!+/, '').trim()))) return []
  return ['!**/.git/**', '!**/.git']
}

/** Escape glob characters in a literal path the way @actions/glob does. */
function globEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/(\[)(?=[^/]+\])/g, '[[]')
    .replace(/\?/g, '[?]')
    .replace(/\*/g, '[*]')
}

/**
 * Glob one input's patterns into de-duplicated regular files with their sizes.
 *
 * Symbolic links are never walked blindly: the first glob does not follow them, and each
 * matched link is checked first. A link is followed only when its real target is inside the
 * workspace and outside any .git directory (where actions/checkout leaves the job's
 * credentials); any other matched link is a problem naming the link and its target. Only when
 * every matched link passes is the input globbed again through its directory links, and every
 * file reached through a link is checked the same way. A match that is not a regular file
 * (a FIFO, a socket, a device) is a problem too: reading it could block forever.
 */
async function globInput(
  input: 'files' | 'archive',
  patterns: string[],
  workspace: string,
  problems: Problem[]
): Promise<Match[]> {
  if (patterns.length === 0) return []
  const rooted = [...patterns, ...gitExclusions(patterns)].map(p => rootPattern(p, workspace))
  const first = await runGlob(input, rooted, false, problems)
  if (!first) return []
  const realWorkspace = await realpath(workspace).catch(() => workspace)
  const refused = new Set<string>()
  const links = await mapLimit(first.paths, STAT_CONCURRENCY, async p => {
    const l = await lstat(p).catch(() => undefined)
    if (!l?.isSymbolicLink()) return false
    const target = await checkLink(input, p, realWorkspace, problems)
    if (!target) refused.add(p)
    return target?.isDirectory() === true
  })
  // Directory links are walked only when every matched link passed; otherwise the run stops
  // anyway, and the other matches are still reported (so no "nothing matched" on top).
  const walk = links.some(Boolean) && refused.size === 0
  const walked = walk ? await runGlob(input, rooted, true, problems) : first
  if (!walked) return []
  const stats = await mapLimit(walked.paths, STAT_CONCURRENCY, async p => {
    if (refused.has(p)) return undefined
    try {
      const s = await stat(p)
      if (s.isDirectory()) return undefined
      const real = await realpath(p)
      if (real !== p && !(await checkLink(input, p, realWorkspace, problems, real))) {
        return undefined
      }
      if (!s.isFile()) {
        problems.push(
          problem(
            input,
            `"${logSafe(p)}" is ${kindOf(s)}, not a regular file; reading it could wait forever`,
            'exclude it with a "!" pattern, or narrow the pattern to regular files'
          )
        )
        return undefined
      }
      return { path: real, link: p, size: s.size }
    } catch (err) {
      problems.push(
        problem(input, `cannot read "${logSafe(p)}": ${errorMessage(err)}`, readableFix)
      )
      return undefined
    }
  })
  return stats
    .filter((m): m is { path: string; link: string; size: number } => m !== undefined)
    .map(m => ({
      path: m.path,
      size: m.size,
      name: path.basename(m.link),
      archivePath: archivePathOf(m.link, workspace, walked.searchRoots)
    }))
}

/** One @actions/glob run: the de-duplicated matches and the search roots, or undefined on a bad pattern. */
async function runGlob(
  input: 'files' | 'archive',
  rooted: string[],
  followSymbolicLinks: boolean,
  problems: Problem[]
): Promise<{ paths: string[]; searchRoots: string[] } | undefined> {
  try {
    const globber = await glob.create(rooted.join('\n'), {
      matchDirectories: false,
      implicitDescendants: true,
      followSymbolicLinks
    })
    return { searchRoots: globber.getSearchPaths(), paths: [...new Set(await globber.glob())] }
  } catch (err) {
    problems.push(
      problem(input, `a pattern could not be used: ${errorMessage(err)}`, patternFix(input))
    )
    return undefined
  }
}

/**
 * Whether the link at `link` may be followed: its real target exists, is inside the workspace
 * and is outside any .git directory. Returns the target's stats when it may, else records a
 * problem naming the link and its target and returns undefined.
 */
async function checkLink(
  input: 'files' | 'archive',
  link: string,
  realWorkspace: string,
  problems: Problem[],
  knownTarget?: string
): Promise<Stats | undefined> {
  const shown = await readlink(link).catch(() => knownTarget ?? '?')
  const refuse = (why: string): void => {
    problems.push(
      problem(
        input,
        `"${logSafe(link)}" is a symbolic link to "${logSafe(shown)}", ${why}; links are followed only to files inside the workspace and outside .git`,
        'copy the file into the workspace instead of linking to it, or exclude the link with a "!" pattern'
      )
    )
  }
  let target: string
  try {
    target = knownTarget ?? (await realpath(link))
  } catch {
    refuse('whose target does not exist')
    return undefined
  }
  const rel = path.relative(realWorkspace, target)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    refuse(`which leads to "${logSafe(target)}" outside the workspace`)
    return undefined
  }
  if (rel.split(path.sep).includes('.git')) {
    refuse(`which leads into a .git directory ("${logSafe(target)}")`)
    return undefined
  }
  return stat(target).catch(() => {
    refuse('whose target cannot be read')
    return undefined
  })
}

/** "a FIFO", "a socket", ... for a problem message. */
function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO (named pipe)'
  if (s.isSocket()) return 'a socket'
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device'
  return 'not a regular file'
}

/** Posix path relative to the workspace when inside it, else to the deepest search root holding it. */
function archivePathOf(file: string, workspace: string, searchRoots: string[]): string {
  const inside = (root: string): boolean =>
    file.startsWith(root.endsWith(path.sep) ? root : root + path.sep)
  let base = inside(workspace) ? workspace : undefined
  if (base === undefined) {
    const roots = searchRoots.filter(inside).sort((a, b) => b.length - a.length)
    base = roots[0] ?? path.dirname(file)
  }
  return path.relative(base, file).split(path.sep).join('/')
}

/** manifest.rdmc at the workspace root, when it is a regular file (a link is checked like any other). */
async function rdmcManifest(
  workspace: string,
  problems: Problem[]
): Promise<LocalFile | undefined> {
  const p = path.join(workspace, RDMC_MANIFEST_NAME)
  try {
    const l = await lstat(p)
    let real = p
    if (l.isSymbolicLink()) {
      const realWorkspace = await realpath(workspace).catch(() => workspace)
      if (!(await checkLink('files', p, realWorkspace, problems))) return undefined
      real = await realpath(p)
    }
    const s = await stat(real)
    if (!s.isFile()) return undefined
    return { path: real, name: RDMC_MANIFEST_NAME, size: s.size, origin: 'manifest.rdmc' }
  } catch {
    return undefined
  }
}

function checkNothingMatched(
  opts: PlanOptions,
  filePatterns: string[],
  archivePatterns: string[],
  fileMatches: Match[],
  archiveMatches: Match[],
  problems: Problem[]
): void {
  if (opts.ifNoFilesFound === 'ignore') return
  const severity = opts.ifNoFilesFound === 'error' ? 'error' : 'warning'
  const fix =
    'check the patterns against the files present when the action runs (paths are relative to the workspace), or set if-no-files-found to warn or ignore'
  const inputs: ['files' | 'archive', string[], Match[]][] = [
    ['files', filePatterns, fileMatches],
    ['archive', archivePatterns, archiveMatches]
  ]
  for (const [input, patterns, matches] of inputs) {
    if (patterns.length > 0 && matches.length === 0) {
      problems.push({
        severity,
        file: 'action input',
        field: input,
        message: `no file matched ${patterns.map(p => `"${p}"`).join(', ')}`,
        fix
      })
    }
  }
  if (
    filePatterns.length === 0 &&
    archivePatterns.length === 0 &&
    (opts.extra ?? []).length === 0
  ) {
    problems.push({
      severity,
      file: 'action input',
      field: 'files',
      message: 'there is nothing to upload: files, archive and release-assets are all empty',
      fix: 'list the files to upload in files or archive (glob patterns, one per line), or set if-no-files-found to warn or ignore'
    })
  }
}

/**
 * Names with control characters are refused: a newline in a name would let it start a line of
 * the log, where the runner reads workflow commands (`::error ...`, `::stop-commands::`), and
 * Zenodo cannot show such a name either.
 */
function checkNames(uploads: LocalFile[], members: ArchiveMember[], problems: Problem[]): void {
  const fix =
    'rename the file without control characters (newline, carriage return, tab, escape), or exclude it with a "!" pattern'
  for (const u of uploads) {
    if (hasControlChars(u.name)) {
      problems.push(
        problem(fieldOf(u), `the file name "${logSafe(u.name)}" holds a control character`, fix)
      )
    }
  }
  for (const m of members) {
    if (hasControlChars(m.archivePath)) {
      problems.push(
        problem(
          'archive',
          `the archived path "${logSafe(m.archivePath)}" holds a control character`,
          fix
        )
      )
    }
  }
}

function checkArchiveName(name: string, problems: Problem[]): void {
  if (archiveFormat(name) === undefined) {
    problems.push(
      problem(
        'archive-name',
        `archive name "${name}" does not end in .zip, .tar.gz or .tgz`,
        'name the archive like "{repo}-{version}.zip" or "{repo}-{version}.tar.gz"'
      )
    )
  }
  if (name.includes('/') || name.includes('\\')) {
    problems.push(
      problem(
        'archive-name',
        `archive name "${name}" contains a path separator; Zenodo file names cannot hold "/"`,
        'use a plain file name such as "{repo}-{version}.zip"'
      )
    )
  }
}

function checkDuplicateArchivePaths(members: ArchiveMember[], problems: Problem[]): void {
  for (let i = 1; i < members.length; i++) {
    const a = members[i - 1]
    const b = members[i]
    if (a.archivePath === b.archivePath) {
      problems.push(
        problem(
          'archive',
          `"${logSafe(a.path)}" and "${logSafe(b.path)}" would both be stored as "${logSafe(a.archivePath)}" in the archive`,
          'narrow the archive patterns so each path inside the archive comes from one file'
        )
      )
    }
  }
}

function checkDuplicateNames(
  uploads: LocalFile[],
  archiveName: string | undefined,
  manifest: boolean,
  problems: Problem[]
): void {
  const seen = new Map<string, string>()
  if (archiveName !== undefined) {
    seen.set(archiveName, 'the archive')
    if (manifest) seen.set(MANIFEST_NAME, 'the manifest written beside the archive')
  }
  for (const u of uploads) {
    const first = seen.get(u.name)
    if (first === undefined) {
      seen.set(u.name, `"${logSafe(u.path)}"`)
      continue
    }
    const isGenerated = first.startsWith('the ')
    problems.push(
      problem(
        isGenerated && first === 'the archive' ? 'archive-name' : 'files',
        `two uploads would be named "${logSafe(u.name)}" on Zenodo: ${first} and "${logSafe(u.path)}"`,
        isGenerated
          ? `rename the file, exclude it from files with a "!" pattern, or change archive-name${first === 'the archive' ? '' : ' (or set manifest to false)'}`
          : 'upload only one of them (exclude the other with a "!" pattern), or put them in the archive instead'
      )
    )
  }
}

function checkCounts(count: number, opts: PlanOptions, problems: Problem[]): void {
  const max = opts.limits?.maxFiles ?? MAX_FILES
  if (count > max) {
    problems.push(
      problem(
        'files',
        `${String(count)} files would be uploaded (the archive and manifest included); Zenodo accepts at most ${String(max)} per record`,
        'move files into the archive input so they are packed into one file'
      )
    )
  }
}

function checkSizes(
  uploads: LocalFile[],
  members: ArchiveMember[],
  opts: PlanOptions,
  problems: Problem[]
): void {
  const max = opts.limits?.maxBytes ?? MAX_BYTES
  let tooBig = false
  for (const u of uploads) {
    if (u.size > max) {
      tooBig = true
      problems.push(
        problem(
          fieldOf(u),
          `"${logSafe(u.path)}" is ${formatBytes(u.size, { decimal: true })}; Zenodo accepts files up to ${formatBytes(max, { decimal: true })}`,
          'split the file or publish it elsewhere and link it from related_identifiers'
        )
      )
    }
  }
  // The archive's size is known only once it is compressed, and Zenodo judges the real size: an
  // estimate over the limit is a warning, never a refusal (a compressible tree fits).
  const archiveBytes = members.reduce((sum, m) => sum + m.size, 0)
  if (archiveBytes > max) {
    tooBig = true
    problems.push({
      ...problem(
        'archive',
        `the archived files add up to ${formatBytes(archiveBytes, { decimal: true })} before compression; the archive may exceed Zenodo's limit of ${formatBytes(max, { decimal: true })} per file, in which case Zenodo refuses its upload and the draft is discarded`,
        'archive fewer files, or split them between several releases'
      ),
      severity: 'warning'
    })
  }
  const uploadBytes = uploads.reduce((sum, u) => sum + u.size, 0)
  const total = uploadBytes + archiveBytes
  if (!tooBig && total > max) {
    problems.push({
      ...problem(
        'files',
        `the files to upload add up to ${formatBytes(total, { decimal: true })} (the archive counted as the sum of its files); Zenodo accepts up to ${formatBytes(max, { decimal: true })} per record`,
        'upload fewer or smaller files'
      ),
      // certain when the files alone are over the limit; an estimate when the archive makes it
      severity: uploadBytes > max ? 'error' : 'warning'
    })
  }
}

async function checkReadable(
  uploads: LocalFile[],
  members: ArchiveMember[],
  problems: Problem[]
): Promise<void> {
  const items: [InputName, string][] = [
    ...uploads.map((u): [InputName, string] => [fieldOf(u), u.path]),
    ...members.map((m): [InputName, string] => ['archive', m.path])
  ]
  await mapLimit(items, STAT_CONCURRENCY, async ([field, p]) => {
    try {
      await access(p, fsConstants.R_OK)
    } catch (err) {
      problems.push(
        problem(field, `cannot read "${logSafe(p)}": ${errorMessage(err)}`, readableFix)
      )
    }
  })
}

const readableFix = 'make the file readable by the user the action runs as, or exclude it'

function patternFix(input: 'files' | 'archive'): string {
  return `write ${input} as glob patterns, one per line, relative to the workspace or absolute, without "." or ".." segments after the start`
}

/** The input a file to upload came from. */
function fieldOf(u: LocalFile): InputName {
  return u.origin === 'archive' ? 'archive' : 'files'
}

function problem(field: InputName, message: string, fix: string): Problem {
  return { severity: 'error', file: 'action input', field, message, fix }
}

function errorMessage(err: unknown): string {
  return logSafe(err instanceof Error ? err.message : String(err))
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Map with at most `limit` calls in flight (p-limit), results in input order. */
async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>
): Promise<R[]> {
  const run = pLimit(limit)
  return Promise.all(items.map(item => run(() => fn(item))))
}
