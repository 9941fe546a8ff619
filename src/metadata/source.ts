/**
 * Finding and reading the metadata file the way Zenodo's GitHub integration does: .zenodo.json
 * wins, and CITATION.cff is only read when there is no .zenodo.json.
 */
import { open, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Problem } from '../errors.js'
import { formatBytes } from '../format.js'
import { parseCitationCff } from './cff.js'
import type { Positions } from './json-syntax.js'
import type { MetadataHints, ZenodoMetadata } from './types.js'
import { parseZenodoJson } from './zenodo-json.js'

/** The metadata file that was read. */
export interface MetadataSource {
  /** Name for messages, e.g. '.zenodo.json' */
  file: string
  path: string
  kind: 'zenodo-json' | 'cff'
  metadata: ZenodoMetadata
  hints: MetadataHints
  /**
   * Where fields sit in the file, when known: path in the file's own terms -> line and column
   * (.zenodo.json: "creators[2].orcid"; CITATION.cff: "authors[2].orcid").
   */
  positions?: Positions
  /**
   * The file could not be read as metadata (a syntax error after which the rest may be misread,
   * or not metadata at all): `metadata` is empty, and no warning may assume the file lacks a
   * field it may well have.
   */
  unreadable?: boolean
}

/**
 * The largest metadata file read (1 MiB). Real .zenodo.json and CITATION.cff files are a few
 * kilobytes (the largest in our corpus of 200 is under 100 KB); a larger one is refused before
 * it is read, so that memory and log output stay small.
 */
export const MAX_METADATA_FILE_BYTES = 1024 * 1024

/** The default of the metadata-file input. */
export const DEFAULT_METADATA_FILE = '.zenodo.json'

/** The citation file Zenodo falls back to. */
export const CITATION_FILE = 'CITATION.cff'

async function isFile(filePath: string): Promise<boolean | 'directory'> {
  try {
    const info = await stat(filePath)
    return info.isDirectory() ? 'directory' : info.isFile()
  } catch {
    return false
  }
}

/**
 * Read at most `limit` bytes of a file: its bytes, or undefined (with its size) when it is
 * larger. Never holds more than limit + 1 bytes, even if the file grows while it is read.
 */
async function readBounded(
  filePath: string,
  limit: number
): Promise<{ size: number; bytes?: Buffer }> {
  const handle = await open(filePath, 'r')
  try {
    const size = (await handle.stat()).size
    if (size > limit) return { size }
    const buffer = Buffer.alloc(limit + 1)
    let filled = 0
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    if (filled > limit) return { size: filled }
    return { size: filled, bytes: buffer.subarray(0, filled) }
  } finally {
    await handle.close()
  }
}

/** "1 MiB (1048577 bytes)": the shared byte formatter, with the exact count beside it. */
function sizeText(bytes: number): string {
  return bytes >= 1024 ? `${formatBytes(bytes)} (${String(bytes)} bytes)` : `${String(bytes)} bytes`
}

/** A source for a file that failed with an error: no metadata, marked unreadable. */
function unreadableSource(
  file: string,
  filePath: string,
  kind: MetadataSource['kind'],
  problems: Problem[]
): MetadataSource | undefined {
  if (!problems.some(p => p.severity === 'error')) return undefined
  return { file, path: filePath, kind, metadata: {}, hints: {}, unreadable: true }
}

async function readSource(
  filePath: string,
  file: string,
  kind: MetadataSource['kind']
): Promise<{ source?: MetadataSource; problems: Problem[] }> {
  let text: string
  try {
    const { size, bytes } = await readBounded(filePath, MAX_METADATA_FILE_BYTES)
    if (bytes === undefined) {
      return {
        problems: [
          {
            severity: 'error',
            file,
            field: '(file)',
            message: `is ${sizeText(size)}, larger than the ${sizeText(MAX_METADATA_FILE_BYTES)} a metadata file may have, so it is not read`,
            fix: 'keep only the metadata in the file (a few kilobytes); long texts belong in the release notes or in files of the release'
          }
        ]
      }
    }
    text = bytes.toString('utf8')
  } catch (error) {
    return {
      problems: [
        {
          severity: 'error',
          file,
          field: '(file)',
          message: `cannot be read: ${(error as Error).message}`,
          fix: 'check that the file is a readable regular file in the repository'
        }
      ]
    }
  }
  if (kind === 'cff') {
    const parsed: ReturnType<typeof parseCitationCff> & { positions?: Positions } =
      parseCitationCff(text, file)
    const source = parsed.metadata
      ? {
          file,
          path: filePath,
          kind,
          metadata: parsed.metadata,
          hints: parsed.hints,
          positions: parsed.positions
        }
      : unreadableSource(file, filePath, kind, parsed.problems)
    return { source, problems: parsed.problems }
  }
  const parsed = parseZenodoJson(text, file)
  const source = parsed.metadata
    ? {
        file,
        path: filePath,
        kind,
        metadata: parsed.metadata,
        hints: {},
        positions: parsed.positions
      }
    : unreadableSource(file, filePath, kind, parsed.problems)
  return { source, problems: parsed.problems }
}

/**
 * Read the metadata file: `metadataFile` (relative to the workspace) when it exists, parsed as
 * CITATION.cff when its name ends in .cff and as .zenodo.json otherwise; else CITATION.cff in the
 * workspace root; else no source. A metadata-file input naming a missing file other than the
 * default is an error.
 */
export async function readMetadataSource(
  workspace: string,
  metadataFile: string = DEFAULT_METADATA_FILE
): Promise<{ source?: MetadataSource; problems: Problem[] }> {
  const requested = metadataFile.trim() === '' ? DEFAULT_METADATA_FILE : metadataFile.trim()
  const requestedPath = path.resolve(workspace, requested)
  const inside = path.relative(path.resolve(workspace), requestedPath)
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    return {
      problems: [
        {
          severity: 'error',
          file: requested,
          field: 'metadata-file',
          message: 'is outside the repository',
          fix: 'give a path relative to the repository root, e.g. ".zenodo.json" or "docs/CITATION.cff"'
        }
      ]
    }
  }
  const kind = requested.toLowerCase().endsWith('.cff') ? 'cff' : 'zenodo-json'
  const found = await isFile(requestedPath)
  if (found === 'directory') {
    return {
      problems: [
        {
          severity: 'error',
          file: requested,
          field: 'metadata-file',
          message: 'is a directory, not a file',
          fix: 'set the metadata-file input to the path of a .zenodo.json or CITATION.cff file'
        }
      ]
    }
  }
  if (found) return readSource(requestedPath, requested, kind)
  if (path.normalize(requested) !== DEFAULT_METADATA_FILE) {
    return {
      problems: [
        {
          severity: 'error',
          file: requested,
          field: 'metadata-file',
          message: `the metadata-file input names "${requested}", which does not exist in the repository`,
          fix: `commit "${requested}", correct the path (it is relative to the repository root), or remove the metadata-file input to use ${DEFAULT_METADATA_FILE} or ${CITATION_FILE}`
        }
      ]
    }
  }
  const citationPath = path.join(workspace, CITATION_FILE)
  if ((await isFile(citationPath)) === true) return readSource(citationPath, CITATION_FILE, 'cff')
  return { problems: [] }
}
