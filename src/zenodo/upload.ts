/**
 * Streaming uploads to a deposition's bucket: one read of the file per attempt, hashed on its
 * way out, and Zenodo's checksum compared with ours before the file counts as uploaded.
 */
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream'
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
import { HashingStream } from '../files/hash.js'
import type { HttpClient } from '../http.js'
import { formatBytes, logSafe } from '../format.js'
import { openRegularFile } from '../files/open.js'

/** One uploaded file. */
export interface UploadResult {
  name: string
  size: number
  /** Computed locally while sending. */
  md5: string
  /** Zenodo's, bare hex. */
  checksum: string
}

/** Files smaller than this are uploaded without progress lines. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024
const PROGRESS_STEP = 0.1
const PROGRESS_INTERVAL_MS = 10_000
/** Read size: larger reads cost less CPU per byte than the default 64 KiB (BENCHMARKS.md, goal 1). */
const READ_CHUNK_BYTES = 1024 * 1024
/** Bytes buffered between the file and the socket, so reading ahead overlaps sending. */
const PIPE_BUFFER_BYTES = 1024 * 1024
/** Uploads of a file whose checksum Zenodo reports differently (the second mismatch fails). */
const CHECKSUM_ROUNDS = 2

/**
 * PUT <bucketUrl>/<encodeURIComponent(name)> with Content-Type application/octet-stream and
 * Content-Length, streaming from disk through a hashing pass-through: the md5 is computed as the
 * bytes go out, with no second read. Safe to retry: each attempt re-opens the file and re-hashes.
 * Zenodo's answered checksum ("md5:<hex>") must equal ours: a mismatch is uploaded once more,
 * then fails naming the file and both md5s. opts.expectedMd5 (computed earlier by the caller)
 * must equal the md5 of the bytes sent, else the file changed on disk in between.
 */
export async function uploadFile(
  http: HttpClient,
  bucketUrl: string,
  file: { path: string; name: string; size: number },
  opts: { expectedMd5?: string } = {}
): Promise<UploadResult> {
  const url = `${bucketUrl.replace(/\/+$/, '')}/${encodeURIComponent(file.name)}`
  for (let round = 1; ; round++) {
    const { md5, size, checksum } = await sendOnce(http, url, file)
    const expected = opts.expectedMd5?.toLowerCase()
    if (expected && expected !== md5) {
      throw new ActionError(
        `${logSafe(file.name)} changed while it was being uploaded: its md5 was ${expected} before and ${md5} while sending. Make sure nothing writes to ${logSafe(file.path)} during the action.`
      )
    }
    if (checksum === md5) {
      core.info(`Uploaded ${logSafe(file.name)} (${formatBytes(size)}, md5 ${md5}).`)
      return { name: file.name, size, md5, checksum }
    }
    const what =
      checksum === undefined
        ? `Zenodo answered the upload of ${logSafe(file.name)} without a checksum`
        : `Zenodo's checksum of ${logSafe(file.name)} (md5 ${logSafe(checksum)}) differs from the md5 of the bytes sent (${md5})`
    if (round >= CHECKSUM_ROUNDS) {
      throw new ActionError(
        `${what}, ${round} times. The file on Zenodo is damaged; delete it from the draft and run the action again.`
      )
    }
    core.warning(`${what}; uploading it again.`)
  }
}

/** One upload (with HttpClient's retries): the local digest and Zenodo's checksum. */
async function sendOnce(
  http: HttpClient,
  url: string,
  file: { path: string; name: string; size: number }
): Promise<{ md5: string; size: number; checksum?: string }> {
  let hasher: HashingStream | undefined
  let length = file.size
  const progress = new Progress(file.name)
  const res = await http.putStream(
    url,
    () => {
      // Opened without blocking and checked on the open descriptor: a regular file of exactly
      // the planned size (a file truncated, grown or swapped for a FIFO since planning fails
      // here, before a byte is sent).
      const opened = openRegularFile(file.path, file.name, file.size)
      length = opened.size
      hasher = new HashingStream({ highWaterMark: PIPE_BUFFER_BYTES })
      progress.start(length)
      // Never more than `length` bytes (the Content-Length), even if the file grows meanwhile.
      const source = createReadStream('', {
        fd: opened.fd,
        highWaterMark: READ_CHUNK_BYTES,
        ...(length > 0 ? { end: length - 1 } : {})
      })
      return { body: pipeline(source, hasher, () => undefined), length }
    },
    {
      onProgress: sent => {
        progress.update(sent)
      }
    }
  )
  if (!hasher) throw new ActionError(`The upload of ${logSafe(file.name)} never opened the file.`)
  // Zenodo answered after receiving Content-Length bytes, all of which went through the hasher
  // first; the read stream's end (and the hasher's flush) may still be queued behind that.
  if (hasher.bytesSoFar !== length || length !== file.size) {
    throw new ActionError(
      `${logSafe(file.name)} changed while it was being uploaded: ${String(file.size)} bytes planned, ${String(hasher.bytesSoFar)} read.`
    )
  }
  const digest = hasher.digestOf(length)
  return { md5: digest.md5, size: digest.size, checksum: parseChecksum(res.body) }
}

/** "md5:<hex>" (or bare hex) from the bucket PUT's answer. */
function parseChecksum(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const value = (body as { checksum?: unknown }).checksum
  if (typeof value !== 'string') return undefined
  return value.replace(/^md5:/i, '').toLowerCase()
}

/** Progress lines for large files: at most one per 10% or per 10 s, never one per chunk. */
class Progress {
  private total = 0
  private startedAt = 0
  private lastAt = 0
  private lastFraction = 0

  constructor(private readonly name: string) {}

  /** A new attempt starts from zero. */
  start(total: number): void {
    this.total = total
    this.startedAt = performance.now()
    this.lastAt = this.startedAt
    this.lastFraction = 0
  }

  update(sent: number): void {
    if (this.total < PROGRESS_MIN_BYTES || sent >= this.total) return
    const now = performance.now()
    const fraction = sent / this.total
    if (fraction - this.lastFraction < PROGRESS_STEP && now - this.lastAt < PROGRESS_INTERVAL_MS) {
      return
    }
    this.lastAt = now
    this.lastFraction = fraction
    const seconds = Math.max((now - this.startedAt) / 1000, 0.001)
    core.info(
      `Uploading ${logSafe(this.name)}: ${formatBytes(sent)} of ${formatBytes(this.total)} (${Math.floor(fraction * 100)}%), ${formatBytes(sent / seconds)}/s`
    )
  }
}
