/** Writing the concept DOI back into the workspace after publish (writeBack). */
import { chmod, readFile, stat, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { writeBack, type WriteBackOptions } from '../src/cite/write-back.js'
import { cleanup, tempWorkspace } from './helpers/metadata.js'

const CONCEPT = '10.5281/zenodo.4000'
const BADGE = `[![DOI](https://zenodo.org/badge/DOI/${CONCEPT}.svg)](https://doi.org/${CONCEPT})`
const CFF = 'cff-version: 1.2.0\n# cite us\ntitle: Tool\nversion: v1.0.0\n'

let dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.map(cleanup))
  dirs = []
})

async function workspace(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempWorkspace(files)
  dirs.push(dir)
  return dir
}

function options(ws: string, over: Partial<WriteBackOptions> = {}): WriteBackOptions {
  return {
    workspace: ws,
    conceptDoi: CONCEPT,
    version: 'v1.1.0',
    dateReleased: '2026-11-29',
    citationFile: true,
    readmeBadge: true,
    ...over
  }
}

describe('writeBack', () => {
  test('updates CITATION.cff and README.md and lists both as updated files', async () => {
    const ws = await workspace({ 'CITATION.cff': CFF, 'README.md': '# Tool\n\nText\n' })
    await expect(writeBack(options(ws))).resolves.toEqual({
      updatedFiles: ['CITATION.cff', 'README.md'],
      warnings: []
    })
    expect(await readFile(join(ws, 'CITATION.cff'), 'utf8')).toBe(
      'cff-version: 1.2.0\n# cite us\ntitle: Tool\nversion: v1.1.0\ndate-released: 2026-11-29\ndoi: 10.5281/zenodo.4000\n'
    )
    expect(await readFile(join(ws, 'README.md'), 'utf8')).toBe(`# Tool\n\n${BADGE}\n\nText\n`)
  })

  test('a second run changes nothing and lists no file', async () => {
    const ws = await workspace({ 'CITATION.cff': CFF, 'README.md': '# Tool\n' })
    await writeBack(options(ws))
    await expect(writeBack(options(ws))).resolves.toEqual({ updatedFiles: [], warnings: [] })
  })

  test('touches only what is switched on', async () => {
    const ws = await workspace({ 'CITATION.cff': CFF, 'README.md': '# Tool\n' })
    const r = await writeBack(options(ws, { citationFile: false }))
    expect(r.updatedFiles).toEqual(['README.md'])
    expect(await readFile(join(ws, 'CITATION.cff'), 'utf8')).toBe(CFF)
  })

  test('finds readme.md in another case', async () => {
    const ws = await workspace({ 'readme.md': 'Text\n' })
    const r = await writeBack(options(ws, { citationFile: false }))
    expect(r.updatedFiles).toEqual(['readme.md'])
  })

  test('missing files are warnings, not failures', async () => {
    const ws = await workspace({ 'other.txt': 'x' })
    const r = await writeBack(options(ws))
    expect(r.updatedFiles).toEqual([])
    expect(r.warnings).toHaveLength(2)
    expect(r.warnings[0]).toContain('no CITATION.cff')
    expect(r.warnings[1]).toContain('no README.md')
  })

  test('an invalid CITATION.cff is left as it is, with a warning naming file and line', async () => {
    const bad = 'cff-version: 1.2.0\ntitle: A\ntitle: B\n'
    const ws = await workspace({ 'CITATION.cff': bad })
    const r = await writeBack(options(ws, { readmeBadge: false }))
    expect(r.updatedFiles).toEqual([])
    expect(r.warnings[0]).toMatch(/^update-citation-file: CITATION\.cff:3:/)
    expect(await readFile(join(ws, 'CITATION.cff'), 'utf8')).toBe(bad)
  })

  test('a README that is not UTF-8 is not rewritten', async () => {
    const latin1 = Buffer.from('# Caf\xe9\n', 'latin1')
    const ws = await workspace({ 'README.md': latin1 })
    const r = await writeBack(options(ws, { citationFile: false }))
    expect(r.warnings[0]).toContain('not UTF-8')
    expect(await readFile(join(ws, 'README.md'))).toEqual(latin1)
  })

  test('a symbolic link is not followed', async () => {
    const outside = await workspace({ 'README.md': '# Elsewhere\n' })
    const ws = await workspace({})
    await symlink(join(outside, 'README.md'), join(ws, 'README.md'))
    const r = await writeBack(options(ws, { citationFile: false }))
    expect(r).toEqual({
      updatedFiles: [],
      warnings: [
        'update-readme-badge: README.md is a symbolic link; it is not followed, so no badge was added'
      ]
    })
    expect(await readFile(join(outside, 'README.md'), 'utf8')).toBe('# Elsewhere\n')
  })

  test('keeps a CRLF CITATION.cff in CRLF', async () => {
    const ws = await workspace({ 'CITATION.cff': CFF.replace(/\n/g, '\r\n') })
    await writeBack(options(ws, { readmeBadge: false }))
    const text = await readFile(join(ws, 'CITATION.cff'), 'utf8')
    expect(text.replace(/\r\n/g, '')).not.toContain('\n')
    expect(text).toContain('doi: 10.5281/zenodo.4000\r\n')
  })

  test('writes the file in place: its mode is kept', async () => {
    const ws = await workspace({ 'README.md': '# T\n' })
    await chmod(join(ws, 'README.md'), 0o600)
    await writeBack(options(ws, { citationFile: false }))
    expect((await stat(join(ws, 'README.md'))).mode & 0o777).toBe(0o600)
  })
})
