/** Software Heritage rules (softwareHeritageFailures / softwareHeritageWarnings). */
import {
  SWH_MAX_BYTES,
  softwareHeritageFailures,
  softwareHeritageWarnings,
  type SwhRecord
} from '../src/cite/software-heritage.js'

const ARCHIVE = { name: 'octo-repo-v1.0.0.zip', size: 2048 }

function record(over: Partial<SwhRecord> = {}): SwhRecord {
  return { resourceType: 'software', accessRight: 'open', files: [ARCHIVE], ...over }
}

function rules(r: SwhRecord): string[] {
  return softwareHeritageFailures(r).map(f => f.rule)
}

describe('softwareHeritageFailures', () => {
  test.each(['a.zip', 'a.tar', 'a.tar.gz', 'a.tar.bz2', 'a.tar.lzma', 'A.TAR.GZ'])(
    'one open software archive %s qualifies',
    name => {
      expect(softwareHeritageFailures(record({ files: [{ name, size: 1 }] }))).toEqual([])
    }
  )

  test('an RDM software subtype qualifies', () => {
    expect(rules(record({ resourceType: 'software-computationalnotebook' }))).toEqual([])
  })

  test('a manifest beside the archive fails "exactly one file" and names both files', () => {
    const f = softwareHeritageFailures(
      record({ files: [ARCHIVE, { name: 'manifest.json', size: 10 }] })
    ).at(0)
    expect(f?.rule).toBe('one-file')
    expect(f?.message).toContain('2 files (octo-repo-v1.0.0.zip, manifest.json)')
    expect(f?.message).toContain('manifest.json inside the archive')
  })

  test('no file at all fails "exactly one file"', () => {
    expect(rules(record({ files: [] }))).toEqual(['one-file'])
  })

  test('.tgz fails with the advice to name it .tar.gz', () => {
    const f = softwareHeritageFailures(record({ files: [{ name: 'a.tgz', size: 1 }] })).at(0)
    expect(f).toEqual({
      rule: 'extension',
      message: expect.stringContaining('Name it .tar.gz') as unknown
    })
  })

  test.each(['a.7z', 'a.gz', 'a.whl', 'a.tar.xz'])('%s is not an accepted archive', name => {
    expect(rules(record({ files: [{ name, size: 1 }] }))).toEqual(['extension'])
  })

  test('100 MiB exactly qualifies, one byte more does not', () => {
    expect(rules(record({ files: [{ name: 'a.zip', size: SWH_MAX_BYTES }] }))).toEqual([])
    const f = softwareHeritageFailures(
      record({ files: [{ name: 'a.zip', size: SWH_MAX_BYTES + 1 }] })
    ).at(0)
    expect(f?.rule).toBe('size')
    expect(f?.message).toContain('100.0 MiB')
  })

  test.each(['restricted', 'embargoed', 'closed'])(
    'access right %s fails "fully open"',
    accessRight => {
      const f = softwareHeritageFailures(record({ accessRight })).at(0)
      expect(f?.rule).toBe('open')
      expect(f?.message).toContain(`"${accessRight}"`)
    }
  )

  test('reports every failing rule at once', () => {
    expect(
      rules({
        resourceType: 'dataset',
        accessRight: 'restricted',
        files: [{ name: 'x.tgz', size: 1 }]
      })
    ).toEqual(['software', 'extension', 'open'])
  })
})

describe('softwareHeritageWarnings', () => {
  test('a record that is not software gets no warning', () => {
    expect(softwareHeritageWarnings(record({ resourceType: 'dataset', files: [] }))).toEqual([])
  })

  test('a software record gets one warning per failing rule, each naming Software Heritage', () => {
    const warnings = softwareHeritageWarnings(
      record({ accessRight: 'embargoed', files: [ARCHIVE, { name: 'tool.exe', size: 5 }] })
    )
    expect(warnings).toHaveLength(2)
    for (const w of warnings) expect(w).toMatch(/^Software Heritage: /)
  })
})
