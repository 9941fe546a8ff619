/**
 * A streaming tar writer (POSIX pax format) to put in front of a gzip stream. Like the zip
 * writer, it reads each file once and hashes it from the bytes read: small files with
 * synchronous calls (cheap per file), large ones streamed in chunks (memory stays flat).
 * Names longer than 100 bytes or not plain ASCII, and sizes of 8 GiB or more, go into pax
 * extended headers.
 */
import { createReadStream } from 'node:fs'
import { setImmediate as setImmediatePromise } from 'node:timers/promises'
import { createHash } from 'node:crypto'
import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HashingStream, type Digest } from '../files/hash.js'
import {
  BufferedOutput,
  copyOpenFile,
  SMALL_FILE_BYTES,
  readSource,
  type OpenEntry,
  type ZipSource
} from './zip.js'

const BLOCK = 512
const USTAR_NAME_BYTES = 100
/** 11 octal digits: sizes from 8 GiB on need a pax "size" record. */
const MAX_OCTAL_SIZE = 8 ** 11 - 1
const YIELD_EVERY_MS = 20

/** Writes a tar stream to `out` (usually a gzip stream), which it ends in finish(). */
export class TarWriter {
  private readonly out: BufferedOutput

  constructor(out: Writable) {
    this.out = new BufferedOutput(out)
  }

  /**
   * Add files in the order given; resolves with each file's digest (size, md5, sha256).
   * `onEntry(i)` is called after file i is written. A file that cannot be read, or that
   * changes size while it is archived, rejects with an Error naming it.
   */
  async addFiles(sources: ZipSource[], onEntry: (index: number) => void): Promise<Digest[]> {
    const digests: Digest[] = []
    let lastYield = performance.now()
    for (const [i, source] of sources.entries()) {
      const read = readSource(source)
      if (read.kind === 'open') {
        digests.push(await this.writeStreamed(read))
      } else {
        digests.push({
          size: read.raw.length,
          md5: createHash('md5').update(read.raw).digest('hex'),
          sha256: createHash('sha256').update(read.raw).digest('hex')
        })
        await this.writeEntry(source.name, read.raw.length, read.mtime, read.mode)
        await this.out.write(read.raw)
        await this.pad(read.raw.length)
      }
      onEntry(i)
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // Small files are read synchronously: let timers and sockets run now and then.
        await setImmediatePromise()
        lastYield = performance.now()
      }
    }
    return digests
  }

  /** Add an entry from memory (e.g. the manifest). */
  async addBuffer(name: string, data: Buffer, mtime = new Date()): Promise<void> {
    await this.writeEntry(name, data.length, mtime, 0o644)
    await this.out.write(data)
    await this.pad(data.length)
  }

  /** Write the two zero blocks that end a tar archive, and end `out`. */
  async finish(): Promise<void> {
    await this.out.write(Buffer.alloc(2 * BLOCK))
    await this.out.end()
  }

  /** Stream a large file; its size was taken when it was opened and must not change. */
  private async writeStreamed(e: OpenEntry): Promise<Digest> {
    const size = e.stats.size
    const hasher = new HashingStream({ sha256: true })
    await copyOpenFile(e, async () => {
      await this.writeEntry(e.name.toString(), size, e.stats.mtime, e.stats.mode)
      const input = createReadStream('', {
        fd: e.fd,
        start: 0,
        end: size - 1,
        highWaterMark: SMALL_FILE_BYTES,
        autoClose: false
      })
      await pipeline(input, hasher, async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) await this.out.write(chunk)
      })
    })
    const digest = hasher.digest()
    if (digest.size !== size) {
      throw new Error(`"${e.path}" changed size while it was being archived`)
    }
    await this.pad(size)
    return digest
  }

  /** Header block(s) for a regular file: a pax header first when ustar cannot hold the entry. */
  private async writeEntry(name: string, size: number, mtime: Date, mode: number): Promise<void> {
    const records: [string, string][] = []
    const plainName = /^[\x20-\x7e]*$/.test(name) && Buffer.byteLength(name) <= USTAR_NAME_BYTES
    if (!plainName) records.push(['path', name])
    if (size > MAX_OCTAL_SIZE) records.push(['size', String(size)])
    if (records.length > 0) {
      const body = Buffer.from(records.map(([k, v]) => paxRecord(k, v)).join(''))
      await this.out.write(header('PaxHeader', body.length, mtime, 0o644, 'x'))
      await this.out.write(body)
      await this.pad(body.length)
    }
    const shortName = plainName ? name : asciiTail(name)
    await this.out.write(
      header(shortName, size > MAX_OCTAL_SIZE ? 0 : size, mtime, mode & 0o7777, '0')
    )
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK
    if (rest > 0) await this.out.write(Buffer.alloc(BLOCK - rest))
  }
}

/** One pax record: "<length> <key>=<value>\n", where length counts itself. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`
  const restBytes = Buffer.byteLength(rest)
  let digits = String(restBytes).length
  if (String(restBytes + digits).length > digits) digits++
  return `${restBytes + digits}${rest}`
}

/** A ustar-safe stand-in for a name that lives in a pax header. */
function asciiTail(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').slice(-USTAR_NAME_BYTES)
}

/** A 512-byte ustar header. */
function header(name: string, size: number, mtime: Date, mode: number, type: string): Buffer {
  const b = Buffer.alloc(BLOCK)
  b.write(name, 0, USTAR_NAME_BYTES, 'utf8')
  b.write(octal(mode, 7), 100)
  b.write(octal(0, 7), 108) // uid
  b.write(octal(0, 7), 116) // gid
  b.write(octal(size, 11), 124)
  b.write(octal(Math.max(0, Math.floor(mtime.getTime() / 1000)), 11), 136)
  b.write(type, 156)
  b.write('ustar\u000000', 257)
  b.fill(0x20, 148, 156) // checksum counted as spaces
  let sum = 0
  for (const byte of b) sum += byte
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148)
  return b
}

function octal(n: number, digits: number): string {
  return `${n.toString(8).padStart(digits, '0')}\u0000`
}
