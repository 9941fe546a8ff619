/**
 * The benchmark's data, generated once into a scratch directory under /tmp: files of random
 * bytes (real bytes written to disk, never sparse), and the archive tree of many small text and
 * binary files plus a few large ones.
 */
import { randomFillSync } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { link, mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'

const CHUNK = 8 * 1024 ** 2

/** A new scratch directory under the system temp dir (/tmp). */
export async function makeScratch(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'zra-bench-'))
}

/** Removes the scratch directory and everything in it. */
export async function removeScratch(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** Writes `size` random bytes to `file` (8 MiB at a time; a few GB/s of generation). */
export async function writeRandomFile(file: string, size: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const handle = await open(file, 'w')
  try {
    const buf = Buffer.allocUnsafe(CHUNK)
    for (let written = 0; written < size;) {
      const n = Math.min(CHUNK, size - written)
      randomFillSync(buf, 0, n)
      await handle.write(buf, 0, n)
      written += n
    }
  } finally {
    await handle.close()
  }
}

/** A seeded xorshift32 generator, so the tree is the same on every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 0x1_0000_0000
  }
}

const WORDS = (
  'the of and to in is for on with as by at from this that be are it an or not which data ' +
  'file files record release version value values return const let function import export ' +
  'class interface type string number boolean true false null undefined if else while for ' +
  'await async new this self def print self.assert expect test describe result error message ' +
  'zenodo upload archive manifest checksum md5 sha256 bucket deposition metadata creator title'
).split(' ')

/** Source-like text of about `size` bytes. */
function text(size: number, rand: () => number): Buffer {
  const parts: string[] = []
  let length = 0
  let column = 0
  while (length < size) {
    const word = WORDS[Math.floor(rand() * WORDS.length)]
    const sep = column > 70 ? '\n' : rand() < 0.1 ? ', ' : ' '
    column = sep === '\n' ? 0 : column + word.length + sep.length
    parts.push(word, sep)
    length += word.length + sep.length
  }
  return Buffer.from(parts.join('')).subarray(0, size)
}

/** The archive tree's description, for the report. */
export interface Tree {
  root: string
  smallFiles: number
  smallBytes: number
  large: { name: string; bytes: number; kind: string }[]
  totalBytes: number
}

/**
 * Writes the archive tree under root: `smallFiles` files of 1-4 KiB (half source-like text,
 * half random binary) in directories of 100, and `largeFiles` large files: a CSV-like text
 * file, a random binary file and a real gzip stream (.gz, already compressed: it must be stored).
 * With `largeFrom`, the large files are hard links to that tree's (the same bytes, written once).
 */
export async function writeTree(
  root: string,
  o: { smallFiles: number; largeFiles: number; largeBytes: number; largeFrom?: Tree }
): Promise<Tree> {
  const rand = prng(20_261_123)
  let smallBytes = 0
  for (let dir = 0; dir * 100 < o.smallFiles; dir++) {
    const dirPath = path.join(
      root,
      'src',
      `pkg${String(Math.floor(dir / 20)).padStart(2, '0')}`,
      `mod${String(dir)}`
    )
    await mkdir(dirPath, { recursive: true })
    const writes: Promise<void>[] = []
    for (let i = dir * 100; i < Math.min(o.smallFiles, (dir + 1) * 100); i++) {
      const size = 1024 + Math.floor(rand() * 3073)
      smallBytes += size
      if (i % 2 === 0) {
        writes.push(writeFile(path.join(dirPath, `file${String(i)}.ts`), text(size, rand)))
      } else {
        writes.push(
          writeFile(path.join(dirPath, `blob${String(i)}.bin`), randomFillSync(Buffer.alloc(size)))
        )
      }
    }
    await Promise.all(writes)
  }
  const kinds = [
    { name: 'data/table.csv', kind: 'CSV-like text (compressible)' },
    { name: 'data/blob.bin', kind: 'random bytes (incompressible)' },
    { name: 'data/dataset.gz', kind: 'gzip stream (already compressed: stored)' }
  ]
  if (o.largeFrom) {
    for (const l of o.largeFrom.large) {
      const file = path.join(root, l.name)
      await mkdir(path.dirname(file), { recursive: true })
      await link(path.join(o.largeFrom.root, l.name), file)
    }
    return tree(root, o.smallFiles, smallBytes, o.largeFrom.large)
  }
  const large: Tree['large'] = []
  for (let i = 0; i < o.largeFiles; i++) {
    const spec = kinds[i % kinds.length]
    const name = i < kinds.length ? spec.name : spec.name.replace('.', `${String(i)}.`)
    const file = path.join(root, name)
    await mkdir(path.dirname(file), { recursive: true })
    if (spec.name.endsWith('.csv')) await writeCsv(file, o.largeBytes, rand)
    else if (spec.name.endsWith('.gz')) await writeGzip(file, o.largeBytes)
    else await writeRandomFile(file, o.largeBytes)
    const { size } = await stat(file)
    large.push({ name, bytes: size, kind: spec.kind })
  }
  return tree(root, o.smallFiles, smallBytes, large)
}

function tree(root: string, smallFiles: number, smallBytes: number, large: Tree['large']): Tree {
  return {
    root,
    smallFiles,
    smallBytes,
    large,
    totalBytes: smallBytes + large.reduce((s, l) => s + l.bytes, 0)
  }
}

/** CSV rows of numbers and words, `size` bytes. */
async function writeCsv(file: string, size: number, rand: () => number): Promise<void> {
  const handle = await open(file, 'w')
  try {
    let row = 0
    for (let written = 0; written < size;) {
      const lines: string[] = []
      let length = 0
      while (length < 1024 ** 2) {
        const line = `${String(row++)},${(rand() * 1000).toFixed(3)},${String(Math.floor(rand() * 1e6))},${WORDS[Math.floor(rand() * WORDS.length)]},${String(rand() < 0.5)}\n`
        lines.push(line)
        length += line.length
      }
      const chunk = Buffer.from(lines.join('')).subarray(0, size - written)
      await handle.write(chunk)
      written += chunk.length
    }
  } finally {
    await handle.close()
  }
}

/** A real gzip stream of `size` random bytes (level 1), so the file really is compressed. */
async function writeGzip(file: string, size: number): Promise<void> {
  let left = size
  const source = Readable.from(
    (function* () {
      while (left > 0) {
        const n = Math.min(CHUNK, left)
        left -= n
        yield randomFillSync(Buffer.allocUnsafe(n))
      }
    })()
  )
  await pipeline(source, createGzip({ level: 1 }), createWriteStream(file))
}
