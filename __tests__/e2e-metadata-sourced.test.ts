/**
 * The metadata checks that follow a source in Zenodo's code (docs/zenodo-api.md, "Sources of the
 * metadata checks"), end to end through dist/index.js against the test server: what Zenodo
 * refuses is refused before any write; what it drops is a warning and is not in the record;
 * what it accepts publishes without a word.
 */
import {
  annotationLines,
  publishedMetadata,
  runRelease,
  sampleZenodoJson as zenodoJson,
  useE2E,
  writes,
  type ActionRun
} from './helpers/action.js'

const e2e = useE2E()

function runWith(files: Record<string, string>): Promise<ActionRun> {
  return runRelease(e2e, files, { release: { name: null } })
}

function annotations(run: ActionRun, kind: 'error' | 'warning'): string {
  return annotationLines(run, kind).join('\n')
}

/** The one published record's metadata (the run must have succeeded). */
function published(run: ActionRun): Record<string, unknown> {
  return publishedMetadata(e2e, run)
}

function refusedBeforeAnyWrite(run: ActionRun, error: RegExp): void {
  expect(run.code).toBe(1)
  expect(annotations(run, 'error')).toMatch(error)
  expect(writes(e2e.server)).toEqual([])
}

describe('dates', () => {
  test('a date with only a start, or only an end, publishes and the record carries it', async () => {
    const dates = [
      { start: '2024-01-01', type: 'Collected' },
      { end: '2024-06', type: 'Valid', description: 'until June' }
    ]
    const run = await runWith({ '.zenodo.json': zenodoJson({ dates }) })
    expect(published(run).dates).toEqual(dates)
    expect(annotations(run, 'error')).toBe('')
    expect(annotations(run, 'warning')).not.toMatch(/dates/)
  })

  test('EDTF beyond level 0 that Zenodo takes (an open end, unspecified digits, a season) publishes', async () => {
    const dates = [
      { start: '2024-01-01', end: '..', type: 'Valid' },
      { start: '2024-XX', type: 'Collected' },
      { end: '2023-21', type: 'Created' }
    ]
    const run = await runWith({ '.zenodo.json': zenodoJson({ dates }) })
    expect(published(run).dates).toEqual(dates)
    expect(annotations(run, 'error')).toBe('')
  })

  test('a date with neither start nor end is refused before any write (Zenodo answers 400)', async () => {
    const run = await runWith({ '.zenodo.json': zenodoJson({ dates: [{ type: 'Valid' }] }) })
    refusedBeforeAnyWrite(run, /\.zenodo\.json.*dates\[0\].*neither "start" nor "end"/)
  })

  test('a period that ends before it starts is refused before any write (Zenodo refuses it at publish)', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        dates: [{ start: '2024-03-01', end: '2024-01-31', type: 'Valid' }]
      })
    })
    refusedBeforeAnyWrite(run, /dates\[0\].*must not end before it starts/)
  })
})

describe('embargo', () => {
  test('an embargo that has ended is refused before any write (Zenodo refuses it at publish)', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({ access_right: 'embargoed', embargo_date: '2001-01-31' })
    })
    refusedBeforeAnyWrite(run, /embargo_date.*not in the future/)
  })

  test('an embargo that ends in the future publishes', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({ access_right: 'embargoed', embargo_date: '2999-01-31' })
    })
    expect(published(run)).toMatchObject({ access_right: 'embargoed', embargo_date: '2999-01-31' })
  })
})

describe('what Zenodo drops: a warning, and not in the record', () => {
  test('subjects (with or without identifier) publish with a warning; the keywords are kept', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        keywords: ['astronomy'],
        subjects: [{ term: 'Astronomy' }, { term: 'Physics', identifier: 'http://x.org/physics' }]
      })
    })
    const metadata = published(run)
    expect(metadata).not.toHaveProperty('subjects')
    expect(metadata.keywords).toEqual(['astronomy'])
    expect(annotations(run, 'warning')).toMatch(
      /\.zenodo\.json.*subjects.*not read by Zenodo's deposit API/
    )
  })

  test('a description shorter than 3 characters publishes with a warning, and the record has none', async () => {
    const run = await runWith({ '.zenodo.json': zenodoJson({ description: 'ok' }) })
    expect(published(run)).not.toHaveProperty('description')
    expect(annotations(run, 'warning')).toMatch(/description.*"ok" is shorter than 3 characters/)
  })

  test('coordinates Zenodo drops are a warning; out-of-range ones publish as given, silently', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        locations: [
          { place: 'Far away', lat: 123, lon: -400 },
          { place: 'Null Island', lat: 0, lon: 0 }
        ]
      })
    })
    expect(published(run).locations).toEqual([
      { place: 'Far away', lat: 123, lon: -400 },
      { place: 'Null Island' }
    ])
    const warnings = annotations(run, 'warning')
    expect(warnings).toMatch(/locations\[1\].*drops the coordinates, because lat is 0/)
    expect(warnings).not.toMatch(/locations\[0\]/)
  })

  test('a CITATION.cff with an empty license list publishes with a warning and a default license', async () => {
    const cff = [
      'cff-version: 1.2.0',
      'message: Cite me.',
      'title: My tool',
      'authors:',
      '  - family-names: Doe',
      '    given-names: Jane',
      'license: []'
    ].join('\n')
    const run = await runWith({ 'CITATION.cff': cff })
    const metadata = published(run)
    expect(metadata.license).toBeDefined()
    expect(annotations(run, 'warning')).toMatch(/CITATION\.cff.*license.*empty list/)
  })
})
