import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HashingStream, hashFile } from '../src/files/hash.js'

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex')
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** Feed `data` through a HashingStream in chunks of the given sizes; return it and the bytes that came out. */
async function runThrough(
  data: Buffer,
  chunk: number,
  opts?: { sha256?: boolean }
): Promise<{ hasher: HashingStream; out: Buffer }> {
  const chunks: Buffer[] = []
  for (let i = 0; i < data.length; i += chunk) chunks.push(data.subarray(i, i + chunk))
  const hasher = new HashingStream(opts)
  const received: Buffer[] = []
  await pipeline(Readable.from(chunks), hasher, async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) received.push(c)
  })
  return { hasher, out: Buffer.concat(received) }
}

const inputs: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['small', Buffer.from('hello, zenodo\n')],
  ['multi-chunk (3 MB)', randomBytes(3 * 1024 * 1024 + 17)]
]

describe('HashingStream', () => {
  it.each(inputs)('gives node:crypto md5 and sha256 of the whole %s input', async (_name, data) => {
    const { hasher } = await runThrough(data, 65521, { sha256: true })
    expect(hasher.digest()).toEqual({ size: data.length, md5: md5(data), sha256: sha256(data) })
  })

  it('passes every byte through unchanged', async () => {
    const data = randomBytes(200_000)
    const { out } = await runThrough(data, 4099)
    expect(out.equals(data)).toBe(true)
  })

  it('leaves sha256 out unless asked', async () => {
    const data = Buffer.from('abc')
    const { hasher } = await runThrough(data, 2)
    expect(hasher.digest()).toEqual({ size: 3, md5: md5(data) })
  })

  it('refuses to give a digest before the input has ended', () => {
    const hasher = new HashingStream()
    hasher.write(Buffer.from('partial'))
    expect(() => hasher.digest()).toThrow(/before the stream ended/)
    hasher.destroy()
  })
})

describe('hashFile', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hash-test-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it.each(inputs)('gives node:crypto md5 and sha256 of a %s file', async (name, data) => {
    const file = path.join(dir, name.replace(/\W+/g, '_'))
    await writeFile(file, data)
    expect(await hashFile(file, { sha256: true })).toEqual({
      size: data.length,
      md5: md5(data),
      sha256: sha256(data)
    })
    expect(await hashFile(file)).toEqual({ size: data.length, md5: md5(data) })
  })

  it('rejects for a missing file', async () => {
    await expect(hashFile(path.join(dir, 'nope'))).rejects.toThrow(/ENOENT/)
  })
})

test('hashFile refuses a FIFO at once instead of waiting for a writer', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hash-fifo-'))
  try {
    const fifo = path.join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    await expect(hashFile(fifo)).rejects.toThrow(/is no longer a regular file .* a FIFO/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
