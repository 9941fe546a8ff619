/**
 * Builds the release archive (zip, or gzipped tar) in one pass: each member is read once,
 * hashed (md5 and sha256) on its way into the archive, and the archive itself is hashed
 * while it is written, so neither the members nor the archive are read a second time.
 * The writers are zip.ts and tar.ts: archiver spends ~0.5 ms per entry in stream plumbing,
 * which made 20,000 small files take 5x as long as `zip -r`.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
import { MANIFEST_NAME, archiveFormat, type ArchiveMember, type LocalFile } from '../files/plan.js'
import { HashingStream, type Digest } from '../files/hash.js'
import { TarWriter } from './tar.js'
import { ZLIB_CHUNK_BYTES, ZipWriter } from './zip.js'

/** Where the archived files come from, recorded in the manifest. */
export interface ManifestInfo {
  /** owner/repo */
  repository: string
  tag: string
  commit: string
}

/** One archived file as listed in manifest.json. */
export interface ManifestEntry {
  path: string
  size: number
  md5: string
  sha256: string
}

/** manifest.json: what the archive holds and where it comes from. */
export interface Manifest {
  repository: string
  tag: string
  commit: string
  /** ISO 8601 time the archive was built. */
  created: string
  files: ManifestEntry[]
}

/** The archive on disk, its md5, and the manifest written beside it. */
export interface BuiltArchive {
  file: LocalFile
  md5: string
  manifest?: Manifest
  /** manifest.json written to outDir, to upload beside the archive. */
  manifestFile?: LocalFile
}

/** Options of buildArchive. */
export interface BuildOptions {
  members: ArchiveMember[]
  /** File name of the archive; .zip, .tar.gz or .tgz decides the format. */
  name: string
  /** Directory the archive and manifest.json are written to (not one the members live in). */
  outDir: string
  /** When given, manifest.json is added at the archive root and written beside the archive. */
  manifest?: ManifestInfo
  /** zlib level 0-9, default 6 (the default of `zip` and `gzip`). */
  compressionLevel?: number
}

/** Default compression level, the same as `zip -6` and `gzip -6`. */
export const DEFAULT_COMPRESSION_LEVEL = 6

/**
 * Extensions of files that are already compressed: deflating them again costs time and
 * saves (almost) nothing, so they are STORED in a zip. PDFs are included: their streams
 * are nearly always Flate/DCT-compressed already.
 */
export const ALREADY_COMPRESSED = new Set([
  // archives and compressed streams
  'zip',
  'gz',
  'tgz',
  'bz2',
  'tbz',
  'tbz2',
  'xz',
  'txz',
  'zst',
  'tzst',
  'lz',
  'lz4',
  'lzma',
  'lzo',
  'br',
  '7z',
  'rar',
  'cab',
  'z',
  // packages that are zip or compressed files
  'whl',
  'egg',
  'jar',
  'war',
  'ear',
  'aar',
  'apk',
  'aab',
  'ipa',
  'nupkg',
  'snupkg',
  'gem',
  'crate',
  'deb',
  'rpm',
  'dmg',
  'snap',
  'vsix',
  'xpi',
  'crx',
  'appimage',
  'msi',
  'msix',
  // office and ebook formats (zip containers)
  'docx',
  'xlsx',
  'pptx',
  'odt',
  'ods',
  'odp',
  'odg',
  'epub',
  'pdf',
  // images
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'avif',
  'heic',
  'heif',
  'jxl',
  'jp2',
  // audio and video
  'mp3',
  'mp4',
  'm4a',
  'm4v',
  'aac',
  'ogg',
  'oga',
  'ogv',
  'opus',
  'flac',
  'webm',
  'mkv',
  'mov',
  'avi',
  'wmv',
  'wma',
  // fonts and other compressed data
  'woff',
  'woff2',
  'npz',
  'h5ad',
  'parquet',
  'zarr'
])

/** Output is written in chunks of up to this size. */
const OUTPUT_BUFFER_BYTES = 4 * 1024 * 1024
/** How often progress is logged with core.info, at most. */
const PROGRESS_INTERVAL_MS = 5000
/** Archives at least this big also get a progress line at every 10%. */
const LARGE_ARCHIVE_BYTES = 100 * 1000 ** 2

/** True when the file name says its content is already compressed (so it is stored). */
export function isAlreadyCompressed(fileName: string): boolean {
  const base = path.posix.basename(fileName).toLowerCase()
  const dot = base.lastIndexOf('.')
  return dot > 0 && ALREADY_COMPRESSED.has(base.slice(dot + 1))
}

/**
 * Stream every member, hashing it on the way in (md5, sha256), into a zip (or a gzipped
 * tar for .tar.gz/.tgz), append manifest.json at the archive root when `manifest` is given
 * (each member's path, size, md5 and sha256), and write the archive to outDir/<name>
 * through a HashingStream so its md5 is known when it is closed. The same manifest.json is
 * written to outDir for upload beside the archive. Members are archived sorted by
 * archivePath; already-compressed members are stored in a zip. Resolves after the archive
 * file is flushed and closed; rejects with an ActionError naming the file that failed (the
 * partial archive is removed).
 */
export async function buildArchive(opts: BuildOptions): Promise<BuiltArchive> {
  const format = archiveFormat(opts.name)
  if (format === undefined || opts.name.includes('/') || opts.name.includes('\\')) {
    throw new ActionError(
      `Archive name "${opts.name}" must be a plain file name ending in .zip, .tar.gz or .tgz.`
    )
  }
  const members = [...opts.members].sort((a, b) =>
    a.archivePath < b.archivePath ? -1 : a.archivePath > b.archivePath ? 1 : 0
  )
  if (opts.manifest && members.some(m => m.archivePath === MANIFEST_NAME)) {
    throw new ActionError(
      `The archive would hold two ${MANIFEST_NAME} files: one of the archived files and the manifest. Rename that file or set manifest to false.`
    )
  }
  const level = opts.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL
  await mkdir(opts.outDir, { recursive: true })
  const outPath = path.join(opts.outDir, opts.name)
  const progress = new Progress(members)
  const timer = setInterval(() => {
    progress.tick()
  }, 1000)
  timer.unref()
  try {
    const { digest, manifest } = await writeArchive(
      format,
      members,
      level,
      opts.manifest,
      outPath,
      progress
    )
    const file: LocalFile = { path: outPath, name: opts.name, size: digest.size, origin: 'archive' }
    core.info(
      `Archive ${opts.name}: ${members.length} files, ${digest.size} bytes, md5 ${digest.md5}`
    )
    if (!manifest) return { file, md5: digest.md5 }
    const manifestPath = path.join(opts.outDir, MANIFEST_NAME)
    const text = manifestText(manifest)
    await writeFile(manifestPath, text)
    const manifestFile: LocalFile = {
      path: manifestPath,
      name: MANIFEST_NAME,
      size: Buffer.byteLength(text),
      origin: 'manifest'
    }
    return { file, md5: digest.md5, manifest, manifestFile }
  } catch (err) {
    // Remove the partial archive; never let the clean-up hide the error.
    await rm(outPath, { force: true }).catch(() => undefined)
    if (err instanceof ActionError) throw err
    throw new ActionError(`Building the archive ${opts.name} failed: ${messageOf(err)}`)
  } finally {
    clearInterval(timer)
  }
}

interface Written {
  digest: Digest
  manifest?: Manifest
}

/**
 * Write the archive: ZipWriter straight into the output, or TarWriter through gzip. The
 * output goes through a HashingStream, so the archive's md5 is known when it is closed.
 */
async function writeArchive(
  format: 'zip' | 'tar.gz',
  members: ArchiveMember[],
  level: number,
  info: ManifestInfo | undefined,
  outPath: string,
  progress: Progress
): Promise<Written> {
  const sink = new HashingStream({ highWaterMark: OUTPUT_BUFFER_BYTES })
  const out = createWriteStream(outPath, { highWaterMark: OUTPUT_BUFFER_BYTES })
  const gzip =
    format === 'tar.gz' ? zlib.createGzip({ level, chunkSize: ZLIB_CHUNK_BYTES }) : undefined
  const written = gzip ? pipeline(gzip, sink, out) : pipeline(sink, out)
  // An output error (disk full...) ends the wait at once, whatever the writer is doing.
  const outputFailed = written.then(() => new Promise<never>(() => undefined))
  const work = (async (): Promise<Manifest | undefined> => {
    const writer = gzip ? new TarWriter(gzip) : new ZipWriter(sink, level)
    const sources = members.map(m => ({
      path: m.path,
      name: m.archivePath,
      store: isAlreadyCompressed(m.archivePath)
    }))
    const digests = await writer.addFiles(sources, i => {
      core.debug(`Archived ${members[i].path} as ${members[i].archivePath}`)
      progress.entryDone(i)
    })
    const manifest = info ? makeManifest(info, members, digests) : undefined
    if (manifest) await writer.addBuffer(MANIFEST_NAME, Buffer.from(manifestText(manifest)))
    await writer.finish()
    return manifest
  })()
  work.catch(() => undefined)
  try {
    const manifest = await Promise.race([work, outputFailed])
    await written
    await closed(out)
    return { digest: sink.digest(), manifest }
  } catch (err) {
    gzip?.destroy()
    sink.destroy()
    out.destroy()
    await closed(out)
    throw new ActionError(
      `Building the archive ${path.basename(outPath)} failed: ${messageOf(err)}`,
      { cause: err }
    )
  }
}

/** Resolves once a file stream has closed its descriptor. */
async function closed(out: WriteStream): Promise<void> {
  if (out.closed) return
  await new Promise<void>(resolve => out.once('close', () => resolve()))
}

function makeManifest(info: ManifestInfo, members: ArchiveMember[], digests: Digest[]): Manifest {
  return {
    repository: info.repository,
    tag: info.tag,
    commit: info.commit,
    created: new Date().toISOString(),
    files: members.map((m, i) => ({
      path: m.archivePath,
      size: digests[i].size,
      md5: digests[i].md5,
      sha256: digests[i].sha256 ?? ''
    }))
  }
}

function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Progress lines: at most every ~5 s, plus every 10% of a large archive. Per-file lines are debug. */
class Progress {
  private processed = 0
  private doneBytes = 0
  private lastLog = Date.now()
  private nextMilestone = 10
  private readonly totalBytes: number

  constructor(private readonly members: ArchiveMember[]) {
    this.totalBytes = members.reduce((sum, m) => sum + m.size, 0)
  }

  /** Member `index` is in the archive. */
  entryDone(index: number): void {
    if (index >= this.members.length) return
    this.processed = index + 1
    this.doneBytes += this.members[index].size
    if (this.totalBytes < LARGE_ARCHIVE_BYTES) return
    const pct = (100 * this.doneBytes) / this.totalBytes
    if (pct < this.nextMilestone) return
    this.nextMilestone = Math.floor(pct / 10) * 10 + 10
    this.log()
  }

  /** Called every second; logs when the last line is ~5 s old. */
  tick(): void {
    if (Date.now() - this.lastLog >= PROGRESS_INTERVAL_MS) this.log()
  }

  private log(): void {
    this.lastLog = Date.now()
    const pct = this.totalBytes > 0 ? Math.floor((100 * this.doneBytes) / this.totalBytes) : 100
    core.info(
      `Archiving: ${this.processed}/${this.members.length} files, ${pct}% of ${this.totalBytes} bytes`
    )
  }
}
