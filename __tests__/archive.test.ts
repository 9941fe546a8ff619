import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  buildArchive,
  isAlreadyCompressed,
  type ArchiveEntry,
  type BuiltArchive,
  type Manifest
} from '../src/archive/build.js'
import type { ArchiveMember } from '../src/files/plan.js'
import { hashFile } from '../src/files/hash.js'

let root: string
let src: string
let out: string
let extract: string

/** Members above this size are read in more than one chunk. */
const CHUNK_BYTES = 1024 * 1024

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex')
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const info = {
  repository: 'octo/tool',
  tag: 'v1.0.0',
  commit: '0123456789abcdef0123456789abcdef01234567'
}

/** Text that deflate shrinks a lot, of about `n` bytes. */
const text = (n: number, seed: string): Buffer =>
  Buffer.from(`${seed} lorem ipsum dolor sit amet\n`.repeat(Math.ceil(n / 40))).subarray(0, n)

/** Write files under `src` and return them as archive members (unsorted on purpose). */
async function members(files: Record<string, Buffer>): Promise<ArchiveMember[]> {
  const list: ArchiveMember[] = []
  for (const [rel, data] of Object.entries(files)) {
    const p = path.join(src, rel)
    await mkdir(path.dirname(p), { recursive: true })
    await writeFile(p, data)
    list.push({ path: p, archivePath: rel, size: data.length })
  }
  return list.reverse()
}

/** Every file under dir, as posix relative path -> bytes. */
async function tree(dir: string): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const abs = path.join(entry.parentPath, entry.name)
    result.set(path.relative(dir, abs).split(path.sep).join('/'), await readFile(abs))
  }
  return result
}

/** The manifest.json written beside the archive, read back. */
async function manifestOf(built: BuiltArchive): Promise<Manifest | undefined> {
  if (!built.manifestFile) return undefined
  return JSON.parse(await readFile(built.manifestFile.path, 'utf8')) as Manifest
}

/** Check the unpacked tree holds exactly the members plus a manifest that describes them. */
async function expectUnpacked(
  files: Record<string, Buffer>,
  written: Manifest | undefined
): Promise<void> {
  const unpacked = await tree(extract)
  const manifestBytes = unpacked.get('manifest.json')
  expect(manifestBytes).toBeDefined()
  unpacked.delete('manifest.json')
  expect([...unpacked.keys()].sort()).toEqual(Object.keys(files).sort())
  for (const [rel, data] of Object.entries(files))
    expect(unpacked.get(rel)?.equals(data)).toBe(true)
  const manifest = JSON.parse(String(manifestBytes)) as Manifest
  expect(manifest).toEqual(written)
  expect(manifest).toMatchObject(info)
  expect(Number.isNaN(Date.parse(manifest.created))).toBe(false)
  expect(manifest.files).toEqual(
    Object.keys(files)
      .sort()
      .map(rel => ({
        path: rel,
        size: files[rel].length,
        md5: md5(files[rel]),
        sha256: sha256(files[rel])
      }))
  )
}

const sample = (): Record<string, Buffer> => ({
  'README.md': text(3000, 'readme'),
  'src/main.c': text(20_000, 'main'),
  'src/empty.txt': Buffer.alloc(0),
  'src/ünïcode näme.txt': text(100, 'unicode'),
  [`deep/${'x'.repeat(70)}/${'y'.repeat(70)}/long-name.txt`]: text(500, 'long'), // over 100 bytes
  'assets/logo.png': randomBytes(5000),
  'assets/bundle.whl': text(10_000, 'wheel'),
  'data/big.csv': text(CHUNK_BYTES * 3 + 123, 'big'), // streamed, not read whole
  'data/big-random.bin': randomBytes(CHUNK_BYTES + 1)
})

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'archive-test-'))
  src = path.join(root, 'src')
  out = path.join(root, 'out')
  extract = path.join(root, 'x')
  await mkdir(src)
  await mkdir(extract)
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('buildArchive: zip', () => {
  it('packs every member and a manifest whose checksums match the files', async () => {
    const files = sample()
    const built = await buildArchive({
      members: await members(files),
      name: 'tool-1.0.zip',
      outDir: out,
      manifest: info
    })
    execFileSync('unzip', ['-q', built.file.path, '-d', extract])
    await expectUnpacked(files, await manifestOf(built))
    expect(execFileSync('unzip', ['-tq', built.file.path]).toString()).toMatch(/No errors/)
  })

  it('gives the md5 and size of the archive as written, and a manifest.json beside it', async () => {
    const files = sample()
    const built = await buildArchive({
      members: await members(files),
      name: 'tool.zip',
      outDir: out,
      manifest: info
    })
    const onDisk = await hashFile(built.file.path)
    expect(built.md5).toBe(onDisk.md5)
    expect(built.file).toEqual({
      path: path.join(out, 'tool.zip'),
      name: 'tool.zip',
      size: onDisk.size,
      origin: 'archive'
    })
    expect(built.manifestFile).toEqual({
      path: path.join(out, 'manifest.json'),
      name: 'manifest.json',
      size: (await readFile(path.join(out, 'manifest.json'))).length,
      origin: 'manifest'
    })
    // The same bytes as the archive's manifest.json, in the same form as JSON.stringify's
    const beside = await readFile(path.join(out, 'manifest.json'), 'utf8')
    execFileSync('unzip', ['-q', built.file.path, 'manifest.json', '-d', extract])
    expect(await readFile(path.join(extract, 'manifest.json'), 'utf8')).toBe(beside)
    expect(beside).toBe(`${JSON.stringify(JSON.parse(beside), null, 2)}\n`)
    expect((JSON.parse(beside) as Manifest).files).toHaveLength(Object.keys(files).length)
  })

  it('stores already-compressed members and deflates the others, in archivePath order', async () => {
    const files = sample()
    const built = await buildArchive({
      members: await members(files),
      name: 't.zip',
      outDir: out,
      manifest: info
    })
    const methods = new Map(
      execFileSync('unzip', ['-v', built.file.path])
        .toString()
        .split('\n')
        .map(l => /^\s*\d+\s+(\S+)\s.*\s{2}(.+)$/.exec(l))
        .filter(m => m !== null)
        .map(m => [m[2], m[1]])
    )
    expect(methods.get('assets/logo.png')).toBe('Stored')
    expect(methods.get('assets/bundle.whl')).toBe('Stored')
    expect(methods.get('src/main.c')).toMatch(/^Defl/)
    expect(methods.get('data/big.csv')).toMatch(/^Defl/)
    const order = execFileSync('unzip', ['-Z1', built.file.path]).toString().trim().split('\n')
    expect(order).toEqual([...Object.keys(files).sort(), 'manifest.json'])
  })

  it('stores everything at compression level 0', async () => {
    const files = sample()
    const built = await buildArchive({
      members: await members(files),
      name: 't.zip',
      outDir: out,
      compressionLevel: 0
    })
    const listing = execFileSync('unzip', ['-v', built.file.path]).toString()
    expect(listing).not.toMatch(/Defl/)
    execFileSync('unzip', ['-q', built.file.path, '-d', extract])
    expect((await tree(extract)).get('data/big.csv')?.equals(files['data/big.csv'])).toBe(true)
  })

  it('leaves the manifest out when not asked for it', async () => {
    const files = { 'a.txt': text(10, 'a') }
    const built = await buildArchive({ members: await members(files), name: 'a.zip', outDir: out })
    expect(await manifestOf(built)).toBeUndefined()
    expect(built.manifestFile).toBeUndefined()
    expect(execFileSync('unzip', ['-Z1', built.file.path]).toString().trim()).toBe('a.txt')
  })

  it('rejects with the name of a missing member and leaves no partial archive', async () => {
    const list = await members({ 'a.txt': text(10, 'a'), 'b.txt': text(10, 'b') })
    const missing = path.join(src, 'gone.txt')
    list.push({ path: missing, archivePath: 'gone.txt', size: 5 })
    await expect(
      buildArchive({ members: list, name: 'x.zip', outDir: out, manifest: info })
    ).rejects.toThrow(missing)
    expect(await readdir(out)).toEqual([])
  })
})

describe('buildArchive: tar.gz', () => {
  it.each(['tool-1.0.tar.gz', 'tool.tgz'])(
    'packs every member and a manifest into %s',
    async name => {
      const files = sample()
      const built = await buildArchive({
        members: await members(files),
        name,
        outDir: out,
        manifest: info
      })
      execFileSync('tar', ['-xzf', built.file.path, '-C', extract])
      await expectUnpacked(files, await manifestOf(built))
      expect(built.md5).toBe((await hashFile(built.file.path)).md5)
      const order = execFileSync('tar', ['-tzf', built.file.path]).toString().trim().split('\n')
      expect(order).toEqual([...Object.keys(files).sort(), 'manifest.json'])
    }
  )

  it('rejects with the name of a missing member and leaves no partial archive', async () => {
    const list = await members({ 'a.txt': text(10, 'a') })
    const missing = path.join(src, 'gone.bin')
    list.push({ path: missing, archivePath: 'gone.bin', size: 5 })
    await expect(buildArchive({ members: list, name: 'x.tar.gz', outDir: out })).rejects.toThrow(
      missing
    )
    expect(await readdir(out)).toEqual([])
  })
})

describe('buildArchive: many files', () => {
  it.each(['many.zip', 'many.tar.gz'])(
    'packs hundreds of small files byte for byte into %s',
    async name => {
      const files: Record<string, Buffer> = {}
      for (let i = 0; i < 300; i++) {
        files[`many/d${String(i % 7)}/f${String(i)}.txt`] = text(
          50 + ((i * 7919) % 9000),
          `file ${String(i)}`
        )
      }
      files['many/raw.jpg'] = randomBytes(3000)
      const built = await buildArchive({
        members: await members(files),
        name,
        outDir: out,
        manifest: info
      })
      if (name.endsWith('.zip')) execFileSync('unzip', ['-q', built.file.path, '-d', extract])
      else execFileSync('tar', ['-xzf', built.file.path, '-C', extract])
      await expectUnpacked(files, await manifestOf(built))
    }
  )
})

describe('buildArchive: failures', () => {
  it.each(['x.zip', 'x.tar.gz'])(
    'rejects (does not hang) when %s cannot be written',
    async name => {
      const files = sample()
      await mkdir(path.join(out, name), { recursive: true }) // a directory where the archive goes
      await expect(
        buildArchive({ members: await members(files), name, outDir: out, manifest: info })
      ).rejects.toThrow(
        new RegExp(`Building the archive ${name.replace('.', '\\.')} failed: .*EISDIR`)
      )
    }
  )

  it('rejects (does not hang) when manifest.json cannot be written, and leaves no partial archive', async () => {
    await mkdir(path.join(out, 'manifest.json'), { recursive: true }) // a directory in its place
    await expect(
      buildArchive({ members: await members(sample()), name: 'x.zip', outDir: out, manifest: info })
    ).rejects.toThrow(/Building the archive x\.zip failed: .*EISDIR/)
    expect(await readdir(out)).toEqual(['manifest.json'])
  })

  it.each(['x.zip', 'x.tar.gz'])(
    'rejects a member that is a directory into %s, naming it',
    async name => {
      const list = await members({ 'a.txt': text(10, 'a') })
      await mkdir(path.join(src, 'adir'))
      list.push({ path: path.join(src, 'adir'), archivePath: 'adir', size: 0 })
      await expect(buildArchive({ members: list, name, outDir: out })).rejects.toThrow(
        `"${path.join(src, 'adir')}"`
      )
    }
  )
})

describe('buildArchive: names', () => {
  it.each(['x.rar', 'a/b.zip'])('refuses the archive name %s', async name => {
    await expect(buildArchive({ members: [], name, outDir: out })).rejects.toThrow(
      /plain file name/
    )
  })

  it('refuses a member stored as manifest.json when the manifest is on', async () => {
    const list = await members({ 'manifest.json': Buffer.from('{}') })
    await expect(
      buildArchive({ members: list, name: 'a.zip', outDir: out, manifest: info })
    ).rejects.toThrow(/two manifest.json/)
  })
})

describe('isAlreadyCompressed', () => {
  it.each(['a.zip', 'b.tar.gz', 'C.PNG', 'dir/x.whl', 'doc.pdf', 'v.mp4'])(
    'says %s is compressed',
    n => {
      expect(isAlreadyCompressed(n)).toBe(true)
    }
  )
  it.each(['a.txt', 'b.tar', 'zip', '.gz', 'src/main.c'])('says %s is not', n => {
    expect(isAlreadyCompressed(n)).toBe(false)
  })
})

/** One central directory record of a zip, as a zip reader sees it. */
interface CentralEntry {
  name: string
  flags: number
  method: number
  /** Unix mode from the high 16 bits of the external attributes. */
  mode: number
}

/** Read a (non-ZIP64) zip's central directory. */
function centralDirectory(zip: Buffer): CentralEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  expect(eocd).toBeGreaterThan(0)
  const count = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  const entries: CentralEntry[] = []
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50)
    const nameLength = zip.readUInt16LE(at + 28)
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
    entries.push({
      name: zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      mode: zip.readUInt32LE(at + 38) >>> 16
    })
    at += 46 + skip
  }
  return entries
}

/** Bytes this process has read through read syscalls so far (Linux /proc/self/io). */
async function bytesRead(): Promise<number> {
  const io = await readFile('/proc/self/io', 'utf8')
  return Number(/^rchar:\s*(\d+)/m.exec(io)?.[1])
}

describe('buildArchive: what archiver must keep', () => {
  it.each(['x.zip', 'x.tar.gz'])(
    'reads each member once and never reads %s back to hash it',
    async name => {
      const size = 8 * CHUNK_BYTES
      const list = await members({ 'data.bin': randomBytes(size) })
      const before = await bytesRead()
      const built = await buildArchive({ members: list, name, outDir: out, manifest: info })
      const read = (await bytesRead()) - before
      // One read of the member; a second read of it, or of the archive (> 8 MiB), goes past.
      expect(read).toBeGreaterThanOrEqual(size)
      expect(read).toBeLessThan(size * 1.5)
      expect((await manifestOf(built))?.files[0].sha256).toBe(sha256(await readFile(list[0].path)))
    }
  )

  it('keeps unix modes (the executable bit) in a zip', async () => {
    const list = await members({ 'bin/run.sh': text(100, 'run'), 'notes.txt': text(100, 'n') })
    await chmod(path.join(src, 'bin/run.sh'), 0o755)
    await chmod(path.join(src, 'notes.txt'), 0o640)
    const built = await buildArchive({ members: list, name: 'm.zip', outDir: out })
    const modes = new Map(
      centralDirectory(await readFile(built.file.path)).map(e => [e.name, e.mode])
    )
    expect(modes.get('bin/run.sh')).toBe(0o100755)
    expect(modes.get('notes.txt')).toBe(0o100640)
    execFileSync('unzip', ['-q', built.file.path, '-d', extract])
    const { statSync } = await import('node:fs')
    expect(statSync(path.join(extract, 'bin/run.sh')).mode & 0o777).toBe(0o755)
  })

  it('keeps unix modes (the executable bit) in a tar.gz', async () => {
    const list = await members({ 'bin/run.sh': text(100, 'run'), 'notes.txt': text(100, 'n') })
    await chmod(path.join(src, 'bin/run.sh'), 0o755)
    await chmod(path.join(src, 'notes.txt'), 0o640)
    const built = await buildArchive({ members: list, name: 'm.tar.gz', outDir: out })
    const listing = execFileSync('tar', ['-tvzf', built.file.path]).toString()
    expect(listing).toMatch(/^-rwxr-xr-x .* bin\/run\.sh$/m)
    expect(listing).toMatch(/^-rw-r----- .* notes\.txt$/m)
  })

  it('names members in UTF-8 and says so with general purpose bit 11', async () => {
    const files = {
      'données/été.txt': text(50, 'e'),
      '日本語.md': text(50, 'j'),
      'plain.txt': text(5, 'p')
    }
    const built = await buildArchive({ members: await members(files), name: 'u.zip', outDir: out })
    const entries = centralDirectory(await readFile(built.file.path))
    expect(entries.map(e => e.name).sort()).toEqual(Object.keys(files).sort())
    for (const e of entries) {
      expect({ name: e.name, utf8: (e.flags & 0x0800) !== 0 }).toEqual({
        name: e.name,
        utf8: e.name !== 'plain.txt'
      })
    }
    execFileSync('unzip', ['-q', built.file.path, '-d', extract])
    expect((await tree(extract)).get('données/été.txt')?.equals(files['données/été.txt'])).toBe(
      true
    )
  })

  it.each(['c.zip', 'c.tar.gz'])(
    'archives in-memory content instead of the file at its path into %s',
    async name => {
      const files = { 'CITATION.cff': text(300, 'on disk'), 'src/a.c': text(2000, 'a') }
      const list: ArchiveEntry[] = await members(files)
      const rewritten = Buffer.from('cff-version: 1.2.0\ndoi: 10.5281/zenodo.123\n')
      for (const m of list) if (m.archivePath === 'CITATION.cff') m.content = rewritten
      const built = await buildArchive({ members: list, name, outDir: out, manifest: info })
      if (name.endsWith('.zip')) execFileSync('unzip', ['-q', built.file.path, '-d', extract])
      else execFileSync('tar', ['-xzf', built.file.path, '-C', extract])
      await expectUnpacked({ ...files, 'CITATION.cff': rewritten }, await manifestOf(built))
    }
  )

  it('archives in-memory content even when no file is at its path', async () => {
    const list: ArchiveEntry[] = [
      {
        path: path.join(src, 'never-written.json'),
        archivePath: 'codemeta.json',
        size: 2,
        content: Buffer.from('{}')
      }
    ]
    const built = await buildArchive({ members: list, name: 'n.zip', outDir: out, manifest: info })
    expect((await manifestOf(built))?.files).toEqual([
      {
        path: 'codemeta.json',
        size: 2,
        md5: md5(Buffer.from('{}')),
        sha256: sha256(Buffer.from('{}'))
      }
    ])
  })

  it('stores an already-compressed member given as content', async () => {
    const list: ArchiveEntry[] = [
      { path: path.join(src, 'x.png'), archivePath: 'x.png', size: 4, content: text(4000, 'p') },
      { path: path.join(src, 'x.txt'), archivePath: 'x.txt', size: 4, content: text(4000, 't') }
    ]
    const built = await buildArchive({ members: list, name: 's.zip', outDir: out })
    const methods = new Map(
      centralDirectory(await readFile(built.file.path)).map(e => [e.name, e.method])
    )
    expect(methods.get('x.png')).toBe(0)
    expect(methods.get('x.txt')).toBe(8)
  })
})

describe('buildArchive: ZIP64', () => {
  it('switches to ZIP64 end records past 65,535 entries, and unzip reads them all', async () => {
    const count = 65_600
    const list: ArchiveEntry[] = Array.from({ length: count }, (_, i) => ({
      path: path.join(src, 'unused'),
      archivePath: `e/${String(i).padStart(5, '0')}.txt`,
      size: 0,
      content: Buffer.alloc(0)
    }))
    const built = await buildArchive({ members: list, name: 'z64.zip', outDir: out })
    const zip = await readFile(built.file.path)
    // ZIP64 end of central directory record and its locator, before the classic end record.
    expect(zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBeGreaterThan(0)
    expect(zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x07]))).toBeGreaterThan(0)
    const names = execFileSync('unzip', ['-Z1', built.file.path], { maxBuffer: 64 * 1024 ** 2 })
      .toString()
      .trim()
      .split('\n')
    expect(names.length).toBe(count)
    expect(names[count - 1]).toBe(list[count - 1].archivePath)
  })
})
