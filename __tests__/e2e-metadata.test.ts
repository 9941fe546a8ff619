/**
 * Metadata exactly as Zenodo treats it, end to end through dist/index.js against the test server
 * (which does what Zenodo does: 400 for identifiers with no allowed scheme, 500 for a bad GND,
 * publish refusing a bad ORCID, alternate identifiers echoed, Zenodo's description tags kept).
 * Refuse before any write what Zenodo refuses; warn about what it drops or changes; accept what
 * it accepts.
 */
import {
  SAMPLE_CREATOR as CREATOR,
  annotationLines as lines,
  publishedMetadata,
  runRelease,
  sampleZenodoJson as zenodoJson,
  useE2E,
  writes,
  type ActionRun
} from './helpers/action.js'

const e2e = useE2E()

function runWith(
  files: Record<string, string>,
  release: { body?: string | null; name?: string | null } = {}
): Promise<ActionRun> {
  return runRelease(e2e, files, { release: { name: null, ...release } })
}

function published(run: ActionRun): Record<string, unknown> {
  return publishedMetadata(e2e, run)
}

/** A direct call to the test server's deposit API (the oracle, without the action). */
async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${e2e.server.apiUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${e2e.server.token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' })
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
}

async function createWith(metadata: Record<string, unknown>): Promise<Response> {
  return api('POST', '/deposit/depositions', { metadata })
}

describe('1. ORCID', () => {
  test('URL forms are accepted, made bare, and published', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        creators: [
          { ...CREATOR, orcid: 'https://orcid.org/0000-0002-1825-0097' },
          { name: 'Roe, Rick', orcid: 'orcid.org/0000-0002-9949-3989' }
        ]
      })
    })
    const metadata = published(run)
    expect((metadata.creators as { orcid?: string }[]).map(c => c.orcid)).toEqual([
      '0000-0002-1825-0097',
      '0000-0002-9949-3989'
    ])
    expect(lines(run, 'warning').join('\n')).toMatch(/creators\[0\]\.orcid.*URL/)
  })

  test('an ORCID that fails the checksum is refused before any write, as Zenodo refuses it at publish', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({ creators: [{ ...CREATOR, orcid: '0000-0000-0000-0000' }] })
    })
    expect(run.code).toBe(1)
    expect(lines(run, 'error').join('\n')).toMatch(/\.zenodo\.json.*creators\[0\]\.orcid.*checksum/)
    expect(writes(e2e.server)).toEqual([])

    // The oracle: Zenodo keeps it in the draft and refuses at publish.
    const created = await createWith({
      title: 'x y z',
      upload_type: 'software',
      creators: [{ name: 'A', orcid: '0000-0000-0000-0000' }]
    })
    expect(created.status).toBe(201)
    const draft = (await created.json()) as { id: number }
    const publish = await api('POST', `/deposit/depositions/${String(draft.id)}/actions/publish`)
    expect(publish.status).toBe(400)
    expect(JSON.stringify(await publish.json())).toContain('Invalid ORCID identifier.')
  })
})

describe('2. identifiers', () => {
  test('.zenodo.json identifiers with no scheme Zenodo allows (placeholder, swh) are refused before any write', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        related_identifiers: [
          { identifier: 'pending-zenodo-upload', relation: 'isVersionOf' },
          { identifier: 'arXiv:2101.00001', relation: 'isDocumentedBy' }
        ],
        alternate_identifiers: [
          { identifier: 'swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505' }
        ]
      })
    })
    expect(run.code).toBe(1)
    const errors = lines(run, 'error').join('\n')
    expect(errors).toMatch(/related_identifiers\[0\]\.identifier.*pending-zenodo-upload/)
    expect(errors).toMatch(/alternate_identifiers\[0\]\.identifier.*Software Heritage/)
    expect(errors).not.toMatch(/related_identifiers\[1\]/)
    expect(writes(e2e.server)).toEqual([])

    // The oracle answers 400 for both.
    for (const metadata of [
      { related_identifiers: [{ identifier: 'pending-zenodo-upload', relation: 'isVersionOf' }] },
      {
        related_identifiers: [
          {
            identifier: 'swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505',
            relation: 'isIdenticalTo'
          }
        ]
      }
    ]) {
      const response = await createWith(metadata)
      expect(response.status).toBe(400)
      expect(await response.text()).toContain('No valid scheme recognized for identifier.')
    }
  })

  test('CITATION.cff identifiers Zenodo would refuse are skipped with a warning; detected "other" ids are linked', async () => {
    const run = await runWith({
      'CITATION.cff': [
        'cff-version: 1.2.0',
        'message: Please cite',
        'title: My tool',
        'authors:',
        '  - family-names: Doe',
        '    given-names: Jane',
        'doi: pending-zenodo-upload',
        'identifiers:',
        '  - type: swh',
        '    value: swh:1:rev:309cf2674ee7a0749978cf8265ab91a60aea0f7d',
        '  - type: other',
        '    value: arXiv:2101.00001',
        '  - type: other',
        '    value: urn:nbn:de:kobv:83-opus-1234'
      ].join('\n')
    })
    const metadata = published(run)
    const related = (metadata.related_identifiers as { identifier: string; scheme: string }[]).map(
      r => [r.identifier, r.scheme]
    )
    expect(related).toEqual(
      expect.arrayContaining([
        ['arXiv:2101.00001', 'arxiv'],
        ['urn:nbn:de:kobv:83-opus-1234', 'urn']
      ])
    )
    expect(JSON.stringify(related)).not.toMatch(/pending|swh:/)
    const warnings = lines(run, 'warning').join('\n')
    expect(warnings).toMatch(/CITATION\.cff.*doi.*pending-zenodo-upload/)
    expect(warnings).toMatch(/CITATION\.cff.*identifiers\[0\].*Software Heritage/)
  })
})

describe('3. GND', () => {
  test('a gnd that is not a GND id is refused before any write (Zenodo fails with a 500)', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({ creators: [{ ...CREATOR, gnd: 'Jane Doe' }] })
    })
    expect(run.code).toBe(1)
    expect(lines(run, 'error').join('\n')).toMatch(/creators\[0\]\.gnd/)
    expect(writes(e2e.server)).toEqual([])
    expect((await createWith({ creators: [{ name: 'A', gnd: 'Jane Doe' }] })).status).toBe(500)
    expect((await createWith({ creators: [{ name: 'A', gnd: 'gnd:118540238' }] })).status).toBe(201)
  })
})

describe('4. alternate_identifiers', () => {
  test('pass through to Zenodo, which shows them as isAlternateIdentifier, without a warning', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        alternate_identifiers: [{ identifier: 'arXiv:2101.00001', scheme: 'arxiv' }]
      })
    })
    const metadata = published(run)
    expect(metadata.related_identifiers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          identifier: 'arXiv:2101.00001',
          relation: 'isAlternateIdentifier'
        })
      ])
    )
    expect(lines(run, 'warning').join('\n')).not.toMatch(/alternate_identifiers/)
  })
})

describe('5. silent changes are warned about', () => {
  test('access_conditions dropped, closed stored as restricted, thesis stored as dissertation', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        upload_type: 'publication',
        publication_type: 'thesis',
        access_right: 'closed',
        access_conditions: 'Ask us.'
      })
    })
    const metadata = published(run)
    expect(metadata.access_right).toBe('restricted')
    expect(metadata.access_conditions).toBeUndefined()
    expect(metadata.resource_type).toMatchObject({ subtype: 'publication-dissertation' })
    const warnings = lines(run, 'warning').join('\n')
    expect(warnings).toMatch(/access_conditions.*dropped/)
    expect(warnings).toMatch(/access_right.*restricted/)
    expect(warnings).toMatch(/publication_type.*dissertation/)
  })
})

describe('6. descriptions keep what Zenodo keeps', () => {
  test('release-note tables arrive as tables, headings as h1-h5 (h6 as h5)', async () => {
    const run = await runWith(
      {},
      {
        body: '## Changes\n\n| Option | Default |\n|---|---|\n| `--fast` | off |\n\n###### Fine print\n\n<script>x()</script>Done.'
      }
    )
    const description = published(run).description as string
    expect(description).toContain('<h2>Changes</h2>')
    expect(description).toMatch(/<table>.*<th>Option<\/th>.*<td><code>--fast<\/code><\/td>/s)
    expect(description).toContain('<h5>Fine print</h5>')
    expect(description).not.toMatch(/script|thead|<h6/)
  })
})

describe('7. CITATION.cff as Zenodo reads it', () => {
  test('without title it publishes under the release default title, with a warning; a license URL becomes its id', async () => {
    const run = await runWith({
      'CITATION.cff': [
        'cff-version: 1.2.0',
        'message: Please cite',
        'authors:',
        '  - family-names: Doe',
        '    given-names: Jane',
        'license: https://spdx.org/licenses/Apache-2.0.html'
      ].join('\n')
    })
    const metadata = published(run)
    expect(metadata.title).toBe('octo-org/octo-repo: v1.0.0')
    expect(e2e.server.records()[0].metadata.license).toEqual({ id: 'apache-2.0' })
    const warnings = lines(run, 'warning').join('\n')
    expect(warnings).toMatch(/CITATION\.cff.*title.*default title/)
    expect(warnings).toMatch(/CITATION\.cff.*license.*Apache-2\.0/)
  })
})

describe('8. every problem in one run', () => {
  test('a trailing comma, a missing comma and an upload_type typo are all reported, and no warning the file contradicts', async () => {
    // Without a repository license, a file that could not be read would draw "no license is given".
    e2e.server.github.setRepo({ description: 'A test repository', license: null })
    const run = await runWith({
      '.zenodo.json': [
        '{',
        '  "title": "My tool",',
        '  "upload_type": "sofware"',
        '  "creators": [{"name": "Doe, Jane"}],',
        '  "license": "MIT",',
        '}'
      ].join('\n')
    })
    expect(run.code).toBe(1)
    const errors = lines(run, 'error').join('\n')
    expect(errors).toMatch(/\.zenodo\.json,line=4.*missing comma/)
    expect(errors).toMatch(/\.zenodo\.json,line=6.*trailing comma/)
    expect(errors).toMatch(/upload_type.*sofware.*did you mean/)
    expect(run.stdout).not.toMatch(/no license is given/)
    expect(writes(e2e.server)).toEqual([])
  })

  test('a file that cannot be read draws no warning it may contradict', async () => {
    e2e.server.github.setRepo({ description: 'A test repository', license: null })
    const run = await runWith({ '.zenodo.json': '{"title": "x,\n"license": "MIT"}' })
    expect(run.code).toBe(1)
    expect(lines(run, 'error').join('\n')).toMatch(/line break inside a string/)
    expect(run.stdout).not.toMatch(/no license is given/)
    expect(writes(e2e.server)).toEqual([])
  })

  test('a .zenodo.json over 1 MiB is refused before it is read, naming file, size and limit', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({ notes: 'n'.repeat(1024 * 1024) })
    })
    expect(run.code).toBe(1)
    expect(lines(run, 'error').join('\n')).toMatch(/\.zenodo\.json.*1 MiB.*larger than the 1 MiB/)
    expect(writes(e2e.server)).toEqual([])
  })
})

describe('a .zenodo.json that Zenodo reads never blocks a release', () => {
  test('a file in another format publishes with the release defaults and warnings naming what Zenodo ignores', async () => {
    const schemaOrg = JSON.stringify({
      id: 'https://doi.org/10.5281/zenodo.59296',
      creator: [{ type: 'Person', name: 'Bruce Becker' }],
      publisher: 'Zenodo',
      description: { en: 'An object where Zenodo expects text' },
      schemaVersion: 'http://datacite.org/schema/kernel-4'
    })
    const run = await runWith({ '.zenodo.json': schemaOrg })
    const metadata = published(run)
    expect(metadata.title).toBe('octo-org/octo-repo: v1.0.0')
    expect(lines(run, 'error')).toEqual([])
    const warnings = lines(run, 'warning').join('\n')
    expect(warnings).toMatch(/not Zenodo's legacy metadata format/)
    expect(warnings).toMatch(/description.*Zenodo silently drops it/)
  })

  test('an InvenioRDM-shaped .zenodo.json is explained in a warning, and the legacy API gets the release defaults', async () => {
    const rdm = JSON.stringify({
      metadata: { title: 'RDM title', resource_type: { id: 'software' } }
    })
    const run = await runWith({ '.zenodo.json': rdm })
    const metadata = published(run)
    expect(metadata.title).toBe('octo-org/octo-repo: v1.0.0')
    expect(lines(run, 'warning').join('\n')).toMatch(/InvenioRDM|wrapped in "metadata"/)
  })

  test('a doi field is a warning, not a refusal (Zenodo takes it)', async () => {
    const run = await runWith({ '.zenodo.json': zenodoJson({ doi: '10.1234/external.5' }) })
    expect(run.code).toBe(0)
    expect(lines(run, 'error')).toEqual([])
    expect(lines(run, 'warning').join('\n')).toMatch(/sets the DOI "10\.1234\/external\.5"/)
  })
})
