import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ManifestWriter, type Manifest, type ManifestEntry } from '../src/archive/manifest.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'manifest-test-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const info = { repository: 'octo/tool', tag: 'v1.0.0', commit: 'a'.repeat(40) }
const created = new Date('2026-01-02T03:04:05.678Z')

function entry(i: number, name = `dir/file-${String(i)}.txt`): ManifestEntry {
  return { path: name, size: i * 10, md5: 'b'.repeat(32), sha256: 'c'.repeat(64) }
}

async function written(entries: ManifestEntry[]): Promise<{ text: string; size: number }> {
  const file = path.join(dir, 'manifest.json')
  const writer = new ManifestWriter(file, info, created)
  for (const e of entries) await writer.add(e)
  const size = await writer.finish()
  return { text: await readFile(file, 'utf8'), size }
}

describe('ManifestWriter', () => {
  it.each([0, 1, 3])(
    'writes, entry by entry, the same text as JSON.stringify(manifest, null, 2) (%i files)',
    async n => {
      const entries = Array.from({ length: n }, (_, i) => entry(i))
      const { text, size } = await written(entries)
      const expected: Manifest = { ...info, created: created.toISOString(), files: entries }
      expect(text).toBe(`${JSON.stringify(expected, null, 2)}\n`)
      expect(size).toBe(Buffer.byteLength(text))
    }
  )

  it('escapes names as JSON does (quotes, backslashes, line breaks, non-ASCII)', async () => {
    const names = ['a "quoted" name.txt', 'back\\slash.txt', 'line\nbreak.txt', 'ünïcode 名前.txt']
    const entries = names.map((n, i) => entry(i, n))
    const { text, size } = await written(entries)
    expect((JSON.parse(text) as Manifest).files.map(f => f.path)).toEqual(names)
    expect(size).toBe(Buffer.byteLength(text))
  })

  it('rejects when the file cannot be written', async () => {
    const writer = new ManifestWriter(path.join(dir, 'missing', 'manifest.json'), info, created)
    await expect(
      (async () => {
        await writer.add(entry(1))
        await writer.finish()
      })()
    ).rejects.toThrow(/ENOENT/)
    await writer.abort()
  })
})
