/**
 * Streaming uploads to a deposition's bucket: one read of the file per attempt, hashed on its
 * way out, and Zenodo's checksum compared with ours before the file counts as uploaded.
 */
import { createHash } from 'node:crypto'
import { closeSync, read as readCallback } from 'node:fs'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
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
/**
 * Size of each of the two read buffers: larger reads cost less CPU per byte than the default
 * 64 KiB (BENCHMARKS.md, goal 1), and it must exceed the socket's write high-water mark (see
 * FileBody).
 */
const READ_CHUNK_BYTES = 1024 * 1024
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
        `${what}, ${String(round)} times. The file on Zenodo is damaged; delete it from the draft and run the action again.`
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
  let body: FileBody | undefined
  const bodies: FileBody[] = []
  const progress = new Progress(file.name)
  let res: { status: number; body: unknown }
  try {
    res = await http.putStream(
      url,
      () => {
        // Opened without blocking and checked on the open descriptor: a regular file of exactly
        // the planned size (a file truncated, grown or swapped for a FIFO since planning fails
        // here, before a byte is sent). Every attempt reads the file again, with its own buffers.
        const opened = openRegularFile(file.path, file.name, file.size)
        body = new FileBody(opened.fd, opened.size, file.name)
        bodies.push(body)
        progress.start(opened.size)
        return { body: body.length > 0 ? body : Readable.from([]), length: body.length }
      },
      {
        onProgress: sent => {
          progress.update(sent)
        }
      }
    )
  } finally {
    // A body undici never started reading still holds its descriptor.
    for (const b of bodies) b.closeIfUnread()
  }
  if (!body) throw new ActionError(`The upload of ${logSafe(file.name)} never opened the file.`)
  // Zenodo answered after receiving Content-Length bytes, all of which were hashed first.
  if (body.hashed !== body.length || body.length !== file.size) {
    throw new ActionError(
      `${logSafe(file.name)} changed while it was being uploaded: ${String(file.size)} bytes planned, ${String(body.hashed)} read.`
    )
  }
  return { md5: body.md5(), size: body.length, checksum: parseChecksum(res.body) }
}

const readFd = promisify(readCallback)

/**
 * The request body of one upload attempt: the file's first `length` bytes, read into two
 * buffers of READ_CHUNK_BYTES used in turn (one being sent while the other is filled), and
 * md5-hashed as they are read. Memory is the two buffers, whatever the file size: no buffer
 * per read is left for the garbage collector.
 *
 * Why refilling a buffer is safe: undici sends an async-iterable body with writeIterable
 * (lib/dispatcher/client-h1.js), which asks for the next chunk only once
 * `socket.write(chunk)` has returned true or, when it returned false, once the socket has
 * emitted 'drain' (or 'close'). A buffer is refilled only after the chunk after it has been
 * asked for, so after the chunk it held went through that step. Every chunk but the last is a
 * full READ_CHUNK_BYTES, more than the socket's write high-water mark (undici's connector,
 * lib/core/connect.js, opens sockets with 16 KiB for TLS and 64 KiB for plain TCP; the
 * Agent in src/http.ts does not change it), so `socket.write` returns false (a Writable
 * returns false once its buffered length reaches the mark) and undici waits for 'drain': emitted only when every queued write has
 * completed (a Writable's buffered length back at 0), after which the socket holds no
 * reference to the bytes; on 'close' the handle is closed and its pending writes cancelled.
 * The last chunk's buffer is never refilled. The read-ahead buffer has not been handed out
 * since its last drain. Zenodo's checksum is compared as well, but this does not rely on it.
 */
class FileBody implements AsyncIterable<Uint8Array> {
  private readonly hash = createHash('md5')
  private started = false
  private closed = false
  /** Bytes read and hashed so far. */
  hashed = 0

  constructor(
    private readonly fd: number,
    readonly length: number,
    private readonly name: string
  ) {}

  /** md5 (hex) of the bytes read; once all `length` bytes were read. */
  md5(): string {
    return this.hash.digest('hex')
  }

  /** Closes the descriptor of a body whose iteration never started (its own finally won't). */
  closeIfUnread(): void {
    if (!this.started) this.close()
  }

  private close(): void {
    if (this.closed) return
    this.closed = true
    closeSync(this.fd)
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    this.started = true
    if (this.closed) return
    const buffers = [Buffer.allocUnsafe(READ_CHUNK_BYTES), Buffer.allocUnsafe(READ_CHUNK_BYTES)]
    let position = 0
    // The read in flight, if any. Handled where it is awaited; the `void ….catch` only keeps a
    // failure while the generator is suspended from counting as an unhandled rejection.
    let pending: Promise<number> | undefined = this.fill(buffers[0], 0)
    void pending.catch(() => undefined)
    try {
      for (let i = 0; pending !== undefined; i++) {
        const n: number = await pending
        pending = undefined
        const chunk = buffers[i % 2].subarray(0, n)
        position += n
        this.hash.update(chunk)
        this.hashed = position
        if (position < this.length) {
          const next = i % 2 === 0 ? 1 : 0
          // Read ahead into the other buffer: its last chunk (two steps back) has been written.
          pending = this.fill(buffers[next], position)
          void pending.catch(() => undefined)
        }
        yield chunk
      }
    } finally {
      // Never close the descriptor under a read still running.
      if (pending) await pending.catch(() => undefined)
      this.close()
    }
  }

  /**
   * Reads until `buffer` is full or the file's `length` is reached (a short read is continued,
   * so every chunk but the last is full). Fails if the file ends early.
   */
  private async fill(buffer: Buffer, position: number): Promise<number> {
    const want = Math.min(buffer.length, this.length - position)
    let got = 0
    while (got < want) {
      const { bytesRead } = await readFd(this.fd, buffer, got, want - got, position + got)
      if (bytesRead === 0) {
        throw new ActionError(
          `${logSafe(this.name)} changed while it was being uploaded: it ended after ${String(position + got)} of ${String(this.length)} bytes.`
        )
      }
      got += bytesRead
    }
    return got
  }
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
      `Uploading ${logSafe(this.name)}: ${formatBytes(sent)} of ${formatBytes(this.total)} (${String(Math.floor(fraction * 100))}%), ${formatBytes(sent / seconds)}/s`
    )
  }
}
