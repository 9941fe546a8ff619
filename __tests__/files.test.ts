import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, realpath, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from '@jest/globals'
import type { Problem } from '../src/errors.js'
import {
  MAX_BYTES,
  MAX_FILES,
  planFiles,
  resolveArchiveName,
  type LocalFile,
  type PlanOptions
} from '../src/files/plan.js'

let root: string
let ws: string
let outside: string

/** Create files (with parents) under `base`; content defaults to the relative path. */
async function touch(base: string, ...rels: string[]): Promise<void> {
  for (const rel of rels) {
    const p = path.join(base, rel)
    await mkdir(path.dirname(p), { recursive: true })
    await writeFile(p, rel)
  }
}

function plan(opts: Partial<PlanOptions>) {
  return planFiles({
    workspace: ws,
    files: [],
    archive: [],
    archiveName: 'repo-1.0.zip',
    manifest: true,
    ifNoFilesFound: 'error',
    ...opts
  })
}

const errors = (problems: Problem[]): Problem[] => problems.filter(p => p.severity === 'error')

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'files-test-'))
  ws = path.join(root, 'ws')
  outside = path.join(root, 'outside')
  await mkdir(ws)
  await mkdir(outside)
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('planFiles: globbing', () => {
  it('resolves relative patterns against the workspace, one per line, with negation', async () => {
    await touch(ws, 'dist/a.whl', 'dist/b.whl', 'dist/skip.whl', 'dist/notes.txt', 'README.md')
    const result = await plan({ files: ['dist/*.whl', '!dist/skip.whl', 'README.md'] })
    expect(result.problems).toEqual([])
    expect(result.uploads.map(u => u.name).sort()).toEqual(['README.md', 'a.whl', 'b.whl'])
    for (const u of result.uploads) {
      expect(path.isAbsolute(u.path)).toBe(true)
      expect(u.origin).toBe('files')
      expect(u.size).toBe(Buffer.byteLength(path.relative(ws, u.path)))
    }
  })

  it("never archives git's own files with **, including a submodule's .git file", async () => {
    await touch(
      ws,
      '.git/config',
      '.git/objects/ab/cd',
      'src/a.txt',
      'vendor/lib/.git',
      '.gitignore'
    )
    const result = await plan({ archive: ['**'] })
    expect(result.problems).toEqual([])
    expect(result.archiveMembers.map(m => m.archivePath)).toEqual(['.gitignore', 'src/a.txt'])
  })

  it('reaches into .git only when a pattern names it', async () => {
    await touch(ws, '.git/config', 'src/a.txt')
    const result = await plan({ files: ['.git/config'] })
    expect(result.uploads.map(u => u.name)).toEqual(['config'])
  })

  it('accepts several patterns in one multi-line string and skips comments', async () => {
    await touch(ws, 'a.txt', 'b.txt', 'c.txt')
    const result = await plan({ files: ['a.txt\n# a comment\nb.txt\n'] })
    expect(result.uploads.map(u => u.name).sort()).toEqual(['a.txt', 'b.txt'])
  })

  it('skips directories and takes the files inside a matched directory', async () => {
    await touch(ws, 'docs/guide/intro.md', 'docs/index.md')
    const result = await plan({ archive: ['docs/*'] })
    expect(result.problems).toEqual([])
    expect(result.archiveMembers.map(m => m.archivePath)).toEqual([
      'docs/guide/intro.md',
      'docs/index.md'
    ])
  })

  it('lists a file matched by two patterns once', async () => {
    await touch(ws, 'out/x.bin')
    const result = await plan({ files: ['out/*', 'out/x.bin', '**/*.bin'] })
    expect(result.uploads.map(u => u.name)).toEqual(['x.bin'])
  })

  it('stores archive members relative to the workspace, sorted, and outside it relative to the search root', async () => {
    await touch(ws, 'src/z.ts', 'src/a/b.ts', 'LICENSE')
    await touch(outside, 'build/gen/out.js')
    const result = await plan({
      archive: ['src', 'LICENSE', path.join(outside, 'build') + '/**/*.js']
    })
    expect(result.problems).toEqual([])
    expect(result.archiveMembers.map(m => m.archivePath)).toEqual([
      'LICENSE',
      'gen/out.js',
      'src/a/b.ts',
      'src/z.ts'
    ])
    expect(result.archiveMembers.find(m => m.archivePath === 'gen/out.js')?.path).toBe(
      path.join(outside, 'build/gen/out.js')
    )
  })

  it('picks up manifest.rdmc from the workspace root and uploads it as it is', async () => {
    await touch(ws, 'manifest.rdmc', 'a.txt')
    const result = await plan({ files: ['a.txt'] })
    expect(result.uploads).toContainEqual({
      path: path.join(ws, 'manifest.rdmc'),
      name: 'manifest.rdmc',
      size: Buffer.byteLength('manifest.rdmc'),
      origin: 'manifest.rdmc'
    })
  })

  it('uploads extra files (release assets) with the rest', async () => {
    await touch(outside, 'asset.tar.gz')
    const extra: LocalFile = {
      path: path.join(outside, 'asset.tar.gz'),
      name: 'asset.tar.gz',
      size: 12,
      origin: 'release-asset'
    }
    const result = await plan({ extra: [extra] })
    expect(result.problems).toEqual([])
    expect(result.uploads).toEqual([extra])
  })

  it('reports a pattern @actions/glob cannot use on its input', async () => {
    const result = await plan({ files: [`${outside}/../x/*.txt`] })
    expect(errors(result.problems)).toContainEqual(
      expect.objectContaining({ file: 'action input', field: 'files' })
    )
  })
})

describe('planFiles: nothing matched', () => {
  it.each([
    ['error', 'error'],
    ['warn', 'warning']
  ] as const)('reports a files pattern that matches nothing as %s', async (mode, severity) => {
    await touch(ws, 'a.txt')
    const result = await plan({ files: ['*.whl'], archive: ['a.txt'], ifNoFilesFound: mode })
    expect(result.problems).toEqual([
      expect.objectContaining({ severity, file: 'action input', field: 'files' })
    ])
  })

  it('reports an archive pattern that matches nothing on the archive input', async () => {
    const result = await plan({ archive: ['src/**'] })
    expect(result.problems).toEqual([
      expect.objectContaining({ severity: 'error', field: 'archive' })
    ])
  })

  it('says nothing when if-no-files-found is ignore', async () => {
    const result = await plan({ files: ['*.whl'], ifNoFilesFound: 'ignore' })
    expect(result.problems).toEqual([])
    expect(result.uploads).toEqual([])
  })

  it('reports that there is nothing to upload when every input is empty', async () => {
    const result = await plan({})
    expect(result.problems).toEqual([
      expect.objectContaining({ severity: 'error', field: 'files' })
    ])
  })
})

describe('planFiles: names', () => {
  it('reports two uploads with the same name', async () => {
    await touch(ws, 'a/data.csv', 'b/data.csv')
    const result = await plan({ files: ['a/data.csv', 'b/data.csv'] })
    expect(errors(result.problems)).toEqual([
      expect.objectContaining({ field: 'files', message: expect.stringContaining('"data.csv"') })
    ])
  })

  it('reports an upload named like the archive on archive-name', async () => {
    await touch(ws, 'repo-1.0.zip', 'src/x.c')
    const result = await plan({ files: ['repo-1.0.zip'], archive: ['src'] })
    expect(errors(result.problems)).toEqual([expect.objectContaining({ field: 'archive-name' })])
  })

  it('reports an upload named manifest.json only when the manifest is on', async () => {
    await touch(ws, 'manifest.json', 'src/x.c')
    const on = await plan({ files: ['manifest.json'], archive: ['src'], manifest: true })
    expect(errors(on.problems)).toEqual([
      expect.objectContaining({ field: 'files', message: expect.stringContaining('manifest') })
    ])
    const off = await plan({ files: ['manifest.json'], archive: ['src'], manifest: false })
    expect(off.problems).toEqual([])
  })

  it('reports an extra upload that clashes with a file', async () => {
    await touch(ws, 'dist/tool.tar.gz')
    await touch(outside, 'tool.tar.gz')
    const extra: LocalFile = {
      path: path.join(outside, 'tool.tar.gz'),
      name: 'tool.tar.gz',
      size: 1,
      origin: 'release-asset'
    }
    const result = await plan({ files: ['dist/*'], extra: [extra] })
    expect(errors(result.problems)).toEqual([expect.objectContaining({ field: 'files' })])
  })

  it('reports an archived file that would sit where manifest.json goes', async () => {
    await touch(ws, 'manifest.json')
    const result = await plan({ archive: ['manifest.json'] })
    expect(errors(result.problems)).toEqual([expect.objectContaining({ field: 'archive' })])
  })

  it.each(['repo.rar', 'dir/repo.zip', 'repo.tar'])(
    'reports the archive name %s on archive-name',
    async name => {
      await touch(ws, 'src/x.c')
      const result = await plan({ archive: ['src'], archiveName: name })
      expect(errors(result.problems)).toEqual([expect.objectContaining({ field: 'archive-name' })])
    }
  )

  it.each(['repo.zip', 'repo.tar.gz', 'repo.tgz'])('accepts the archive name %s', async name => {
    await touch(ws, 'src/x.c')
    const result = await plan({ archive: ['src'], archiveName: name })
    expect(result.problems).toEqual([])
  })
})

describe('planFiles: limits', () => {
  it(`reports more than ${String(MAX_FILES)} uploads, counting the archive and manifest`, async () => {
    const names = Array.from({ length: MAX_FILES - 1 }, (_, i) => `f${String(i)}.txt`)
    await touch(ws, ...names, 'src/x.c')
    const fits = await plan({ files: ['f*.txt'], archive: ['src'], manifest: false })
    expect(fits.problems).toEqual([])
    const over = await plan({ files: ['f*.txt'], archive: ['src'], manifest: true })
    expect(errors(over.problems)).toEqual([
      expect.objectContaining({
        field: 'files',
        message: expect.stringContaining(`${String(MAX_FILES + 1)} files`)
      })
    ])
  })

  it('reports a file over the per-file limit', async () => {
    await truncate(await created(path.join(ws, 'huge.bin')), MAX_BYTES + 1)
    const result = await plan({ files: ['huge.bin'] })
    expect(errors(result.problems)).toEqual([
      expect.objectContaining({ field: 'files', message: expect.stringContaining('huge.bin') })
    ])
  })

  it('accepts a file of exactly the limit', async () => {
    await truncate(await created(path.join(ws, 'max.bin')), MAX_BYTES)
    const result = await plan({ files: ['max.bin'] })
    expect(result.problems).toEqual([])
  })

  it('warns, not refuses, when archived files add up to more than the limit before compression (Zenodo judges the real size)', async () => {
    await truncate(await created(path.join(ws, 'data/a.bin')), MAX_BYTES / 2 + 1)
    await truncate(await created(path.join(ws, 'data/b.bin')), MAX_BYTES / 2)
    const result = await plan({ archive: ['data'] })
    expect(errors(result.problems)).toEqual([])
    expect(result.problems).toEqual([
      expect.objectContaining({ field: 'archive', severity: 'warning' })
    ])
  })

  it('warns when only the archive estimate brings the total over the limit', async () => {
    await truncate(await created(path.join(ws, 'a.bin')), MAX_BYTES / 2 + 1)
    await truncate(await created(path.join(ws, 'data/b.bin')), MAX_BYTES / 2)
    const result = await plan({ files: ['a.bin'], archive: ['data'] })
    expect(errors(result.problems)).toEqual([])
    expect(result.problems).toEqual([
      expect.objectContaining({
        field: 'files',
        severity: 'warning',
        message: expect.stringContaining('add up')
      })
    ])
  })

  it('reports a total over the limit when the uploaded files alone are', async () => {
    await truncate(await created(path.join(ws, 'a.bin')), MAX_BYTES / 2 + 1)
    await truncate(await created(path.join(ws, 'b.bin')), MAX_BYTES / 2)
    const result = await plan({ files: ['a.bin', 'b.bin'] })
    expect(errors(result.problems)).toEqual([
      expect.objectContaining({ field: 'files', message: expect.stringContaining('add up') })
    ])
  })

  it('takes lower limits as parameters', async () => {
    await touch(ws, 'a.txt', 'b.txt')
    const result = await plan({ files: ['*.txt'], limits: { maxFiles: 1, maxBytes: 3 } })
    expect(errors(result.problems).length).toBe(3) // too many files, and each file over 3 bytes
  })

  it('reports an extra upload that cannot be read', async () => {
    const missing = path.join(outside, 'gone.zip')
    const result = await plan({
      extra: [{ path: missing, name: 'gone.zip', size: 1, origin: 'release-asset' }]
    })
    expect(errors(result.problems)).toEqual([
      expect.objectContaining({ field: 'files', message: expect.stringContaining(missing) })
    ])
  })
})

describe('planFiles: symbolic links, special files and names', () => {
  it('refuses a link out of the workspace, naming the link and its target', async () => {
    await touch(ws, 'dist/app.tar.gz')
    await touch(outside, 'secret.txt')
    await symlink(path.join(outside, 'secret.txt'), path.join(ws, 'dist', 'secret.txt'))
    const result = await plan({ files: ['dist/*'] })
    expect(errors(result.problems)).toEqual([
      expect.objectContaining({
        field: 'files',
        message: expect.stringMatching(
          /dist\/secret\.txt" is a symbolic link to ".*outside\/secret\.txt", which leads to .* outside the workspace/
        )
      })
    ])
  })

  it('refuses a link into .git even when the link itself is outside .git', async () => {
    await touch(ws, 'docs/index.md', '.git/config')
    await symlink('../.git/config', path.join(ws, 'docs', 'config'))
    const result = await plan({ archive: ['docs/**'] })
    expect(errors(result.problems)).toEqual([
      expect.objectContaining({
        field: 'archive',
        message: expect.stringMatching(
          /docs\/config" is a symbolic link to "\.\.\/\.git\/config", which leads into a \.git directory/
        )
      })
    ])
  })

  it('does not walk a directory link out of the workspace: the link is the one problem', async () => {
    await touch(ws, 'docs/index.md')
    await touch(outside, 'a.txt', 'deep/b.txt')
    await symlink(outside, path.join(ws, 'docs', 'ext'))
    const result = await plan({ archive: ['docs/**'] })
    expect(errors(result.problems)).toHaveLength(1)
    expect(errors(result.problems)[0].message).toMatch(/docs\/ext" is a symbolic link to/)
    expect(result.archiveMembers.map(m => m.path).filter(p => p.startsWith(outside))).toEqual([])
  })

  it('refuses a dangling link', async () => {
    await symlink(path.join(ws, 'nowhere'), path.join(ws, 'gone.txt'))
    const result = await plan({ files: ['gone.txt'] })
    expect(errors(result.problems)[0].message).toMatch(/whose target does not exist/)
  })

  it('follows links inside the workspace: files under their own name, directories walked', async () => {
    await touch(ws, 'build/app-1.0.tar.gz', 'build/sub/notes.txt')
    await mkdir(path.join(ws, 'dist'))
    await symlink('../build/app-1.0.tar.gz', path.join(ws, 'dist', 'app.tar.gz'))
    await symlink('../build', path.join(ws, 'dist', 'more'))
    const result = await plan({ files: ['dist/app.tar.gz'], archive: ['dist/**'] })
    expect(result.problems).toEqual([])
    expect(result.uploads).toEqual([
      expect.objectContaining({
        name: 'app.tar.gz',
        path: await realpath(path.join(ws, 'build', 'app-1.0.tar.gz'))
      })
    ])
    expect(result.archiveMembers.map(m => m.archivePath).sort()).toEqual([
      'dist/app.tar.gz',
      'dist/more/app-1.0.tar.gz',
      'dist/more/sub/notes.txt'
    ])
  })

  it('refuses a FIFO (reading it could wait forever) instead of skipping it silently', async () => {
    await touch(ws, 'dist/a.txt')
    execFileSync('mkfifo', [path.join(ws, 'dist', 'pipe')])
    const result = await plan({ files: ['dist/*'] })
    expect(errors(result.problems)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/dist\/pipe" is a FIFO/) })
    ])
  })

  it('refuses file and archived names with control characters, shown escaped', async () => {
    await touch(ws, 'dist/x\n::error title=INJECTED::y', 'docs/ok.md', 'docs/a\rb.md')
    const result = await plan({ files: ['dist/*'], archive: ['docs/**'] })
    const messages = errors(result.problems).map(p => p.message)
    expect(messages).toEqual(
      expect.arrayContaining([
        'the file name "x\\n::error title=INJECTED::y" holds a control character',
        'the archived path "docs/a\\rb.md" holds a control character'
      ])
    )
    for (const m of messages) expect(m).not.toMatch(/[\n\r]/)
  })

  it('checks a linked manifest.rdmc like any other link', async () => {
    await touch(outside, 'manifest.rdmc')
    await symlink(path.join(outside, 'manifest.rdmc'), path.join(ws, 'manifest.rdmc'))
    await touch(ws, 'a.txt')
    const result = await plan({ files: ['a.txt'] })
    expect(result.uploads.map(u => u.name)).toEqual(['a.txt'])
    expect(errors(result.problems)[0].message).toMatch(/manifest\.rdmc" is a symbolic link/)
  })
})

describe('resolveArchiveName', () => {
  const vars = { owner: 'octo', repo: 'tool', tag: 'release/v1.2', version: '1.2' }
  it('replaces every placeholder, turning "/" in values into "-"', () => {
    expect(resolveArchiveName('{owner}-{repo}-{tag}-{version}.zip', vars)).toBe(
      'octo-tool-release-v1.2-1.2.zip'
    )
  })
  it('replaces a placeholder each time it appears and leaves unknown ones', () => {
    expect(resolveArchiveName('{repo}{repo}-{other}.tgz', vars)).toBe('tooltool-{other}.tgz')
  })
})

/** Create an empty file (with parents) and return its path. */
async function created(p: string): Promise<string> {
  await mkdir(path.dirname(p), { recursive: true })
  await writeFile(p, '')
  return p
}
