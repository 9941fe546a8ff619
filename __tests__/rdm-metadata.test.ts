/**
 * Legacy metadata (.zenodo.json) mapped to InvenioRDM (src/rdm/metadata.ts) the way Zenodo's
 * legacy deserializer does, InvenioRDM-shaped files recognised, and the mapped records checked
 * against an instance's vocabularies (src/rdm/vocabularies.ts) read over real HTTP from the test
 * server: the check refuses exactly what the server refuses at create.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from '@jest/globals'
import { RdmClient } from '../src/rdm/client.js'
import {
  detectScheme,
  fromRdmFile,
  isRdmShaped,
  legacyToRdm,
  publishProblems,
  saveErrorProblems,
  splitName,
  type MappedRecord
} from '../src/rdm/metadata.js'
import {
  checkVocabularies,
  readVocabularies,
  validateAgainstInstance,
  vocabularyRefs
} from '../src/rdm/vocabularies.js'
import type { ZenodoMetadata } from '../src/metadata/types.js'
import { startZenodoServer, type ZenodoTestServer } from '../test-server/zenodo-server.js'
import { closeTestClients, testClient } from './helpers/http-client.js'

const servers: ZenodoTestServer[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
  await closeTestClients()
})

async function instance(
  vocabularies: 'zenodo' | 'small'
): Promise<{ s: ZenodoTestServer; client: RdmClient }> {
  const s = await startZenodoServer({
    rdm: { mode: 'instance', vocabularies },
    rateLimitPerMinute: 0
  })
  servers.push(s)
  return { s, client: new RdmClient({ apiUrl: s.apiUrl, http: testClient(s.token).http }) }
}

const map = (meta: ZenodoMetadata): MappedRecord =>
  legacyToRdm(meta, { file: '.zenodo.json', today: '2026-01-01' })

describe('mapping legacy fields', () => {
  const table: [string, ZenodoMetadata, string, unknown][] = [
    ['upload_type alone', { upload_type: 'software' }, 'resource_type', { id: 'software' }],
    [
      'upload_type + publication_type',
      { upload_type: 'publication', publication_type: 'article' },
      'resource_type',
      { id: 'publication-article' }
    ],
    [
      'thesis becomes dissertation',
      { upload_type: 'publication', publication_type: 'thesis' },
      'resource_type',
      { id: 'publication-dissertation' }
    ],
    [
      'image_type',
      { upload_type: 'image', image_type: 'figure' },
      'resource_type',
      { id: 'image-figure' }
    ],
    ['license SPDX -> rights', { license: 'MIT' }, 'rights', [{ id: 'mit' }]],
    ['license legacy id -> rights', { license: { id: 'cc-by' } }, 'rights', [{ id: 'cc-by-4.0' }]],
    [
      'keywords -> subjects',
      { keywords: ['a', 'b'] },
      'subjects',
      [{ subject: 'a' }, { subject: 'b' }]
    ],
    ['language 2 letters -> 639-3', { language: 'de' }, 'languages', [{ id: 'deu' }]],
    ['language 3 letters as is', { language: 'eng' }, 'languages', [{ id: 'eng' }]],
    ['version', { version: 'v1.2.0' }, 'version', 'v1.2.0'],
    ['publication_date kept', { publication_date: '2024-05-06' }, 'publication_date', '2024-05-06'],
    ['publication_date defaults to today', {}, 'publication_date', '2026-01-01'],
    [
      'notes -> additional description "other"',
      { notes: 'N' },
      'additional_descriptions',
      [{ description: 'N', type: { id: 'other' } }]
    ],
    [
      'method -> additional description "methods"',
      { method: 'M' },
      'additional_descriptions',
      [{ description: 'M', type: { id: 'methods' } }]
    ],
    [
      'creator "Family, Given" with ORCID URL, GND, affiliation',
      {
        creators: [
          {
            name: 'Doe, Jane',
            orcid: 'https://orcid.org/0000-0002-1825-0097',
            gnd: '118540238',
            affiliation: 'CERN'
          }
        ]
      },
      'creators',
      [
        {
          person_or_org: {
            type: 'personal',
            given_name: 'Jane',
            family_name: 'Doe',
            identifiers: [
              { scheme: 'orcid', identifier: '0000-0002-1825-0097' },
              { scheme: 'gnd', identifier: '118540238' }
            ]
          },
          affiliations: [{ name: 'CERN' }]
        }
      ]
    ],
    [
      'contributor type -> role id',
      { contributors: [{ name: 'Jane Doe', type: 'ContactPerson' }] },
      'contributors',
      [
        {
          person_or_org: { type: 'personal', given_name: 'Jane', family_name: 'Doe' },
          role: { id: 'contactperson' }
        }
      ]
    ],
    [
      'related identifier: scheme detected, relation lower-cased, resource type',
      {
        related_identifiers: [
          {
            identifier: 'https://doi.org/10.1234/abc',
            relation: 'isSupplementTo',
            resource_type: 'software'
          }
        ]
      },
      'related_identifiers',
      [
        {
          identifier: '10.1234/abc',
          scheme: 'doi',
          relation_type: { id: 'issupplementto' },
          resource_type: { id: 'software' }
        }
      ]
    ],
    [
      'isAlternateIdentifier -> identifiers',
      {
        related_identifiers: [{ identifier: 'arXiv:2101.00001', relation: 'isAlternateIdentifier' }]
      },
      'identifiers',
      [{ identifier: 'arXiv:2101.00001', scheme: 'arxiv' }]
    ],
    [
      'grants -> funding (funder DOI replaced by ROR)',
      { grants: [{ id: '10.13039/501100000780::283595' }] },
      'funding',
      [{ funder: { id: '00k4n6c32' }, award: { id: '00k4n6c32::283595' } }]
    ],
    [
      'dates with start and end',
      { dates: [{ start: '2020-01-01', end: '2020-02-01', type: 'Collected', description: 'd' }] },
      'dates',
      [{ date: '2020-01-01/2020-02-01', type: { id: 'collected' }, description: 'd' }]
    ],
    [
      'dates with only a start, or the same day twice -> one date',
      {
        dates: [
          { start: '2020-01-01', type: 'Collected' },
          { start: '2021', end: '2021', type: 'Valid' }
        ]
      },
      'dates',
      [
        { date: '2020-01-01', type: { id: 'collected' } },
        { date: '2021', type: { id: 'valid' } }
      ]
    ],
    [
      'locations -> features with a [lon, lat] point',
      { locations: [{ place: 'Geneva', lat: 46.2, lon: 6.1, description: 'CERN' }] },
      'locations',
      {
        features: [
          {
            place: 'Geneva',
            geometry: { type: 'Point', coordinates: [6.1, 46.2] },
            description: 'CERN'
          }
        ]
      }
    ],
    ['references', { references: ['Ref A'] }, 'references', [{ reference: 'Ref A' }]]
  ]
  test.each(table)('%s', (_name, meta, field, expected) => {
    const mapped = map(meta)
    expect(mapped.problems.filter(p => p.severity === 'error')).toEqual([])
    expect(mapped.body.metadata[field]).toEqual(expected)
  })

  test('access_right: open, restricted/closed, embargoed', () => {
    expect(map({ access_right: 'open' }).body.access).toEqual({ record: 'public', files: 'public' })
    expect(map({ access_right: 'closed' }).body.access).toEqual({
      record: 'public',
      files: 'restricted'
    })
    expect(map({ access_right: 'embargoed', embargo_date: '2030-01-01' }).body.access).toEqual({
      record: 'public',
      files: 'restricted',
      embargo: { active: true, until: '2030-01-01' }
    })
    expect(map({ access_right: 'embargoed' }).problems[0]).toMatchObject({
      severity: 'error',
      field: 'access_right'
    })
  })

  test('doi: Zenodo-managed vs external; communities become inclusion requests', () => {
    expect(map({ doi: '10.5281/zenodo.1' }).body.pids).toEqual({
      doi: { identifier: '10.5281/zenodo.1', provider: 'datacite' }
    })
    expect(map({ doi: '10.1234/x' }).body.pids).toEqual({
      doi: { identifier: '10.1234/x', provider: 'external' }
    })
    expect(map({ communities: [{ identifier: 'lab' }] }).communities).toEqual(['lab'])
  })

  test('what cannot be mapped is an error naming the field and the fix; what Zenodo drops is a warning', () => {
    const m = map({
      creators: [{ name: ', Jane' }],
      related_identifiers: [{ identifier: 'TBD', relation: 'cites' }],
      dates: [{ type: 'Collected' }],
      license: 'Do What You Want',
      access_conditions: 'ask'
    })
    const byField = Object.fromEntries(m.problems.map(p => [p.field, p]))
    expect(byField['creators[0].name']).toMatchObject({ severity: 'error', file: '.zenodo.json' })
    expect(byField['related_identifiers[0].identifier'].severity).toBe('error')
    expect(byField['dates[0]'].severity).toBe('error')
    expect(byField.license.severity).toBe('error')
    expect(byField.access_conditions.severity).toBe('warning')
    for (const p of m.problems) expect(p.fix.length).toBeGreaterThan(5)
  })

  test('names split like nameparser; schemes detected like idutils', () => {
    expect(splitName('Doe, Jane Marie')).toEqual({ given: 'Jane', family: 'Marie Doe' })
    expect(splitName('Ludwig van Beethoven')).toEqual({ given: 'Ludwig', family: 'van Beethoven' })
    expect(splitName('Dr. Jane Doe')).toEqual({ given: 'Jane', family: 'Doe' })
    expect(splitName('@handle')).toEqual({ given: '', family: '@handle' })
    expect(detectScheme('doi:10.5281/zenodo.5')).toEqual({
      scheme: 'doi',
      identifier: '10.5281/zenodo.5'
    })
    expect(detectScheme('https://github.com/o/r/tree/v1')?.scheme).toBe('url')
    expect(detectScheme('swh:1:rev:' + 'a'.repeat(40))?.scheme).toBe('swh')
    expect(detectScheme('pending-zenodo-upload')).toBeUndefined()
  })

  test('an InvenioRDM-shaped file is recognised and taken as it is', () => {
    const rdm = {
      metadata: {
        resource_type: { id: 'dataset' },
        title: 'T',
        creators: [
          {
            person_or_org: {
              type: 'organizational',
              name: 'ACME',
              identifiers: [{ scheme: 'ror', identifier: '03yrm5c26' }]
            }
          }
        ]
      },
      access: { record: 'public', files: 'restricted' },
      communities: ['lab']
    }
    expect(isRdmShaped(rdm)).toBe(true)
    expect(isRdmShaped({ upload_type: 'software', creators: [{ name: 'Doe, J' }] })).toBe(false)
    const m = fromRdmFile(rdm)
    expect(m.body.metadata).toEqual(rdm.metadata)
    expect(m.body.access).toEqual(rdm.access)
    expect(m.communities).toEqual(['lab'])
  })
})

describe('validation against the instance vocabularies', () => {
  test('a small instance: misses are refused naming the legacy field and the ids on offer', async () => {
    const { client, s } = await instance('small')
    const mapped = map({
      upload_type: 'poster',
      license: 'MIT',
      language: 'nl',
      contributors: [{ name: 'Doe, J', type: 'Sponsor' }],
      related_identifiers: [{ identifier: '10.1/x', relation: 'isCompiledBy' }]
    })
    const problems = await validateAgainstInstance(client, mapped, {
      file: '.zenodo.json',
      instance: s.url
    })
    const fields = problems.map(p => p.field).sort()
    expect(fields).toEqual([
      'contributors[0].type',
      'language',
      'related_identifiers[0].relation',
      'upload_type'
    ])
    const rt = problems.find(p => p.field === 'upload_type')
    expect(rt?.message).toContain('"poster" is not a resource type of')
    expect(rt?.fix).toContain('software')
    // and the server refuses the same record at create
    const res = await client.createDraft({ ...mapped.body }).catch((e: unknown) => e)
    expect(String(res)).toContain('Invalid value')
  })

  test('large vocabularies are checked id by id, small ones read whole, all read-only', async () => {
    const { client, s } = await instance('zenodo')
    const mapped = map({ upload_type: 'software', language: 'xx1', license: 'MIT' })
    // three letters are taken as they are (as Zenodo does); the instance's languages decide
    expect(mapped.problems).toEqual([])
    const refused = await validateAgainstInstance(client, mapped, {
      file: '.zenodo.json',
      instance: s.url
    })
    expect(refused.map(p => p.field)).toEqual(['language'])
    const ok = map({ upload_type: 'software', language: 'en', license: 'MIT' })
    const vocab = await readVocabularies(client, vocabularyRefs(ok.body))
    expect(vocab.has('languages', 'eng')).toBe(true)
    expect(vocab.all('languages')).toBeUndefined()
    expect(vocab.all('licenses')?.length).toBeGreaterThan(100)
    expect(s.requests.every(r => r.method === 'GET')).toBe(true)
    expect(s.requests.some(r => r.url.startsWith('/api/vocabularies/languages/eng'))).toBe(true)
    expect(s.requests.some(r => r.url.startsWith('/api/vocabularies/languages/xx1'))).toBe(true)
  })

  test('every .zenodo.json of the corpus maps without crashing, and the check agrees with the server', async () => {
    const { client, s } = await instance('zenodo')
    const dir = join(import.meta.dirname, 'fixtures/corpus/zenodo')
    const files = readdirSync(dir).filter(f => f.endsWith('.json'))
    expect(files.length).toBeGreaterThan(100)
    const mapped: { name: string; m: MappedRecord }[] = []
    for (const name of files) {
      let json: unknown
      try {
        json = JSON.parse(readFileSync(join(dir, name), 'utf8'))
      } catch {
        continue // not JSON: the metadata reader reports it before any mapping
      }
      const obj = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>
      const m = isRdmShaped(obj) ? fromRdmFile(obj) : map(obj)
      for (const p of m.problems) {
        expect(p.field).not.toBe('')
        expect(p.fix).not.toBe('')
      }
      mapped.push({ name, m })
    }
    expect(mapped.length).toBeGreaterThan(95)
    const vocab = await readVocabularies(
      client,
      mapped.flatMap(x => vocabularyRefs(x.m.body))
    )
    let agreed = 0
    for (const { name, m } of mapped) {
      if (m.problems.some(p => p.severity === 'error')) continue
      const problems = checkVocabularies(m, vocab, { file: name, instance: s.url })
      const res = await client.createDraft({ ...m.body }).then(
        () => 'created',
        (e: unknown) => String(e)
      )
      // refused here <=> refused by the instance at create ("Invalid value <id>.")
      expect({ name, refused: res.includes('Invalid value') }).toEqual({
        name,
        refused: problems.length > 0
      })
      agreed++
    }
    expect(agreed).toBeGreaterThan(50)
  })
})

describe('what publish would refuse, before any write', () => {
  const good = {
    resource_type: { id: 'software' },
    title: 'A tool',
    publication_date: '2024-05',
    creators: [{ person_or_org: { type: 'personal', family_name: 'Doe' } }]
  }
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['a complete body', good, []],
    [
      'no resource type, short title',
      { ...good, resource_type: undefined, title: 'ab' },
      ['metadata.resource_type', 'metadata.title']
    ],
    ['a bad date', { ...good, publication_date: '31.05.2024' }, ['metadata.publication_date']],
    ['no creators', { ...good, creators: [] }, ['metadata.creators']],
    [
      'a single date and a period are fine',
      {
        ...good,
        dates: [
          { date: '2024-01-01', type: { id: 'collected' } },
          { date: '2023/2024-02', type: { id: 'created' } }
        ]
      },
      []
    ],
    [
      'a date that ends before it starts, and one without a date',
      {
        ...good,
        dates: [
          { date: '2024-03-01/2024-01-31', type: { id: 'collected' } },
          { type: { id: 'created' } }
        ]
      },
      ['metadata.dates[0].date', 'metadata.dates[1].date']
    ],
    [
      'a person without family name, an organisation without name, a bad ORCID',
      {
        ...good,
        creators: [
          { person_or_org: { type: 'personal', given_name: 'J' } },
          { person_or_org: { type: 'organizational' } },
          {
            person_or_org: {
              type: 'personal',
              family_name: 'X',
              identifiers: [{ scheme: 'orcid', identifier: '0000-0000-0000-0000' }]
            }
          }
        ]
      },
      [
        'metadata.creators[0].person_or_org.family_name',
        'metadata.creators[1].person_or_org.name',
        'metadata.creators[2].person_or_org.identifiers[0].identifier'
      ]
    ]
  ]
  test.each(cases)(
    '%s: refused here exactly when the instance refuses at publish',
    async (_n, metadata, fields) => {
      const { client } = await instance('small')
      const body = {
        metadata: JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>,
        access: { record: 'public' as const, files: 'public' as const },
        files: { enabled: true }
      }
      const problems = publishProblems(body, 'rdm.json')
      expect(problems.map(p => p.field)).toEqual(fields)
      const { draft } = await client.createDraft({ ...body })
      await client.uploadFile(draft.id, {
        path: join(
          import.meta.dirname,
          'fixtures/corpus/zenodo',
          readdirSync(join(import.meta.dirname, 'fixtures/corpus/zenodo'))[0]
        ),
        name: 'f.json'
      })
      const published = await client.publish(draft.id).then(
        () => true,
        () => false
      )
      expect(published).toBe(fields.length === 0)
    }
  )

  test('an active embargo that has ended is refused here exactly when the instance refuses it at publish', async () => {
    const { client } = await instance('small')
    const today = new Date().toISOString().slice(0, 10)
    for (const until of ['2001-01-31', today, '2999-01-31']) {
      const body = {
        metadata: JSON.parse(JSON.stringify(good)) as Record<string, unknown>,
        access: {
          record: 'public' as const,
          files: 'restricted' as const,
          embargo: { active: true, until }
        },
        files: { enabled: true }
      }
      const problems = publishProblems(body, 'rdm.json')
      expect([until, problems.map(p => p.field)]).toEqual([
        until,
        until === '2999-01-31' ? [] : ['access.embargo.until']
      ])
      const { draft } = await client.createDraft({ ...body })
      await client.uploadFile(draft.id, {
        path: join(import.meta.dirname, 'fixtures/corpus/README.md'),
        name: 'f.md'
      })
      const published = await client.publish(draft.id).then(
        () => true,
        () => false
      )
      expect([until, published]).toEqual([until, problems.length === 0])
    }
  })

  test("errors of a lenient save are told in the terms of the user's file", async () => {
    const { client } = await instance('small')
    const mapped = map({
      upload_type: 'software',
      title: 'T',
      creators: [{ name: 'Doe, J', orcid: '0000-0000-0000-0000' }]
    })
    const { errors } = await client.createDraft({ ...mapped.body })
    const problems = saveErrorProblems(errors, mapped, '.zenodo.json')
    expect(problems.map(p => [p.file, p.field])).toEqual([['.zenodo.json', 'creators[0].orcid']])
    expect(problems[0].message).toContain('Invalid ORCID identifier.')
  })
})
