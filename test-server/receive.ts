/**
 * Receiving uploaded bytes: straight to disk through an md5 hash as they arrive (never a whole
 * body in memory), with the quota checked as they come; a body that ends short is discarded.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto'
import { createWriteStream, rmSync, type WriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { Blob } from './store.js'
import type { RequestLogEntry } from './types.js'

/** An upload being written to disk. */
export class BlobWriter {
  readonly path: string
  size = 0
  private readonly hash: Hash = createHash('md5')
  private readonly ws: WriteStream
  private failed?: Error

  constructor(path: string) {
    this.path = path
    this.ws = createWriteStream(path, { highWaterMark: 4 * 1024 * 1024 })
    this.ws.on('error', e => (this.failed = e))
  }

  /** Writes a chunk; false when the caller should wait for drain(). */
  write(chunk: Buffer): boolean {
    this.size += chunk.length
    this.hash.update(chunk)
    return this.ws.write(chunk)
  }

  /** Calls fn once the disk caught up. */
  onDrain(fn: () => void): void {
    this.ws.once('drain', fn)
  }

  /** Flushes and returns the blob (not yet referenced by any bucket). */
  finish(): Promise<Blob> {
    return new Promise((resolve, reject) => {
      this.ws.end(() => {
        if (this.failed) {
          this.discard()
          reject(this.failed)
          return
        }
        resolve({
          id: randomUUID(),
          path: this.path,
          size: this.size,
          md5: this.hash.digest('hex'),
          refs: 0
        })
      })
    })
  }

  /** Drops the bytes written so far. */
  discard(): void {
    this.ws.destroy()
    rmSync(this.path, { force: true })
  }
}

/** Why an upload did not complete. */
export class UploadAborted extends Error {}

/**
 * Streams the request body into a new blob. `limit` (bytes) is enforced as the bytes arrive;
 * onLimit builds the error to reject with. Rejects with UploadAborted when the client goes away
 * or the body ends short of its Content-Length.
 */
export function receiveBlob(
  req: IncomingMessage,
  entry: RequestLogEntry,
  path: string,
  limit: number,
  onLimit: () => Error
): Promise<Blob> {
  const expected = req.headers['content-length']
  const writer = new BlobWriter(path)
  return new Promise<Blob>((resolve, reject) => {
    let settled = false
    const fail = (e: Error): void => {
      if (settled) return
      settled = true
      writer.discard()
      req.removeListener('data', onData)
      req.resume()
      reject(e)
    }
    const onData = (chunk: Buffer): void => {
      entry.bodyBytes += chunk.length
      if (writer.size + chunk.length > limit) {
        fail(onLimit())
        return
      }
      if (!writer.write(chunk)) {
        req.pause()
        writer.onDrain(() => req.resume())
      }
    }
    req.on('data', onData)
    req.on('end', () => {
      if (settled) return
      if (expected !== undefined && Number(expected) !== writer.size) {
        fail(new UploadAborted('body ended short of Content-Length'))
        return
      }
      settled = true
      writer.finish().then(resolve, reject)
    })
    req.on('close', () => {
      if (!req.complete) fail(new UploadAborted('client went away'))
    })
    req.on('error', () => {
      fail(new UploadAborted('request error'))
    })
  })
}
