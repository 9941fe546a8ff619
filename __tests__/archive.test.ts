import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildArchive, isAlreadyCompressed, type Manifest } from '../src/archive/build.js'
import type { ArchiveMember } from '../src/files/plan.js'
import { hashFile } from '../src/files/hash.js'
import { SMALL_FILE_BYTES } from '../src/archive/zip.js'

let root: string
let src: string
let out: string
let extract: string

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
  'data/big.csv': text(SMALL_FILE_BYTES * 3 + 123, 'big'), // streamed, not read whole
  'data/big-random.bin': randomBytes(SMALL_FILE_BYTES + 1)
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
    await expectUnpacked(files, built.manifest)
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
    expect(JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8'))).toEqual(
      built.manifest
    )
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
    expect(built.manifest).toBeUndefined()
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
      await expectUnpacked(files, built.manifest)
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
        files[`many/d${i % 7}/f${i}.txt`] = text(50 + ((i * 7919) % 9000), `file ${i}`)
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
      await expectUnpacked(files, built.manifest)
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
