/**
 * Builds the release archive (zip, or gzipped tar) with archiver, in one pass: each member is
 * opened once and its bytes go through a HashingStream (md5 and sha256, for manifest.json) on
 * their way into the archive, and the archive itself goes through another HashingStream on its
 * way to disk, so neither the members nor the archive are read a second time. Members are
 * appended one at a time (one open file, no streams piling up). Peak memory still grows with
 * the number of zip members, from garbage inside archiver's zip writer: see BENCHMARKS.md, 3.
 */
import { createHash } from 'node:crypto'
import {
  close as closeCallback,
  createReadStream,
  createWriteStream,
  fstat as fstatCallback,
  open as openCallback,
  read as readCallback,
  type Stats,
  type WriteStream
} from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import { once } from 'node:events'
import path from 'node:path'
import { Duplex } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as core from '@actions/core'
import { TarArchive, ZipArchive, type Archiver } from 'archiver'
import { ActionError } from '../errors.js'
import { logSafe } from '../format.js'
import { MANIFEST_NAME, archiveFormat, type ArchiveMember, type LocalFile } from '../files/plan.js'
import { HashingStream, type Digest } from '../files/hash.js'
import { ManifestWriter } from './manifest.js'

/**
 * A file to archive: read from `path`, or, when `content` is given, those bytes instead
 * (archived with mode 0644 and the build time; the manifest describes these bytes).
 */
export interface ArchiveEntry extends ArchiveMember {
  content?: Buffer
}

export type { Manifest, ManifestEntry, ManifestInfo } from './manifest.js'
import type { ManifestInfo } from './manifest.js'

/** The archive on disk, its md5, and the manifest written beside it. */
export interface BuiltArchive {
  file: LocalFile
  md5: string
  /** manifest.json (the same as the archive's), written to outDir to upload beside the archive. */
  manifestFile?: LocalFile
}

/** Options of buildArchive. */
export interface BuildOptions {
  members: ArchiveEntry[]
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

/** Output is written in chunks of up to this size, and big members are read in chunks of 1 MiB. */
const OUTPUT_BUFFER_BYTES = 4 * 1024 * 1024
const READ_CHUNK_BYTES = 1024 * 1024
/** How often progress is logged with core.info, at most. */
const PROGRESS_INTERVAL_MS = 5000
/** Archives at least this big also get a progress line at every 10%. */
const LARGE_ARCHIVE_BYTES = 100 * 1000 ** 2
const openFd = promisify(openCallback)
const fstatFd = promisify(fstatCallback)
const closeFd = promisify(closeCallback)
const readFd = promisify(readCallback)
/**
 * Members up to this size are read whole (one read) and handed to archiver as a Buffer; bigger
 * ones are streamed. Per-member streams (read stream, hashing stream, archiver's entry stream)
 * live just long enough to be promoted out of V8's young generation: with 20,000 small files
 * that garbage piled up to well over 100 MB between two full collections.
 */
const SMALL_FILE_BYTES = READ_CHUNK_BYTES
/** Mode and time of an archive member given as in-memory `content`. */
const CONTENT_MODE = 0o644

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
  const manifestPath = path.join(opts.outDir, MANIFEST_NAME)
  const progress = new Progress(members)
  const timer = setInterval(() => {
    progress.tick()
  }, 1000)
  timer.unref()
  try {
    const { digest, manifestBytes } = await writeArchive(
      format,
      members,
      level,
      opts.manifest && new ManifestWriter(manifestPath, opts.manifest),
      outPath,
      progress
    )
    const file: LocalFile = { path: outPath, name: opts.name, size: digest.size, origin: 'archive' }
    core.info(
      `Archive ${logSafe(opts.name)}: ${String(members.length)} files, ${String(digest.size)} bytes, md5 ${digest.md5}`
    )
    if (manifestBytes === undefined) return { file, md5: digest.md5 }
    const manifestFile: LocalFile = {
      path: manifestPath,
      name: MANIFEST_NAME,
      size: manifestBytes,
      origin: 'manifest'
    }
    return { file, md5: digest.md5, manifestFile }
  } catch (err) {
    // Remove the partial archive and manifest; never let the clean-up hide the error.
    await rm(outPath, { force: true }).catch(() => undefined)
    if (opts.manifest) await rm(manifestPath, { force: true }).catch(() => undefined)
    if (err instanceof ActionError) throw err
    throw new ActionError(`Building the archive ${opts.name} failed: ${messageOf(err)}`)
  } finally {
    clearInterval(timer)
  }
}

interface Written {
  digest: Digest
  /** Size of manifest.json, when one was written. */
  manifestBytes?: number
}

/**
 * Write the archive: archiver's zip or gzipped tar, piped through a HashingStream to the
 * file, so the archive's md5 is known when it is closed. archiver switches the zip to ZIP64
 * by itself (more than 65,535 entries, or sizes and offsets past 4 GiB), stores members whose
 * names are not ASCII with the UTF-8 flag (general purpose bit 11), and keeps each member's
 * unix mode and mtime from the stats given with it.
 */
async function writeArchive(
  format: 'zip' | 'tar.gz',
  members: ArchiveEntry[],
  level: number,
  manifest: ManifestWriter | undefined,
  outPath: string,
  progress: Progress
): Promise<Written> {
  const archive: Archiver =
    format === 'zip'
      ? new ZipArchive({ zlib: { level }, highWaterMark: OUTPUT_BUFFER_BYTES })
      : new TarArchive({ gzip: true, gzipOptions: { level }, highWaterMark: OUTPUT_BUFFER_BYTES })
  const blocks = new BlockStream(OUTPUT_BUFFER_BYTES)
  const sink = new HashingStream({ highWaterMark: OUTPUT_BUFFER_BYTES })
  const out = createWriteStream(outPath, { highWaterMark: OUTPUT_BUFFER_BYTES })
  const written = pipeline(archive, blocks, sink, out)
  // An output error (disk full...) ends every wait at once, whatever archiver is doing.
  const output = new Tripwire()
  written.catch((err: unknown) => {
    output.trip(err)
  })
  try {
    for (const [i, member] of members.entries()) {
      // The next member only once the blocks written so far have gone on towards the file.
      await output.guard(blocks.belowMark())
      const digest = await appendMember(archive, member, format, level, output)
      await manifest?.add({
        path: member.archivePath,
        size: digest.size,
        md5: digest.md5,
        sha256: digest.sha256 ?? ''
      })
      core.debug(`Archived ${member.path} as ${member.archivePath}`)
      progress.entryDone(i)
    }
    const manifestBytes = await manifest?.finish()
    if (manifest) {
      // Read back from disk: the manifest of many files is never one text in memory.
      const added = once(archive, 'entry')
      added.catch(() => undefined)
      // With its stats (the size), tar streams it too instead of collecting it whole.
      archive.append(createReadStream(manifest.path), {
        name: MANIFEST_NAME,
        mode: CONTENT_MODE,
        date: new Date(),
        stats: await stat(manifest.path)
      })
      await output.guard(added)
    }
    await output.guard(archive.finalize())
    await written
    await closed(out)
    return { digest: sink.digest(), ...(manifestBytes === undefined ? {} : { manifestBytes }) }
  } catch (err) {
    await manifest?.abort()
    archive.abort()
    archive.destroy()
    sink.destroy()
    out.destroy()
    await closed(out)
    throw new ActionError(
      `Building the archive ${path.basename(outPath)} failed: ${messageOf(err)}`,
      { cause: err }
    )
  }
}

/**
 * Append one member and wait until archiver has taken all of it: its bytes from memory, or
 * from its file opened once (stat and read through the same descriptor): a small file read
 * whole and hashed, a bigger one streamed through a HashingStream into the archive. Resolves
 * with the digest of the archived bytes.
 */
async function appendMember(
  archive: Archiver,
  member: ArchiveEntry,
  format: 'zip' | 'tar.gz',
  level: number,
  output: Tripwire
): Promise<Digest> {
  const name = member.archivePath
  const store = format === 'zip' && level > 0 && isAlreadyCompressed(name) ? { store: true } : {}
  const added = once(archive, 'entry')
  // Awaited below unless something fails first; never an unhandled rejection.
  added.catch(() => undefined)
  if (member.content !== undefined) {
    archive.append(member.content, { name, mode: CONTENT_MODE, date: new Date(), ...store })
    await output.guard(added)
    return digestOf(member.content)
  }
  // A plain descriptor, not a FileHandle: a FileHandle is only collected by a full GC, and
  // with it everything its listeners reach (the streams of the member), so 20,000 of them
  // would pile up in the old generation between two full collections.
  let stats: Stats
  let fd: number
  try {
    fd = await openFd(member.path, 'r')
  } catch (err) {
    throw new Error(`cannot read "${member.path}": ${messageOf(err)}`, { cause: err })
  }
  try {
    stats = await fstatFd(fd)
    if (!stats.isFile()) throw new Error(`cannot read "${member.path}": not a regular file`)
  } catch (err) {
    await closeFd(fd)
    throw err
  }
  const size = stats.size
  if (size <= SMALL_FILE_BYTES) {
    const bytes = Buffer.allocUnsafe(size)
    let got = 0
    try {
      while (got < size) {
        const { bytesRead: n } = await readFd(fd, bytes, got, size - got, got)
        if (n === 0) break
        got += n
      }
    } catch (err) {
      throw new Error(`cannot read "${member.path}": ${messageOf(err)}`, { cause: err })
    } finally {
      await closeFd(fd)
    }
    const content = bytes.subarray(0, got)
    archive.append(content, { name, stats, ...store })
    await output.guard(added)
    return digestOf(content)
  }
  // Never more than the size in the stats (a tar header says it before the bytes come).
  const source = createReadStream('', {
    fd,
    highWaterMark: Math.max(1, Math.min(size, READ_CHUNK_BYTES)),
    ...(size > 0 ? { start: 0, end: size - 1 } : {})
  })
  const hasher = new HashingStream({ sha256: true })
  const read = pipeline(source, hasher)
  const input = new Tripwire()
  read.catch((err: unknown) => {
    input.trip(new Error(`cannot read "${member.path}": ${messageOf(err)}`, { cause: err }))
  })
  archive.append(hasher, { name, stats, ...store })
  await input.guard(output.guard(added))
  await input.guard(read)
  return hasher.digest()
}

/**
 * Ends waits early when a stream fails. Unlike a race against a promise that stays pending,
 * it keeps nothing of a finished wait (one pending race per member would hold every member's
 * result until the end).
 */
class Tripwire {
  private failure: { error: unknown } | undefined
  private readonly waiting = new Set<(err: unknown) => void>()

  trip(error: unknown): void {
    this.failure ??= { error }
    for (const reject of this.waiting) reject(error)
    this.waiting.clear()
  }

  /** Resolves or rejects as `work` does, or rejects at once when (or if already) tripped. */
  async guard<T>(work: Promise<T>): Promise<T> {
    if (this.failure) throw this.failure.error
    let reject: ((err: unknown) => void) | undefined
    try {
      return await new Promise<T>((resolve, rej) => {
        reject = rej
        this.waiting.add(rej)
        work.then(resolve, rej)
      })
    } finally {
      if (reject) this.waiting.delete(reject)
    }
  }
}

/** Chunks smaller than this are copied into blocks of BLOCK_BYTES; bigger ones pass as they are. */
const COPY_BELOW_BYTES = 8 * 1024
const BLOCK_BYTES = 64 * 1024

/**
 * Between archiver and the file: copies small chunks into blocks of 64 KiB. archiver's zip
 * writer (compress-commons, ZipArchiveOutputStream) writes every header field as its own tiny
 * Buffer (about 10 per local header, 4 per data descriptor) and, at finalize (_finish), the
 * whole central directory in one synchronous loop of about 15 writes per member. Those writes
 * flow synchronously through archiver into this stream; buffered as they are (in the file
 * stream, or anywhere upstream that had said "wait"), 20,000 members left some 340,000 small
 * Buffers queued at once, over 100 MB. Here each is copied and dropped at once, so what is
 * queued is the bytes themselves, in blocks.
 *
 * A small chunk is always taken at once (the write callback is never deferred for it), so no
 * stream upstream ever starts queueing the burst; what bounds the blocks held here is the
 * caller waiting for belowMark() before it appends each member. Bigger chunks (member data)
 * wait for the reader as in any stream.
 */
class BlockStream extends Duplex {
  private block: Buffer | undefined
  private used = 0
  private waitingWrite: (() => void) | undefined
  private readonly waitingMark = new Set<() => void>()

  constructor(private readonly mark: number) {
    super({ readableHighWaterMark: mark, writableHighWaterMark: mark })
  }

  /** Resolves once fewer than `mark` bytes wait here to be read. */
  async belowMark(): Promise<void> {
    if (this.readableLength < this.mark) return
    await new Promise<void>(resolve => this.waitingMark.add(resolve))
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void
  ): void {
    if (chunk.length < COPY_BELOW_BYTES) {
      if (this.block && this.used + chunk.length > this.block.length) this.pushBlock()
      this.block ??= Buffer.allocUnsafe(BLOCK_BYTES)
      chunk.copy(this.block, this.used)
      this.used += chunk.length
      callback()
      return
    }
    this.pushBlock()
    if (this.push(chunk)) callback()
    else this.waitingWrite = callback
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.pushBlock()
    this.push(null)
    callback()
  }

  override _read(): void {
    const write = this.waitingWrite
    this.waitingWrite = undefined
    write?.()
    if (this.readableLength < this.mark) {
      for (const resolve of this.waitingMark) resolve()
      this.waitingMark.clear()
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Whoever waits is released; the pipeline's error ends the build.
    for (const resolve of this.waitingMark) resolve()
    this.waitingMark.clear()
    callback(error)
  }

  private pushBlock(): void {
    if (!this.block || this.used === 0) return
    // The block is handed on whole and never written again; the next one is new.
    this.push(this.block.subarray(0, this.used))
    this.block = undefined
    this.used = 0
  }
}

function digestOf(bytes: Buffer): Digest {
  return {
    size: bytes.length,
    md5: createHash('md5').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex')
  }
}

/** Resolves once a file stream has closed its descriptor. */
async function closed(out: WriteStream): Promise<void> {
  if (out.closed) return
  await new Promise<void>(resolve =>
    out.once('close', () => {
      resolve()
    })
  )
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

  constructor(private readonly members: ArchiveEntry[]) {
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
      `Archiving: ${String(this.processed)}/${String(this.members.length)} files, ${String(pct)}% of ${String(this.totalBytes)} bytes`
    )
  }
}
