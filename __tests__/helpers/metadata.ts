/**
 * Shared setup for the metadata tests: temporary workspaces holding metadata files, the
 * real-world corpus (__tests__/fixtures/corpus) with its INDEX notes, and realistic release
 * defaults.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { releaseDefaults } from '../../src/metadata/defaults.js'
import type { ZenodoMetadata } from '../../src/metadata/types.js'

export const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'corpus')

/** A temporary directory holding the given files (path -> content); remove it with `cleanup`. */
export async function tempWorkspace(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zra-md-'))
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}

/** Remove a workspace made by tempWorkspace. */
export async function cleanup(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** One corpus file: its folder, name, bytes and the INDEX note about it. */
export interface CorpusFile {
  dir: 'zenodo' | 'zenodo-history' | 'cff' | 'cff-history'
  name: string
  content: Buffer
  note: string
}

async function readNotes(): Promise<Map<string, string>> {
  const notes = new Map<string, string>()
  for (const index of ['INDEX.tsv', 'INDEX-history.tsv']) {
    const lines = (await readFile(join(CORPUS, index), 'utf8')).split('\n')
    const header = lines[0].split('\t')
    const fileColumn = header.indexOf('file')
    const noteColumn = header.indexOf('note')
    for (const line of lines.slice(1)) {
      const cells = line.split('\t')
      if (cells.length > Math.max(fileColumn, noteColumn)) {
        notes.set(`${cells[0]}/${cells[fileColumn]}`, cells[noteColumn])
      }
    }
  }
  return notes
}

/** Every file of the corpus folders, with its INDEX note ('' when it has none). */
export async function corpusFiles(): Promise<CorpusFile[]> {
  const notes = await readNotes()
  const files: CorpusFile[] = []
  for (const dir of ['zenodo', 'zenodo-history', 'cff', 'cff-history'] as const) {
    const kind = dir.startsWith('cff') ? 'cff' : 'zenodo'
    for (const name of (await readdir(join(CORPUS, dir))).sort()) {
      files.push({
        dir,
        name,
        content: await readFile(join(CORPUS, dir, name)),
        note: notes.get(`${kind}/${name}`) ?? ''
      })
    }
  }
  return files
}

/** Defaults as the GitHub integration would derive them for a typical release. */
export function typicalDefaults(): ZenodoMetadata {
  return releaseDefaults(
    {
      tag: 'v2.0.0',
      name: 'Version 2.0.0',
      body: 'Bug fixes and **new** features.',
      publishedAt: '2026-11-20T10:00:00Z'
    },
    {
      owner: 'octo-org',
      repo: 'octo-repo',
      description: 'A test repository',
      spdxLicense: 'MIT',
      serverUrl: 'https://github.com'
    },
    [{ name: 'Adams, Alice' }, { name: 'bob' }],
    '2026-11-23'
  )
}
