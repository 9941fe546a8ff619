/**
 * A streaming zip writer built for many small files. Each file is read once and hashed
 * (md5, sha256, crc32) from the bytes read. Small files (up to 1 MiB) are read with
 * synchronous calls, which cost a fraction of promise and stream plumbing per file, in
 * batches that worker threads hash and deflate on every core while the main thread reads
 * the next ones and writes the finished ones in order (archiver's writer needs ~0.5 ms per
 * entry, five times `zip -r`). Large files are streamed in chunks, so memory stays flat
 * whatever their size. Deflate that does not shrink a small file falls back to STORE, as
 * `zip` does. ZIP64 is used where sizes, offsets or the entry count need it.
 */
import { createHash } from 'node:crypto'
import { closeSync, createReadStream, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { Transform, type TransformCallback, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setImmediate as setImmediatePromise } from 'node:timers/promises'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import zlib from 'node:zlib'
import * as core from '@actions/core'
import type { Digest } from '../files/hash.js'
import { HashingStream } from '../files/hash.js'

/** One file to add: where it is, its path inside the zip, and whether to store it uncompressed. */
export interface ZipSource {
  path: string
  name: string
  store: boolean
}

/** Files up to this size are read in one go and deflated in one call; larger ones stream. */
export const SMALL_FILE_BYTES = 1024 * 1024
/** A batch of small files sent to a worker holds at most this many files or bytes. */
const BATCH_FILES = 128
const BATCH_BYTES = 1024 * 1024
/** Fewer files than this are compressed in the main thread (starting workers costs ~30 ms). */
const POOL_MIN_FILES = 64
const MAX_WORKERS = 4
/** A worker only holds one batch at a time: keep its heap small (V8's defaults reserve far more). */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 }
/** Output chunk of zlib streams: the default 16 KiB costs a thread-pool round trip per 16 KiB. */
export const ZLIB_CHUNK_BYTES = 256 * 1024
/** Small writes are gathered into chunks of this size. */
const COALESCE_BYTES = 256 * 1024
/** Longest stretch of synchronous work (reading and deflating small files) between yields. */
const YIELD_EVERY_MS = 20

const METHOD_STORE = 0
const METHOD_DEFLATE = 8
const FLAG_DATA_DESCRIPTOR = 0x0008
const FLAG_UTF8 = 0x0800
const VERSION_DEFAULT = 20
const VERSION_ZIP64 = 45
const VERSION_MADE_BY = (3 << 8) | VERSION_ZIP64 // Unix
const MAX_32 = 0xffffffff
const MAX_16 = 0xffff
/** Streamed entries at least this big get ZIP64 sizes (deflate can grow data a little). */
const ZIP64_STREAM_THRESHOLD = MAX_32 - 64 * 1024 * 1024

interface CentralRecord {
  name: Buffer
  method: number
  flags: number
  time: number
  date: number
  crc: number
  compressedSize: number
  size: number
  offset: number
  mode: number
  zip64Local: boolean
}

/** A small file read, hashed and compressed, ready to be written. */
interface ReadyEntry {
  kind: 'ready'
  name: Buffer
  mtime: Date
  mode: number
  data: Buffer
  method: number
  crc: number
  size: number
  digest: Digest
}

/** A small file read whole, waiting to be hashed and compressed. */
export interface SmallFile {
  kind: 'small'
  name: Buffer
  mtime: Date
  mode: number
  raw: Buffer
  store: boolean
}

/** What the writer takes next: a batch of small files being packed, or one large file. */
type Unit =
  | { kind: 'batch'; start: number; items: SmallFile[]; packed: Promise<Packed[]> }
  | { kind: 'large'; index: number; entry: OpenEntry }

/** A large file opened, to be streamed when its turn comes. */
export interface OpenEntry {
  kind: 'open'
  path: string
  name: Buffer
  fd: number
  stats: Stats
  store: boolean
}

/**
 * Runs `copy` on a large file opened for streaming, closes the file whatever happens, and
 * names the file in any error.
 */
export async function copyOpenFile(e: OpenEntry, copy: () => Promise<void>): Promise<void> {
  try {
    await copy()
  } catch (err) {
    throw new Error(
      `archiving "${e.path}" failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err }
    )
  } finally {
    closeSync(e.fd)
  }
}

/** Writes a zip archive to `out` (which it ends in finish()). */
export class ZipWriter {
  private offset = 0
  private readonly records: CentralRecord[] = []
  private readonly out: BufferedOutput

  constructor(
    out: Writable,
    private readonly level: number
  ) {
    this.out = new BufferedOutput(out)
  }

  /**
   * Add files in the order given; resolves with each file's digest (size, md5, sha256).
   * `onEntry(i)` is called after file i is written. A file that cannot be read rejects with
   * an Error whose message names it.
   */
  async addFiles(sources: ZipSource[], onEntry: (index: number) => void): Promise<Digest[]> {
    const digests: Digest[] = new Array<Digest>(sources.length)
    const pool = sources.length >= POOL_MIN_FILES ? DeflatePool.create(this.level) : undefined
    const queue: Unit[] = []
    let next = 0
    const fill = (): void => {
      while (queue.length < (pool ? pool.size * 2 + 1 : 1) && next < sources.length) {
        const unit = this.readUnit(sources, next, pool)
        next += unit.kind === 'large' ? 1 : unit.items.length
        queue.push(unit)
      }
    }
    let lastYield = performance.now()
    try {
      fill()
      for (let unit = queue.shift(); unit; unit = queue.shift()) {
        if (unit.kind === 'large') {
          const entry = unit.entry
          digests[unit.index] = await this.writeStreamed(entry)
          onEntry(unit.index)
        } else {
          const packed = await unit.packed
          for (const [k, item] of unit.items.entries()) {
            digests[unit.start + k] = await this.writeReady(readyEntry(item, packed[k]))
            onEntry(unit.start + k)
          }
        }
        fill()
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          // Small files are read synchronously: let timers and sockets run now and then.
          await setImmediatePromise()
          lastYield = performance.now()
        }
      }
    } finally {
      for (const unit of queue) {
        if (unit.kind === 'large') closeSync(unit.entry.fd)
        else unit.packed.catch(() => undefined)
      }
      await pool?.close()
    }
    return digests
  }

  /**
   * Read the next unit of work from sources[start]: one large file left open for streaming,
   * or a batch of consecutive small files read at once (synchronous reads cost a fraction
   * of promise-based ones per file, as in `zip -r`) and handed to the deflate pool.
   */
  private readUnit(sources: ZipSource[], start: number, pool: DeflatePool | undefined): Unit {
    const items: SmallFile[] = []
    let bytes = 0
    for (let i = start; i < sources.length; i++) {
      if (items.length >= BATCH_FILES || bytes >= BATCH_BYTES) break
      const read = readSource(sources[i])
      if (read.kind === 'open') {
        if (items.length === 0) return { kind: 'large', index: i, entry: read }
        closeSync(read.fd) // read again as the first of the next unit
        break
      }
      items.push(read)
      bytes += read.raw.length
    }
    const packed = pool
      ? pool.run(items.map(f => ({ raw: f.raw, store: f.store })))
      : Promise.resolve(items.map(f => packOne(f.raw, f.store, this.level)))
    return { kind: 'batch', start, items, packed }
  }

  /** Add an entry from memory (e.g. the manifest). */
  async addBuffer(name: string, data: Buffer, mtime = new Date()): Promise<void> {
    const item: SmallFile = {
      kind: 'small',
      name: Buffer.from(name),
      mtime,
      mode: 0o644,
      raw: data,
      store: false
    }
    await this.writeReady(readyEntry(item, packOne(data, false, this.level)))
  }

  /** Write the central directory and end `out`. */
  async finish(): Promise<void> {
    const cdOffset = this.offset
    for (const r of this.records) await this.write(centralHeader(r))
    const cdSize = this.offset - cdOffset
    const count = this.records.length
    if (count >= MAX_16 || cdOffset >= MAX_32 || cdSize >= MAX_32) {
      const eocd64Offset = this.offset
      await this.write(zip64EndRecord(count, cdSize, cdOffset))
      await this.write(zip64Locator(eocd64Offset))
    }
    await this.write(endRecord(count, cdSize, cdOffset))
    await this.out.end()
  }

  private async writeReady(e: ReadyEntry): Promise<Digest> {
    const { time, date } = dosDateTime(e.mtime)
    const record: CentralRecord = {
      name: e.name,
      method: e.method,
      flags: FLAG_UTF8,
      time,
      date,
      crc: e.crc,
      compressedSize: e.data.length,
      size: e.size,
      offset: this.offset,
      mode: e.mode,
      zip64Local: false
    }
    await this.write(localHeader(record))
    await this.write(e.data)
    this.records.push(record)
    return e.digest
  }

  /** Stream a large file: local header with a data descriptor, then the data, then the descriptor. */
  private async writeStreamed(e: OpenEntry): Promise<Digest> {
    const { time, date } = dosDateTime(e.stats.mtime)
    const store = e.store || this.level === 0
    const record: CentralRecord = {
      name: e.name,
      method: store ? METHOD_STORE : METHOD_DEFLATE,
      flags: FLAG_UTF8 | FLAG_DATA_DESCRIPTOR,
      time,
      date,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset: this.offset,
      mode: e.stats.mode,
      zip64Local: e.stats.size >= ZIP64_STREAM_THRESHOLD
    }
    await this.write(localHeader(record))
    const hasher = new HashingStream({ sha256: true })
    const crc = new Crc32Stream()
    const writeOut = async (source: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of source) {
        record.compressedSize += chunk.length
        await this.write(chunk)
      }
    }
    await copyOpenFile(e, async () => {
      const input = createReadStream('', {
        fd: e.fd,
        highWaterMark: SMALL_FILE_BYTES,
        autoClose: false
      })
      if (store) await pipeline(input, hasher, crc, writeOut)
      else
        await pipeline(
          input,
          hasher,
          crc,
          zlib.createDeflateRaw({ level: this.level, chunkSize: ZLIB_CHUNK_BYTES }),
          writeOut
        )
    })
    const digest = hasher.digest()
    record.crc = crc.crc
    record.size = digest.size
    if (!record.zip64Local && (record.size >= MAX_32 || record.compressedSize >= MAX_32)) {
      throw new Error(`"${e.path}" grew past 4 GiB while it was being archived`)
    }
    await this.write(dataDescriptor(record))
    this.records.push(record)
    return digest
  }

  /** Write to `out`, waiting for 'drain' when it asks to. */
  private async write(buf: Buffer): Promise<void> {
    this.offset += buf.length
    await this.out.write(buf)
  }
}

/** Open a file; read it whole when small, else leave it open (the caller closes `fd`) to be streamed. */
export function readSource(source: ZipSource): SmallFile | OpenEntry {
  const name = Buffer.from(source.name)
  let fd: number | undefined
  try {
    fd = openSync(source.path, 'r')
    const stats = fstatSync(fd)
    if (!stats.isFile()) throw new Error('not a regular file')
    if (stats.size > SMALL_FILE_BYTES) {
      const entry: OpenEntry = {
        kind: 'open',
        path: source.path,
        name,
        fd,
        stats,
        store: source.store
      }
      fd = undefined
      return entry
    }
    // Not from the shared pool: the bytes are copied to a worker, and a pool slab would go too.
    const raw = Buffer.allocUnsafeSlow(stats.size)
    let n = 0
    while (n < raw.length) {
      const got = readSync(fd, raw, n, raw.length - n, n)
      if (got === 0) break
      n += got
    }
    const { mtime, mode } = stats
    return { kind: 'small', name, mtime, mode, raw: raw.subarray(0, n), store: source.store }
  } catch (err) {
    throw new Error(
      `cannot read "${source.path}": ${err instanceof Error ? err.message : String(err)}`,
      { cause: err }
    )
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Checksums of a small file and its deflated bytes (null when stored or when deflate does not help). */
interface Packed {
  crc: number
  md5: string
  sha256: string
  deflated: Uint8Array | null
}

/** Hash and deflate one small file in this thread (WORKER_SOURCE does the same in a worker). */
function packOne(raw: Uint8Array, store: boolean, level: number): Packed {
  const crc = zlib.crc32(raw)
  const md5 = createHash('md5').update(raw).digest('hex')
  const sha256 = createHash('sha256').update(raw).digest('hex')
  let deflated: Uint8Array | null = null
  if (!store && level > 0 && raw.length > 0) {
    const d = zlib.deflateRawSync(raw, { level })
    if (d.length < raw.length) deflated = d
  }
  return { crc, md5, sha256, deflated }
}

function readyEntry(f: SmallFile, p: Packed): ReadyEntry {
  const data = p.deflated
    ? Buffer.from(p.deflated.buffer, p.deflated.byteOffset, p.deflated.byteLength)
    : f.raw
  return {
    kind: 'ready',
    name: f.name,
    mtime: f.mtime,
    mode: f.mode,
    data,
    method: p.deflated ? METHOD_DEFLATE : METHOD_STORE,
    crc: p.crc,
    size: f.raw.length,
    digest: { size: f.raw.length, md5: p.md5, sha256: p.sha256 }
  }
}

/** Worker thread code (plain CommonJS, so it runs from a bundle too): packOne over a batch. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const zlib = require('node:zlib')
const crypto = require('node:crypto')
parentPort.on('message', ({ id, level, files }) => {
  const out = []
  const transfer = []
  for (const { raw, store } of files) {
    const crc = zlib.crc32(raw)
    const md5 = crypto.createHash('md5').update(raw).digest('hex')
    const sha256 = crypto.createHash('sha256').update(raw).digest('hex')
    let deflated = null
    if (!store && level > 0 && raw.length > 0) {
      const d = zlib.deflateRawSync(raw, { level })
      if (d.length < raw.length) {
        deflated = new Uint8Array(d)
        transfer.push(deflated.buffer)
      }
    }
    out.push({ crc, md5, sha256, deflated })
  }
  parentPort.postMessage({ id, out }, transfer)
})
`

/** Worker threads that hash and deflate batches of small files, so compression uses every core. */
class DeflatePool {
  private readonly workers: { worker: Worker; pending: Set<number> }[] = []
  private readonly waiting = new Map<
    number,
    { resolve: (p: Packed[]) => void; reject: (err: Error) => void }
  >()
  private nextId = 0

  private constructor(
    private readonly level: number,
    count: number
  ) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: WORKER_LIMITS })
      const slot = { worker, pending: new Set<number>() }
      worker.on('message', (msg: { id: number; out: Packed[] }) => {
        slot.pending.delete(msg.id)
        const w = this.waiting.get(msg.id)
        this.waiting.delete(msg.id)
        w?.resolve(msg.out)
      })
      const failAll = (err: Error): void => {
        for (const id of slot.pending) {
          this.waiting.get(id)?.reject(err)
          this.waiting.delete(id)
        }
        slot.pending.clear()
      }
      worker.on('error', failAll)
      worker.on('exit', code => {
        failAll(new Error(`a compression worker stopped (exit code ${code})`))
      })
      this.workers.push(slot)
    }
  }

  /** A pool with one worker per core (at most 4), or undefined on one core or when workers cannot start. */
  static create(level: number): DeflatePool | undefined {
    const count = Math.min(MAX_WORKERS, availableParallelism())
    if (count < 2 || level === 0) return undefined
    try {
      return new DeflatePool(level, count)
    } catch (err) {
      core.debug(
        `compressing in the main thread: ${err instanceof Error ? err.message : String(err)}`
      )
      return undefined
    }
  }

  get size(): number {
    return this.workers.length
  }

  /** Hash and deflate a batch on the least busy worker. */
  run(files: { raw: Uint8Array; store: boolean }[]): Promise<Packed[]> {
    const slot = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
    const id = this.nextId++
    return new Promise<Packed[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      slot.pending.add(id)
      slot.worker.postMessage({ id, level: this.level, files })
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(w => w.worker.terminate()))
  }
}

/**
 * Gathers small writes into chunks before handing them to `out`: each write to a zlib or
 * hashing stream has a fixed cost, which matters with tens of thousands of small entries.
 */
export class BufferedOutput {
  private parts: Buffer[] = []
  private bytes = 0

  constructor(
    private readonly out: Writable,
    private readonly chunkBytes = COALESCE_BYTES
  ) {}

  /** Queue `buf` (which must not change afterwards); resolves when `out` can take more. */
  async write(buf: Buffer): Promise<void> {
    if (buf.length >= this.chunkBytes) {
      await this.flush()
      await writeChunk(this.out, buf)
      return
    }
    this.parts.push(buf)
    this.bytes += buf.length
    if (this.bytes >= this.chunkBytes) await this.flush()
  }

  /** Hand everything queued to `out`. */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return
    const chunk = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.bytes)
    this.parts = []
    this.bytes = 0
    await writeChunk(this.out, chunk)
  }

  /** Flush and end `out`. */
  async end(): Promise<void> {
    await this.flush()
    await new Promise<void>((resolve, reject) => {
      this.out.end((err?: Error | null) => {
        if (err) reject(err)
        else resolve()
      })
    })
  }
}

/** Write to `out`, waiting for 'drain' when it asks to; rejects if `out` fails or closes first. */
export async function writeChunk(out: Writable, buf: Buffer): Promise<void> {
  if (out.destroyed) throw new Error('the archive output was closed early')
  if (out.write(buf)) return
  if (out.destroyed) throw new Error('the archive output was closed early')
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      out.off('error', onError)
      out.off('close', onClose)
      resolve()
    }
    const onError = (err: Error): void => {
      out.off('drain', onDrain)
      out.off('close', onClose)
      reject(err)
    }
    const onClose = (): void => {
      out.off('drain', onDrain)
      out.off('error', onError)
      reject(new Error('the archive output was closed early'))
    }
    out.once('drain', onDrain)
    out.once('error', onError)
    out.once('close', onClose)
  })
}

/** Pass-through that keeps the CRC-32 of what goes through it. */
class Crc32Stream extends Transform {
  crc = 0
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.crc = zlib.crc32(chunk, this.crc)
    callback(null, chunk)
  }
}

/** MS-DOS date and time fields (local time; 1980-01-01 for anything earlier). */
function dosDateTime(d: Date): { time: number; date: number } {
  if (d.getFullYear() < 1980) return { time: 0, date: (1 << 5) | 1 }
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((Math.min(d.getFullYear(), 2107) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate()
  }
}

function localHeader(r: CentralRecord): Buffer {
  const descriptor = (r.flags & FLAG_DATA_DESCRIPTOR) !== 0
  const extra = r.zip64Local ? Buffer.alloc(20) : Buffer.alloc(0)
  if (r.zip64Local) {
    extra.writeUInt16LE(0x0001, 0)
    extra.writeUInt16LE(16, 2) // sizes are 0 here; the data descriptor has them
  }
  const b = Buffer.alloc(30)
  b.writeUInt32LE(0x04034b50, 0)
  b.writeUInt16LE(r.zip64Local ? VERSION_ZIP64 : VERSION_DEFAULT, 4)
  b.writeUInt16LE(r.flags, 6)
  b.writeUInt16LE(r.method, 8)
  b.writeUInt16LE(r.time, 10)
  b.writeUInt16LE(r.date, 12)
  b.writeUInt32LE(descriptor ? 0 : r.crc, 14)
  b.writeUInt32LE(r.zip64Local ? MAX_32 : descriptor ? 0 : r.compressedSize, 18)
  b.writeUInt32LE(r.zip64Local ? MAX_32 : descriptor ? 0 : r.size, 22)
  b.writeUInt16LE(r.name.length, 26)
  b.writeUInt16LE(extra.length, 28)
  return Buffer.concat([b, r.name, extra])
}

function dataDescriptor(r: CentralRecord): Buffer {
  if (r.zip64Local) {
    const b = Buffer.alloc(24)
    b.writeUInt32LE(0x08074b50, 0)
    b.writeUInt32LE(r.crc, 4)
    b.writeBigUInt64LE(BigInt(r.compressedSize), 8)
    b.writeBigUInt64LE(BigInt(r.size), 16)
    return b
  }
  const b = Buffer.alloc(16)
  b.writeUInt32LE(0x08074b50, 0)
  b.writeUInt32LE(r.crc, 4)
  b.writeUInt32LE(r.compressedSize, 8)
  b.writeUInt32LE(r.size, 12)
  return b
}

function centralHeader(r: CentralRecord): Buffer {
  const big: bigint[] = []
  if (r.size >= MAX_32) big.push(BigInt(r.size))
  if (r.compressedSize >= MAX_32) big.push(BigInt(r.compressedSize))
  if (r.offset >= MAX_32) big.push(BigInt(r.offset))
  const extra = Buffer.alloc(big.length > 0 ? 4 + 8 * big.length : 0)
  if (big.length > 0) {
    extra.writeUInt16LE(0x0001, 0)
    extra.writeUInt16LE(8 * big.length, 2)
    big.forEach((v, i) => extra.writeBigUInt64LE(v, 4 + 8 * i))
  }
  const zip64 = big.length > 0 || r.zip64Local
  const b = Buffer.alloc(46)
  b.writeUInt32LE(0x02014b50, 0)
  b.writeUInt16LE(VERSION_MADE_BY, 4)
  b.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 6)
  b.writeUInt16LE(r.flags, 8)
  b.writeUInt16LE(r.method, 10)
  b.writeUInt16LE(r.time, 12)
  b.writeUInt16LE(r.date, 14)
  b.writeUInt32LE(r.crc, 16)
  b.writeUInt32LE(Math.min(r.compressedSize, MAX_32), 20)
  b.writeUInt32LE(Math.min(r.size, MAX_32), 24)
  b.writeUInt16LE(r.name.length, 28)
  b.writeUInt16LE(extra.length, 30)
  b.writeUInt16LE(0, 32) // comment length
  b.writeUInt16LE(0, 34) // disk number
  b.writeUInt16LE(0, 36) // internal attributes
  b.writeUInt32LE((((r.mode & 0o7777) | 0o100000) << 16) >>> 0, 38)
  b.writeUInt32LE(Math.min(r.offset, MAX_32), 42)
  return Buffer.concat([b, r.name, extra])
}

function zip64EndRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(56)
  b.writeUInt32LE(0x06064b50, 0)
  b.writeBigUInt64LE(44n, 4)
  b.writeUInt16LE(VERSION_MADE_BY, 12)
  b.writeUInt16LE(VERSION_ZIP64, 14)
  b.writeUInt32LE(0, 16)
  b.writeUInt32LE(0, 20)
  b.writeBigUInt64LE(BigInt(count), 24)
  b.writeBigUInt64LE(BigInt(count), 32)
  b.writeBigUInt64LE(BigInt(cdSize), 40)
  b.writeBigUInt64LE(BigInt(cdOffset), 48)
  return b
}

function zip64Locator(eocd64Offset: number): Buffer {
  const b = Buffer.alloc(20)
  b.writeUInt32LE(0x07064b50, 0)
  b.writeUInt32LE(0, 4)
  b.writeBigUInt64LE(BigInt(eocd64Offset), 8)
  b.writeUInt32LE(1, 16)
  return b
}

function endRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(22)
  b.writeUInt32LE(0x06054b50, 0)
  b.writeUInt16LE(0, 4)
  b.writeUInt16LE(0, 6)
  b.writeUInt16LE(Math.min(count, MAX_16), 8)
  b.writeUInt16LE(Math.min(count, MAX_16), 10)
  b.writeUInt32LE(Math.min(cdSize, MAX_32), 12)
  b.writeUInt32LE(Math.min(cdOffset, MAX_32), 16)
  b.writeUInt16LE(0, 20)
  return b
}
