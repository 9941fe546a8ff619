/**
 * Hashing while streaming: every byte is read once and hashed on its way through, so
 * archiving and uploading never need a second read of a file to know its checksums.
 */
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Transform, Writable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { openRegularFile } from './open.js'

/** Size and checksums (lower-case hex) of a stream of bytes. */
export interface Digest {
  size: number
  md5: string
  sha256?: string
}

/**
 * A pass-through Transform that hashes every byte going through it (md5, and sha256
 * when asked). Call digest() once the stream has emitted 'finish' or 'end'.
 */
export class HashingStream extends Transform {
  private readonly md5: Hash = createHash('md5')
  private readonly sha256: Hash | undefined
  private size = 0
  private result: Digest | undefined

  constructor(opts: { sha256?: boolean; highWaterMark?: number } = {}) {
    super(opts.highWaterMark === undefined ? {} : { highWaterMark: opts.highWaterMark })
    this.sha256 = opts.sha256 === true ? createHash('sha256') : undefined
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.md5.update(chunk)
    this.sha256?.update(chunk)
    this.size += chunk.length
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.seal()
    callback()
  }

  /** Finalises the hashes of everything that went through so far (once). */
  private seal(): Digest {
    if (!this.result) {
      this.result = { size: this.size, md5: this.md5.digest('hex') }
      if (this.sha256) this.result.sha256 = this.sha256.digest('hex')
    }
    return this.result
  }

  /**
   * The digest once `size` bytes have gone through, without waiting for the end of the stream
   * (whose flush may still be queued behind the last read when the receiver has answered).
   * Throws when fewer bytes went through.
   */
  digestOf(size: number): Digest {
    if (!this.result && this.size !== size) {
      throw new Error(`HashingStream: ${String(this.size)} bytes hashed, ${String(size)} expected`)
    }
    return { ...this.seal() }
  }

  /** Bytes hashed so far (for progress reports while the stream is still running). */
  get bytesSoFar(): number {
    return this.size
  }

  /** The digest of everything that went through; throws if the input has not ended yet. */
  digest(): Digest {
    if (!this.result) throw new Error('HashingStream.digest() called before the stream ended')
    return { ...this.result }
  }
}

/** Hash a file in one streaming read (md5, and sha256 when asked). */
export async function hashFile(path: string, opts: { sha256?: boolean } = {}): Promise<Digest> {
  const hasher = new HashingStream(opts)
  // The bytes are only needed for their hashes: drop them once hashed.
  const sink = new Writable({
    write(_chunk, _encoding, callback) {
      callback()
    }
  })
  // Opened without blocking and checked to be a regular file, so a FIFO cannot hang the read.
  const { fd } = openRegularFile(path, path)
  await pipeline(createReadStream('', { fd, highWaterMark: 1024 * 1024 }), hasher, sink)
  return hasher.digest()
}
