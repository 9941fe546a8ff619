/** validateMetadata, normalizeForZenodo and the rules behind them (licenses, ORCIDs, vocabularies). */
import { expect } from '@jest/globals'
import licenses from '../src/data/zenodo-licenses.json' with { type: 'json' }
import vocabularies from '../src/data/zenodo-vocabularies.json' with { type: 'json' }
import { formatProblem, type Problem } from '../src/errors.js'
import {
  isAcceptedLicense,
  licenseKey,
  matchLicense,
  suggestLicense
} from '../src/metadata/license.js'
import { checkOrcid, orcidCheckDigit } from '../src/metadata/orcid.js'
import { isEdtfDate, legacyDateOf } from '../src/metadata/schema.js'
import type { ZenodoMetadata } from '../src/metadata/types.js'
import { normalizeForZenodo, validateMetadata } from '../src/metadata/validate.js'
import { parseZenodoJson } from '../src/metadata/zenodo-json.js'
import {
  CONTRIBUTOR_ROLE_NAMES,
  CONTRIBUTOR_ROLES,
  RELATION_TYPE_NAMES,
  RELATION_TYPES,
  UPLOAD_TYPES
} from '../src/metadata/vocabulary.js'

const VALID: ZenodoMetadata = {
  upload_type: 'software',
  title: 'octo-org/octo-repo: v1.0.0',
  creators: [
    { name: 'Doe, Jane', affiliation: 'Example University', orcid: '0000-0002-1825-0097' }
  ],
  description: '<p>A tool.</p>',
  publication_date: '2026-11-20',
  access_right: 'open',
  license: 'MIT',
  version: 'v1.0.0',
  keywords: ['tools'],
  related_identifiers: [
    {
      identifier: 'https://github.com/octo-org/octo-repo/tree/v1.0.0',
      relation: 'isSupplementTo',
      resource_type: 'software',
      scheme: 'url'
    }
  ]
}

const ORIGINS: Record<string, string> = Object.fromEntries(
  Object.keys(VALID).map(k => [k, '.zenodo.json'])
)

function check(changes: Record<string, unknown>, origins = ORIGINS): Problem[] {
  const metadata: ZenodoMetadata = Object.fromEntries(
    Object.entries({ ...VALID, ...changes }).filter(([, value]) => value !== undefined)
  )
  return validateMetadata(metadata, {
    ...origins,
    ...Object.fromEntries(Object.keys(changes).map(k => [k, origins[k] ?? '.zenodo.json']))
  })
}

function errorsOf(changes: Record<string, unknown>): Problem[] {
  return check(changes).filter(p => p.severity === 'error')
}

function onlyError(changes: Record<string, unknown>): Problem {
  const errors = errorsOf(changes)
  expect(errors).toHaveLength(1)
  return errors[0]
}

test('complete valid metadata has no problems', () => {
  expect(validateMetadata(VALID, ORIGINS)).toEqual([])
})

test('every problem names the file, the field path, the message and a fix', () => {
  const problems = validateMetadata(
    { ...VALID, creators: [{ name: 'A' }, { name: 'B', orcid: '0000-0002-1825-0098' }] },
    { ...ORIGINS, creators: 'the metadata input' }
  )
  expect(problems).toHaveLength(1)
  expect(formatProblem(problems[0])).toBe(
    'the metadata input: creators[1].orcid: ORCID "0000-0002-1825-0098" fails the ORCID checksum, so it is not a real iD (a digit is probably mistyped). ' +
      "Fix: copy the iD again from the person's ORCID record (https://orcid.org)"
  )
})

describe('resource type', () => {
  test('an unknown upload_type is an error suggesting the near miss', () => {
    const e = onlyError({ upload_type: 'sofware' })
    expect(e.field).toBe('upload_type')
    expect(e.fix).toMatch(/^use "software" \(did you mean it\?\), or one of: publication, /)
  })

  test('upload types come from the depositable resource types of the vocabulary', () => {
    const depositable = vocabularies.resource_types
      .filter(t => t.depositable)
      .map(t => t.id.split('-')[0])
    expect([...UPLOAD_TYPES].sort()).toEqual([...new Set(depositable)].sort())
    const notDepositable = vocabularies.resource_types.filter(t => !t.depositable).map(t => t.id)
    for (const id of notDepositable) expect(errorsOf({ upload_type: id })).toHaveLength(1)
  })

  test('a publication subtype must be one Zenodo knows; thesis is accepted as dissertation', () => {
    expect(errorsOf({ upload_type: 'publication', publication_type: 'article' })).toEqual([])
    expect(errorsOf({ upload_type: 'publication', publication_type: 'thesis' })).toEqual([])
    const e = onlyError({ upload_type: 'publication', publication_type: 'artcle' })
    expect(e.field).toBe('publication_type')
    expect(e.fix).toMatch(/"article"/)
  })

  test('an image subtype is checked against the image types', () => {
    expect(errorsOf({ upload_type: 'image', image_type: 'photo' })).toEqual([])
    expect(onlyError({ upload_type: 'image', image_type: 'selfie' }).field).toBe('image_type')
  })

  test('a subtype for another upload type is a warning that Zenodo ignores it', () => {
    const problems = check({ upload_type: 'software', publication_type: 'book' })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ severity: 'warning', field: 'publication_type' })
  })

  test('a missing upload_type is an error', () => {
    expect(onlyError({ upload_type: undefined }).fix).toMatch(/"software"/)
  })
})

describe('access rights', () => {
  test('an unknown access right is an error listing the four', () => {
    expect(onlyError({ access_right: 'public' }).fix).toBe(
      'use one of: open, embargoed, restricted, closed'
    )
  })

  test('embargoed needs an embargo_date of the form YYYY-MM-DD', () => {
    expect(onlyError({ access_right: 'embargoed' }).field).toBe('embargo_date')
    expect(errorsOf({ access_right: 'embargoed', embargo_date: '2999-01-31' })).toEqual([])
    expect(onlyError({ access_right: 'embargoed', embargo_date: '31.01.2027' }).field).toBe(
      'embargo_date'
    )
  })

  test('an embargo that has already ended is an error', () => {
    const e = onlyError({ access_right: 'embargoed', embargo_date: '2001-01-31' })
    expect(e.field).toBe('embargo_date')
    expect(e.message).toMatch(/not in the future/)
  })

  test('restricted needs nothing more (Zenodo drops access_conditions, so it cannot require it)', () => {
    expect(errorsOf({ access_right: 'restricted' })).toEqual([])
  })

  test('access_conditions is a warning that Zenodo drops it', () => {
    const problems = validateMetadata(
      { ...VALID, access_right: 'restricted', access_conditions: 'Ask us.' },
      ORIGINS
    )
    expect(problems.filter(p => p.severity === 'error')).toEqual([])
    expect(problems.find(p => p.field === 'access_conditions')).toMatchObject({
      severity: 'warning',
      message: expect.stringMatching(/dropped by Zenodo/) as unknown
    })
  })

  test('closed is accepted with a warning that Zenodo stores it as restricted', () => {
    const problems = validateMetadata({ ...VALID, access_right: 'closed' }, ORIGINS)
    expect(problems.filter(p => p.severity === 'error')).toEqual([])
    expect(problems.find(p => p.field === 'access_right')?.message).toMatch(
      /stored by Zenodo as "restricted"/
    )
  })

  test('publication_type thesis is accepted with a notice that it becomes dissertation', () => {
    const problems = validateMetadata(
      { ...VALID, upload_type: 'publication', publication_type: 'thesis' },
      ORIGINS
    )
    expect(problems.filter(p => p.severity === 'error')).toEqual([])
    expect(problems.find(p => p.field === 'publication_type')?.message).toMatch(/dissertation/)
  })
})

describe('license', () => {
  test.each([
    'MIT',
    'mit',
    ' Apache-2.0 ',
    'CC-BY-4.0',
    'cc-zero',
    'mit-license',
    'other-open',
    'GPL-3.0-only'
  ])('accepts %j (trimmed, any case, aliases)', license => {
    expect(errorsOf({ license })).toEqual([])
    expect(errorsOf({ license: { id: license } })).toEqual([])
  })

  test('an unknown license suggests the SPDX id for free text and URLs', () => {
    expect(onlyError({ license: 'BSD 3-Clause License' }).fix).toBe('use "BSD-3-Clause"')
    expect(onlyError({ license: 'http://www.opensource.org/licenses/BSD-3-Clause' }).fix).toBe(
      'use "BSD-3-Clause"'
    )
    expect(onlyError({ license: { id: 'Apache License 2.0' } }).fix).toBe('use "Apache-2.0"')
  })

  test('an unknown license with nothing close lists common ids', () => {
    const e = onlyError({ license: 'my own terms' })
    expect(e.message).toBe('"my own terms" is not a license id Zenodo accepts')
    expect(e.fix).toMatch(/SPDX/)
  })

  test('a list or an object without id is an error of shape', () => {
    expect(onlyError({ license: ['MIT'] }).message).toMatch(/license id string or an object/)
    expect(onlyError({ license: { name: 'MIT' } }).message).toMatch(
      /license id string or an object/
    )
  })

  test('matching follows the rule in zenodo-licenses.json: keys and aliases', () => {
    // "fal" and "gfdl" are keys, but their aliases lead to ids that are not: Zenodo rejects them.
    const aliasedAway = ['fal', 'gfdl']
    for (const key of Object.keys(licenses.legacy_to_rdm)) {
      expect([key, isAcceptedLicense(key.toUpperCase())]).toEqual([key, !aliasedAway.includes(key)])
    }
    expect(licenseKey(' MIT ')).toBe('mit')
    expect(licenseKey('cc-zero')).toBe('cc0-1.0')
    for (const alias of Object.keys(licenses.aliases)) {
      expect([alias, isAcceptedLicense(alias)]).toEqual([alias, !aliasedAway.includes(alias)])
    }
    expect(licenseKey('artistic-license-2.0')).toBe('artistic-2.0')
    expect(matchLicense(42)).toEqual({ ok: false, reason: 'shape', value: 42 })
    expect(matchLicense({ id: 'MIT' })).toMatchObject({ ok: true, key: 'mit' })
  })

  test('suggestions are themselves accepted licenses', () => {
    for (const text of [
      'GNU GPL v3',
      'Apache 2',
      'BSD-3',
      'CC BY 4.0',
      'https://opensource.org/licenses/MIT'
    ]) {
      const suggestion = suggestLicense(text)
      if (suggestion !== undefined) expect(isAcceptedLicense(suggestion)).toBe(true)
    }
    expect(suggestLicense('https://opensource.org/licenses/MIT')).toBe('MIT')
  })

  test('no license is a warning naming the license Zenodo will apply', () => {
    const problems = check({ license: undefined })
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', field: 'license' })])
    expect(problems[0].message).toMatch(/CC-BY-4.0/)
    expect(check({ license: undefined, upload_type: 'dataset' })[0].message).toMatch(/CC0-1.0/)
    expect(check({ license: undefined, access_right: 'restricted' })).toEqual([])
  })
})

describe('related identifiers', () => {
  test('relation names are matched case-insensitively, isAlternateIdentifier included', () => {
    expect(
      errorsOf({
        related_identifiers: [
          { identifier: '10.1/a', relation: 'ISDOCUMENTEDBY' },
          { identifier: '10.1/b', relation: 'isAlternateIdentifier' }
        ]
      })
    ).toEqual([])
  })

  test('every relation type of the vocabulary is accepted and has a documented spelling', () => {
    expect(RELATION_TYPE_NAMES.map(n => n.toLowerCase()).sort()).toEqual([...RELATION_TYPES].sort())
    const all = vocabularies.relation_types.map((relation, i) => ({
      identifier: `10.1234/x${String(i)}`,
      relation
    }))
    expect(errorsOf({ related_identifiers: all })).toEqual([])
  })

  test('an unknown relation is an error with a suggestion', () => {
    const e = onlyError({ related_identifiers: [{ identifier: '10.1/x', relation: 'isCitedByy' }] })
    expect(e.field).toBe('related_identifiers[0].relation')
    expect(e.fix).toMatch(/^use "isCitedBy" \(did you mean it\?\)/)
  })

  test('identifier and relation are required', () => {
    const errors = errorsOf({ related_identifiers: [{ resource_type: 'software' }] })
    expect(errors.map(e => e.field).sort()).toEqual([
      'related_identifiers[0].identifier',
      'related_identifiers[0].relation'
    ])
  })

  test('resource_type must be a resource type id', () => {
    expect(
      errorsOf({
        related_identifiers: [
          { identifier: '10.1/a', relation: 'cites', resource_type: 'publication-article' }
        ]
      })
    ).toEqual([])
    const e = onlyError({
      related_identifiers: [{ identifier: '10.1/a', relation: 'cites', resource_type: 'website' }]
    })
    expect(e.field).toBe('related_identifiers[0].resource_type')
  })

  test('an entry written as a string is exactly one problem', () => {
    const e = onlyError({ related_identifiers: ['10.1/x'] })
    expect(e.field).toBe('related_identifiers[0]')
    expect(e.message).toMatch(/must be an object/)
  })

  test('an entry added by another origin is reported against that origin', () => {
    const problems = validateMetadata(
      {
        ...VALID,
        related_identifiers: [
          { identifier: '10.1/a', relation: 'cites' },
          { identifier: '10.1/b', relation: 'nope' }
        ]
      },
      {
        ...ORIGINS,
        related_identifiers: '.zenodo.json',
        'related_identifiers[1]': 'the metadata input'
      }
    )
    expect(problems[0]).toMatchObject({
      file: 'the metadata input',
      field: 'related_identifiers[1].relation'
    })
  })
})

describe('creators and contributors', () => {
  test('at least one creator is required', () => {
    expect(onlyError({ creators: [] }).message).toBe('is an empty list')
    expect(onlyError({ creators: undefined }).field).toBe('creators')
  })

  test('each creator needs a non-empty name', () => {
    expect(onlyError({ creators: [{ affiliation: 'X' }] }).field).toBe('creators[0].name')
    expect(onlyError({ creators: [{ name: '  ' }] }).field).toBe('creators[0].name')
  })

  test('an ORCID written as a URL is accepted with a warning, and sent bare as Zenodo stores it', () => {
    const metadata = {
      ...VALID,
      creators: [{ name: 'A', orcid: 'https://orcid.org/0000-0002-1825-0097' }]
    }
    const problems = validateMetadata(metadata, ORIGINS)
    expect(problems.filter(p => p.severity === 'error')).toEqual([])
    expect(problems.find(p => p.field === 'creators[0].orcid')?.fix).toBe(
      'write the bare iD: "0000-0002-1825-0097"'
    )
    expect(normalizeForZenodo(metadata).creators?.[0].orcid).toBe('0000-0002-1825-0097')
  })

  test('an ORCID failing the checksum stays an error (Zenodo refuses it at publish)', () => {
    expect(onlyError({ creators: [{ name: 'A', orcid: '0000-0000-0000-0000' }] }).message).toMatch(
      /fails the ORCID checksum/
    )
  })

  test('a gnd that is not a GND id is an error (Zenodo fails with a 500)', () => {
    const e = onlyError({ creators: [{ name: 'A', gnd: 'Jane Doe' }] })
    expect(e.field).toBe('creators[0].gnd')
    expect(errorsOf({ creators: [{ name: 'A', gnd: 'gnd:118540238' }] })).toEqual([])
  })

  test('related and alternate identifiers with no scheme Zenodo allows are errors', () => {
    const problems = errorsOf({
      related_identifiers: [
        { identifier: 'pending-zenodo-upload', relation: 'isVersionOf' },
        { identifier: 'arXiv:2101.00001', relation: 'isDocumentedBy' }
      ],
      alternate_identifiers: [
        { identifier: 'swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505' },
        { identifier: 'urn:nbn:de:1-2' }
      ]
    })
    expect(problems.map(p => p.field)).toEqual([
      'related_identifiers[0].identifier',
      'alternate_identifiers[0].identifier'
    ])
    expect(problems[1].message).toMatch(/Software Heritage/)
  })

  test('an ORCID of the wrong form is an error', () => {
    const e = onlyError({ creators: [{ name: 'A', orcid: '000-0002-8218-3116' }] })
    expect(e.message).toMatch(/not of the form 0000-0000-0000-000X/)
  })

  test('an ORCID ending in X with a valid checksum is accepted', () => {
    expect(errorsOf({ creators: [{ name: 'A', orcid: '0000-0002-1694-233X' }] })).toEqual([])
  })

  test('the same problem in many creators is one problem listing the others', () => {
    const creators = Array.from({ length: 8 }, (_, i) => ({
      name: `P${String(i)}`,
      orcid: '0000-0002-1825-0098'
    }))
    const [e, ...rest] = errorsOf({ creators })
    expect(rest).toEqual([])
    expect(e.field).toBe('creators[0].orcid')
    expect(e.message).toMatch(/creators\[1\]\.orcid, .*\(8 in all\)/)
  })

  test('contributors need a type from the role list, matched case-insensitively', () => {
    expect(errorsOf({ contributors: [{ name: 'A', type: 'editor' }] })).toEqual([])
    expect(onlyError({ contributors: [{ name: 'A' }] }).field).toBe('contributors[0].type')
    const e = onlyError({ contributors: [{ name: 'A', type: 'Maintainer' }] })
    expect(e.message).toBe('"Maintainer" is not a contributor type Zenodo knows')
    expect(CONTRIBUTOR_ROLE_NAMES.map(r => r.toLowerCase())).toEqual([...CONTRIBUTOR_ROLES])
  })
})

describe('dates, language and other fields', () => {
  test('publication_date may be left out (Zenodo makes it today)', () => {
    expect(errorsOf({ publication_date: undefined })).toEqual([])
  })

  test('publication_date must be a real date', () => {
    expect(onlyError({ publication_date: '2024-29-11' }).field).toBe('publication_date')
    // EDTF's grammar (Zenodo's check) takes February 29 in any year: a warning, not a refusal
    expect(errorsOf({ publication_date: '2023-02-29' })).toEqual([])
    expect(check({ publication_date: '2023-02-29' })).toEqual([
      expect.objectContaining({
        severity: 'warning',
        field: 'publication_date',
        message: expect.stringMatching(/2023 has no February 29/) as unknown
      })
    ])
    expect(errorsOf({ publication_date: '2024-02-29' })).toEqual([])
    expect(errorsOf({ publication_date: '2024-05' })).toEqual([])
  })

  test('dates need a type from the date types, and a start or an end', () => {
    expect(
      errorsOf({ dates: [{ start: '2024-01-01', end: '2024-02-01', type: 'collected' }] })
    ).toEqual([])
    expect(onlyError({ dates: [{ start: '2024-01-01', end: '2024-02-01' }] }).field).toBe(
      'dates[0].type'
    )
    expect(
      onlyError({ dates: [{ start: '2024-01-01', end: '2024-02-01', type: 'Later' }] }).message
    ).toMatch(/date type/)
    expect(onlyError({ dates: [{ type: 'Valid' }] })).toMatchObject({
      field: 'dates[0]',
      message: expect.stringMatching(/neither "start" nor "end".*Invalid date provided/) as unknown
    })
  })

  test('a date with only a start, only an end, or the same day twice is accepted (Zenodo stores one date)', () => {
    expect(check({ dates: [{ start: '2024-01-01', type: 'Valid' }] })).toEqual([])
    expect(check({ dates: [{ end: '2024-02', type: 'collected' }] })).toEqual([])
    expect(check({ dates: [{ start: '2024-01-01', end: '2024-01-01', type: 'Created' }] })).toEqual(
      []
    )
    expect(legacyDateOf('2024-01-01', undefined)).toBe('2024-01-01')
    expect(legacyDateOf(undefined, '2024')).toBe('2024')
    expect(legacyDateOf('2024-01-01', '2024-01-01')).toBe('2024-01-01')
    expect(legacyDateOf('2024-01-01', '2024-03')).toBe('2024-01-01/2024-03')
    expect(legacyDateOf(' ', '')).toBeUndefined()
  })

  test('a period that ends before it starts is refused, as InvenioRDM refuses it', () => {
    expect(
      onlyError({ dates: [{ start: '2024-03-01', end: '2024-01-31', type: 'Valid' }] })
    ).toMatchObject({
      field: 'dates[0]',
      message: expect.stringMatching(/must not end before it starts/) as unknown
    })
    expect(check({ dates: [{ start: '2024-03', end: '2024', type: 'Valid' }] })).toEqual([])
    expect(onlyError({ publication_date: '2024-05-01/2023' }).field).toBe('publication_date')
    expect(isEdtfDate('2023/2024-01')).toBe(true)
    expect(isEdtfDate('2024-02/2024-01-31')).toBe(false)
  })

  test('EDTF dates and intervals are taken as python-edtf parses them (InvenioRDM takes any EDTF Date or Interval), not only level 0', () => {
    for (const ok of [
      '2024',
      '2024-05',
      '2024-05-31',
      '2023-02-29', // EDTF's grammar allows day 29 in any February
      '-0100',
      'Y170000002',
      '201X',
      '20XX',
      '2024-XX',
      '2024-05-XX',
      '2024-21', // a season
      '2024?',
      '2004-06~',
      '2004?-06-~11',
      '2024-01-01/..',
      '../2024',
      '2024-01-01/',
      '/2024',
      '1984?/2004-06~',
      '2024-01/2024-01'
    ]) {
      expect([ok, isEdtfDate(ok)]).toEqual([ok, true])
    }
    for (const bad of [
      '',
      '..',
      '../..',
      'May 2024',
      '2024-13',
      '2024-02-30',
      '2024-04-31',
      '2024/05/31',
      '31.05.2024',
      '2024-21-01',
      '2024-05-01/2024-04-30'
    ]) {
      expect([bad, isEdtfDate(bad)]).toEqual([bad, false])
    }
  })

  test('a legacy date with an open end ("..") is accepted: Zenodo stores "start/.."', () => {
    expect(check({ dates: [{ start: '2024-01-01', end: '..', type: 'Valid' }] })).toEqual([])
    expect(check({ dates: [{ start: '2024-XX', type: 'Collected' }] })).toEqual([])
    expect(onlyError({ dates: [{ start: '..', type: 'Valid' }] }).field).toBe('dates[0]')
    expect(onlyError({ dates: [{ start: '..', end: '..', type: 'Valid' }] }).field).toBe('dates[0]')
  })

  test('language is a 2- or 3-letter code', () => {
    expect(errorsOf({ language: 'en' })).toEqual([])
    expect(errorsOf({ language: 'eng' })).toEqual([])
    expect(onlyError({ language: 'English' }).fix).toMatch(/"eng"/)
  })

  test('communities are objects with an identifier', () => {
    expect(errorsOf({ communities: [{ identifier: 'zenodo' }] })).toEqual([])
    expect(onlyError({ communities: ['zenodo'] }).field).toBe('communities[0]')
    expect(onlyError({ communities: [{ id: 'zenodo' }] }).field).toBe('communities[0].identifier')
  })

  test('grants need an id; one without funder prefix is a warning', () => {
    expect(onlyError({ grants: [{}] }).field).toBe('grants[0].id')
    const problems = check({ grants: [{ id: '777541' }] })
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        field: 'grants[0].id',
        message: expect.stringMatching(
          /reads it as a European Commission grant, "10\.13039\/501100000780::777541"/
        ) as unknown
      })
    ])
    expect(check({ grants: [{ id: '10.13039/501100000780::777541' }] })).toEqual([])
  })

  test('keywords are a list of strings', () => {
    expect(onlyError({ keywords: 'a, b' }).message).toMatch(/must be a list/)
    expect(onlyError({ keywords: ['a', 2] }).field).toBe('keywords[1]')
  })

  test('locations need a place', () => {
    expect(onlyError({ locations: [{ lat: 1, lon: 2 }] }).field).toBe('locations[0].place')
  })

  test('coordinates out of range are accepted, as Zenodo takes them (no range check)', () => {
    expect(check({ locations: [{ place: 'P', lat: 123, lon: -400 }] })).toEqual([])
    expect(normalizeForZenodo({ locations: [{ place: 'P', lat: 123, lon: -400 }] })).toEqual({
      locations: [{ place: 'P', lat: 123, lon: -400 }]
    })
  })

  test('coordinates Zenodo drops (a 0, one alone, not a number) are a warning and are not sent', () => {
    const locations = [
      { place: 'Equator', lat: 0, lon: 10 },
      { place: 'Half', lat: 5 },
      { place: 'Words', lat: 'north', lon: 6.1 }
    ]
    const problems = check({ locations })
    expect(problems.filter(p => p.severity === 'error')).toEqual([])
    expect(problems.map(p => [p.severity, p.field, p.message])).toEqual([
      ['warning', 'locations[0]', expect.stringMatching(/drops the coordinates, because lat is 0/)],
      ['warning', 'locations[1]', expect.stringMatching(/because only lat is given/)],
      ['warning', 'locations[2]', expect.stringMatching(/because lat is not a number/)]
    ])
    expect(normalizeForZenodo({ locations }).locations).toEqual([
      { place: 'Equator' },
      { place: 'Half' },
      { place: 'Words' }
    ])
  })

  test('coordinates written as text are sent as written (Zenodo reads them as numbers), with a warning; text "0" is kept, as Zenodo keeps it', () => {
    const locations = [
      { place: 'Geneva', lat: '46.2', lon: 6.1 },
      { place: 'Greenwich', lat: 51.48, lon: '0' }
    ]
    expect(check({ locations })).toEqual([
      expect.objectContaining({ severity: 'warning', field: 'locations[0].lat' }),
      expect.objectContaining({
        severity: 'warning',
        field: 'locations[1].lon',
        message: 'is text; Zenodo stores the number 0'
      })
    ])
    // a number 0 would make Zenodo drop the point (`if lat and lon`); the text "0" does not
    expect(normalizeForZenodo({ locations }).locations).toEqual(locations)
  })

  test('what publish requires: a title of 3 characters', () => {
    expect(onlyError({ title: 'ab ' }).field).toBe('title')
    expect(onlyError({ title: undefined }).message).toBe('is missing')
  })

  test('a description is optional; one shorter than 3 characters is a warning and is not sent (Zenodo drops it)', () => {
    expect(check({ description: undefined })).toEqual([])
    for (const description of ['', '  ', 'ok', ' ab ']) {
      const problems = check({ description })
      expect(problems).toEqual([
        expect.objectContaining({
          severity: 'warning',
          field: 'description',
          message: expect.stringMatching(/Zenodo drops such a description/) as unknown
        })
      ])
      expect(normalizeForZenodo({ title: 'T', description })).toEqual({ title: 'T' })
    }
    expect(check({ description: 'abc' })).toEqual([])
    expect(normalizeForZenodo({ description: 'abc' })).toEqual({ description: 'abc' })
  })

  test('a DOI in the metadata is a warning (Zenodo takes it, and the record may not get new versions)', () => {
    const problems = check({ doi: '10.5281/zenodo.123' })
    expect(problems.filter(p => p.severity === 'error')).toEqual([])
    expect(problems.find(p => p.field === 'doi')).toMatchObject({
      severity: 'warning',
      fix: expect.stringMatching(/remove "doi"/) as unknown
    })
  })

  test('a missing field is reported against the metadata file that could add it', () => {
    const problems = validateMetadata(
      { ...VALID, title: undefined },
      { creators: 'release defaults', keywords: 'CITATION.cff' }
    )
    expect(problems[0]).toMatchObject({ file: 'CITATION.cff', field: 'title' })
    const both = validateMetadata(
      { ...VALID, title: undefined },
      { creators: 'the metadata input', keywords: '.zenodo.json' }
    )
    expect(both[0]).toMatchObject({ file: '.zenodo.json', field: 'title' })
  })
})

describe('ORCID check digit', () => {
  test.each([
    ['000000021825009', '7'],
    ['000000015109370', '0'],
    ['000000021694233', 'X']
  ])('the check digit of %s is %s', (digits, expected) => {
    expect(orcidCheckDigit(digits)).toBe(expected)
  })

  test('checkOrcid recognises the URL form, the bare form and bad digits', () => {
    expect(checkOrcid('0000-0002-1825-0097')).toBeUndefined()
    expect(checkOrcid('http://orcid.org/0000-0002-1825-0097')).toEqual({
      kind: 'url',
      bare: '0000-0002-1825-0097'
    })
    expect(checkOrcid('0000-0002-1825-0096')).toEqual({ kind: 'checksum', expected: '7' })
    expect(checkOrcid('0000000218250097')).toEqual({ kind: 'form' })
  })
})

describe('normalizeForZenodo', () => {
  test('drops undefined, null and empty values, also inside lists', () => {
    const normalized = normalizeForZenodo({
      ...VALID,
      doi: '',
      notes: undefined,
      grants: [],
      language: null as unknown as string,
      creators: [{ name: 'Doe, Jane', affiliation: '', orcid: undefined }],
      custom: {}
    })
    expect(normalized).toEqual({ ...VALID, creators: [{ name: 'Doe, Jane' }] })
  })

  test('keeps every accepted value unchanged', () => {
    const full: ZenodoMetadata = {
      ...VALID,
      license: { id: 'MIT' },
      locations: [{ place: 'Geneva', lat: 46.2, lon: 6.1 }],
      prereserve_doi: false
    }
    expect(normalizeForZenodo(full)).toEqual(full)
  })
})

describe('problems in values from CITATION.cff', () => {
  test('are reported under the CFF names: authors, abstract', () => {
    const origins = { ...ORIGINS, creators: 'CITATION.cff', description: 'CITATION.cff' }
    const problems = validateMetadata(
      {
        ...VALID,
        creators: [{ name: 'A' }, { name: 'B', orcid: '0000-0002-1825-0098' }],
        description: ' '
      },
      origins
    )
    expect(problems.map(p => formatProblem(p).split('. Fix:')[0]).sort()).toEqual([
      'CITATION.cff: abstract: is empty; Zenodo drops such a description, so the record will have none',
      'CITATION.cff: authors[1].orcid: ORCID "0000-0002-1825-0098" fails the ORCID checksum, so it is not a real iD (a digit is probably mistyped)'
    ])
  })

  test('a missing author list gets a fix in CFF terms', () => {
    const problems = validateMetadata(
      { ...VALID, creators: [] },
      { ...ORIGINS, creators: 'CITATION.cff' }
    )
    expect(problems[0]).toMatchObject({
      field: 'authors',
      fix: expect.stringMatching(/family-names/)
    })
  })
})

describe('line numbers', () => {
  test('a problem gets the line of its field, or of the nearest enclosing entry, in its file', () => {
    const positions = {
      '.zenodo.json': {
        creators: { line: 3, column: 3 },
        'creators[1]': { line: 5, column: 5 },
        'creators[1].orcid': { line: 5, column: 19 }
      }
    }
    const creators = [{ name: 'A' }, { orcid: '0000-0002-1825-0098' }] as ZenodoMetadata['creators']
    const problems = validateMetadata({ ...VALID, creators }, ORIGINS, positions)
    expect(problems.map(p => [p.field, p.line, p.column]).sort()).toEqual([
      ['creators[1].name', 5, 5],
      ['creators[1].orcid', 5, 19]
    ])
    expect(formatProblem(problems.find(p => p.field.endsWith('orcid')) as Problem)).toMatch(
      /^\.zenodo\.json:5:19: creators\[1\]\.orcid: /
    )
  })

  test('a problem in a value from CITATION.cff is located by its CFF path', () => {
    const positions = { 'CITATION.cff': { 'authors[0].orcid': { line: 7, column: 5 } } }
    const [problem] = validateMetadata(
      { ...VALID, creators: [{ name: 'A', orcid: '0000-0002-1825-0098' }] },
      { ...ORIGINS, creators: 'CITATION.cff' },
      positions
    )
    expect(problem).toMatchObject({ file: 'CITATION.cff', field: 'authors[0].orcid', line: 7 })
  })

  test('positions of another file are not used', () => {
    const positions = { 'CITATION.cff': { title: { line: 1, column: 1 } } }
    const [problem] = validateMetadata({ ...VALID, title: 'ab' }, ORIGINS, positions)
    expect(problem.line).toBeUndefined()
  })
})

test('never throws, and names field and fix, whatever values the fields hold', () => {
  const odd: unknown[] = [
    null,
    0,
    -1.5,
    true,
    '',
    ' ',
    'x',
    [],
    [null],
    [1],
    ['x'],
    {},
    { id: 1 },
    [{}]
  ]
  const fields = [
    ...Object.keys(VALID),
    'contributors',
    'dates',
    'locations',
    'grants',
    'communities',
    'language',
    'embargo_date',
    'doi',
    'publication_type'
  ]
  for (const field of fields) {
    for (const value of odd) {
      const problems = validateMetadata({ ...VALID, [field]: value }, ORIGINS)
      for (const p of problems) {
        expect(p.field).not.toBe('')
        expect(p.fix).not.toBe('')
        expect(p.message).not.toMatch(/must (NOT|match|pass)/)
      }
      normalizeForZenodo({ ...VALID, [field]: value })
    }
  }
})

describe('scale', () => {
  // Validation is linear in the number of problems: 20,000 problems (every creator with a bad
  // ORCID, a bad GND and a key of its own, every related identifier a placeholder with a
  // misspelled relation) take about 2-3 s here; the bound leaves more than 10x headroom, and a
  // quadratic step (positions found by scanning, problems de-duplicated by copying lists)
  // would take minutes.
  test('a file with 20,000 problems is read and validated in bounded time, every problem kept', () => {
    const n = 20_000
    const creators = Array.from({ length: n }, (_, i) => ({
      name: `P${String(i)}`,
      orcid: `bad-${String(i)}`,
      gnd: `x${String(i)}`,
      [`k${String(i)}`]: 1
    }))
    const related = Array.from({ length: n }, (_, i) => ({
      identifier: `TBD${String(i)}`,
      relation: `rel${String(i)}`
    }))
    const text = JSON.stringify({ ...VALID, creators, related_identifiers: related }, null, 1)
    const started = Date.now()
    const parsed = parseZenodoJson(text, '.zenodo.json')
    const problems = validateMetadata(parsed.metadata ?? {}, ORIGINS, {
      '.zenodo.json': parsed.positions ?? {}
    })
    const elapsed = Date.now() - started
    expect(parsed.problems).toHaveLength(n)
    const grouped = problems.filter(p => /\(20000 in all\)/.test(p.message))
    expect(grouped.map(p => p.field).sort()).toEqual([
      'creators[0].gnd',
      'creators[0].orcid',
      'related_identifiers[0].identifier',
      'related_identifiers[0].relation'
    ])
    expect(problems.every(p => p.line !== undefined)).toBe(true)
    expect(elapsed).toBeLessThan(30_000)
  }, 120_000)
})
