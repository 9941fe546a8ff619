/** Concept discovery: which Zenodo concept links this repository (decideConcept), and bounded paging (collectPages). */
import { afterAll, afterEach, describe, expect, test } from '@jest/globals'
import { startZenodoServer, type ZenodoTestServer } from '../test-server/zenodo-server.js'
import { ZenodoClient, type Deposition } from '../src/zenodo/client.js'
import { closeTestClients, testClient } from './helpers/http-client.js'
import {
  collectPages,
  decideConcept,
  describeCandidate,
  linkedRepository,
  type ListedDeposition
} from '../src/zenodo/discovery.js'

const REPO = { owner: 'octo-org', repo: 'octo-repo' }

/** A published version of concept `concept` with record id `id`, linking `links`. */
function version(
  id: number,
  concept: string | number,
  links: string[],
  extra: Partial<ListedDeposition> = {}
): ListedDeposition {
  return {
    id,
    conceptrecid: concept,
    conceptdoi: `10.5281/zenodo.${String(concept)}`,
    doi: `10.5281/zenodo.${String(id)}`,
    submitted: true,
    state: 'done',
    title: `Title ${String(id)}`,
    metadata: {
      title: `Title ${String(id)}`,
      version: `v${String(id)}`,
      related_identifiers: links.map(identifier => ({ identifier, relation: 'isSupplementTo' }))
    },
    ...extra
  }
}

/** An unpublished draft (no DOI yet). */
function draft(id: number, concept: string | number, links: string[]): ListedDeposition {
  const { conceptdoi: _c, doi: _d, ...rest } = version(id, concept, links)
  return { ...rest, submitted: false, state: 'unsubmitted' }
}

describe('linkedRepository', () => {
  test.each([
    ['https://github.com/octo-org/octo-repo', 'octo-org/octo-repo'],
    ['https://github.com/octo-org/octo-repo/', 'octo-org/octo-repo'],
    ['https://github.com/Octo-Org/Octo-Repo.git', 'octo-org/octo-repo'],
    ['https://github.com/octo-org/octo-repo/tree/v1.2.0', 'octo-org/octo-repo'],
    ['https://github.com/octo-org/octo-repo/tree/release/2.x/', 'octo-org/octo-repo'],
    ['http://www.github.com/octo-org/octo-repo', 'octo-org/octo-repo'],
    ['https://github.com/octo-org/octo-repo-extra', 'octo-org/octo-repo-extra'],
    ['https://github.com/octo-org/octo-repo/releases/tag/v1', undefined],
    ['https://github.com/octo-org/octo-repo/tree/', undefined],
    ['https://gitlab.com/octo-org/octo-repo', undefined],
    ['10.5281/zenodo.1', undefined]
  ])('%s -> %s', (identifier, expected) => {
    expect(linkedRepository(identifier)).toBe(expected)
  })
})

describe('decideConcept', () => {
  test('no linking version: none', () => {
    expect(decideConcept([version(11, 10, ['https://github.com/other/thing'])], REPO)).toEqual({
      kind: 'none',
      draftOnlyConcepts: []
    })
    expect(decideConcept([], REPO)).toEqual({ kind: 'none', draftOnlyConcepts: [] })
  })

  test('one concept found by a /tree/<tag> link, with its latest version and concept DOI', () => {
    const items = [
      version(21, '20', ['https://github.com/octo-org/octo-repo/tree/v1.0.0']),
      version(25, '20', ['https://github.com/octo-org/octo-repo/tree/v1.1.0'])
    ]
    const decision = decideConcept(items, REPO)
    expect(decision).toEqual({
      kind: 'one',
      matchedLink: 'https://github.com/octo-org/octo-repo/tree/v1.1.0',
      candidate: {
        conceptRecId: '20',
        conceptDoi: '10.5281/zenodo.20',
        title: 'Title 25',
        latestVersion: 'v25',
        latestId: 25,
        matchedLink: 'https://github.com/octo-org/octo-repo/tree/v1.1.0'
      }
    })
  })

  test('a repository whose name extends this one is another repository', () => {
    const items = [
      version(31, 30, ['https://github.com/octo-org/octo-repo-extra/tree/v1']),
      version(41, 40, ['https://github.com/octo-org/octo-repo'])
    ]
    const d = decideConcept(items, REPO)
    expect(d.kind).toBe('one')
    if (d.kind === 'one') expect(d.candidate.conceptRecId).toBe('40')
  })

  test('links differing in case, trailing slash or .git find the same repository', () => {
    const d = decideConcept([version(51, 50, ['HTTPS://GitHub.com/Octo-Org/Octo-Repo.git/'])], {
      owner: 'OCTO-ORG',
      repo: 'octo-repo'
    })
    expect(d).toMatchObject({
      kind: 'one',
      matchedLink: 'HTTPS://GitHub.com/Octo-Org/Octo-Repo.git/'
    })
  })

  test('concept ids as numbers and strings are one concept', () => {
    const items = [
      version(61, 60, ['https://github.com/octo-org/octo-repo/tree/v1']),
      version(62, '60', ['https://github.com/octo-org/octo-repo/tree/v2'])
    ]
    const d = decideConcept(items, REPO)
    expect(d.kind).toBe('one')
    if (d.kind === 'one') expect(d.candidate).toMatchObject({ conceptRecId: '60', latestId: 62 })
  })

  test('two concepts linking the repository: many, each named', () => {
    const items = [
      version(72, '70', [], {
        metadata: {
          title: 'Second',
          related_identifiers: [{ identifier: 'https://github.com/octo-org/octo-repo/tree/v2' }]
        }
      }),
      version(81, '80', ['https://github.com/octo-org/octo-repo'])
    ]
    const d = decideConcept(items, REPO)
    expect(d.kind).toBe('many')
    if (d.kind === 'many') {
      expect(d.candidates.map(c => c.conceptRecId)).toEqual(['70', '80'])
      expect(describeCandidate(d.candidates[0] as never)).toBe(
        'concept 70, DOI 10.5281/zenodo.70, "Second", latest version (no version) (record 72), linked by https://github.com/octo-org/octo-repo/tree/v2'
      )
    }
  })

  test('a draft of a published concept counts; the latest published version is where to continue', () => {
    const items = [
      draft(93, '90', ['https://github.com/octo-org/octo-repo/tree/v3']),
      version(91, '90', ['https://doi.org/10.1000/paper'])
    ]
    const d = decideConcept(items, REPO)
    expect(d).toMatchObject({
      kind: 'one',
      matchedLink: 'https://github.com/octo-org/octo-repo/tree/v3',
      candidate: { latestId: 91, conceptDoi: '10.5281/zenodo.90' }
    })
  })

  test('a concept that is only an unpublished draft is no candidate, but is named', () => {
    expect(
      decideConcept([draft(101, '100', ['https://github.com/octo-org/octo-repo'])], REPO)
    ).toEqual({
      kind: 'none',
      draftOnlyConcepts: ['100']
    })
  })

  test('the concept DOI is derived from a version DOI when the item has none', () => {
    const { conceptdoi: _c, ...item } = version(111, '110', [
      'https://github.com/octo-org/octo-repo'
    ])
    const d = decideConcept([item], REPO)
    expect(d).toMatchObject({ kind: 'one', candidate: { conceptDoi: '10.5281/zenodo.110' } })
  })

  test('items without a concept id, and the same item twice from overlapping pages, are harmless', () => {
    const v = version(121, '120', ['https://github.com/octo-org/octo-repo'])
    const { conceptrecid: _c, ...orphan } = version(131, '130', [
      'https://github.com/octo-org/octo-repo'
    ])
    expect(decideConcept([v, v, orphan], REPO).kind).toBe('one')
  })

  test('accepts the client’s Deposition type as it is', () => {
    const dep: Deposition = {
      id: 141,
      conceptrecid: '140',
      state: 'done',
      submitted: true,
      links: {},
      metadata: {
        title: 'T',
        related_identifiers: [
          { identifier: 'https://github.com/octo-org/octo-repo', relation: 'isSupplementTo' }
        ]
      }
    }
    expect(decideConcept([dep], REPO).kind).toBe('one')
  })
})

describe('collectPages', () => {
  function pages(total: number): {
    fetch: (page: number, size: number) => Promise<number[]>
    calls: number[]
  } {
    const calls: number[] = []
    return {
      calls,
      fetch: (page, size) => {
        calls.push(page)
        const start = (page - 1) * size
        return Promise.resolve(
          Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i)
        )
      }
    }
  }

  test('stops at the first short page', async () => {
    const p = pages(25)
    await expect(collectPages(p.fetch, { pageSize: 10, maxPages: 10 })).resolves.toEqual({
      items: Array.from({ length: 25 }, (_, i) => i),
      pages: 3,
      complete: true
    })
    expect(p.calls).toEqual([1, 2, 3])
  })

  test('an exact multiple of the page size takes one more (empty) page to know it is the end', async () => {
    const p = pages(20)
    const r = await collectPages(p.fetch, { pageSize: 10, maxPages: 10 })
    expect(r).toMatchObject({ pages: 3, complete: true })
    expect(r.items).toHaveLength(20)
  })

  test('never asks for more than maxPages, and says the list may go on', async () => {
    const p = pages(1000)
    const r = await collectPages(p.fetch, { pageSize: 10, maxPages: 4 })
    expect(p.calls).toEqual([1, 2, 3, 4])
    expect(r).toMatchObject({ pages: 4, complete: false })
    expect(r.items).toHaveLength(40)
  })

  test('a failing page rejects (the caller decides), and bad bounds are refused', async () => {
    await expect(
      collectPages(() => Promise.reject(new Error('429')), { pageSize: 10, maxPages: 2 })
    ).rejects.toThrow('429')
    await expect(collectPages(pages(1).fetch, { pageSize: 0, maxPages: 2 })).rejects.toThrow(
      RangeError
    )
    await expect(collectPages(pages(1).fetch, { pageSize: 10, maxPages: 0 })).rejects.toThrow(
      RangeError
    )
  })
})

describe('discovery through the Zenodo client against the test server', () => {
  let server: ZenodoTestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })
  afterAll(closeTestClients)

  function links(repo: string, tag: string): { metadata: Record<string, unknown> } {
    return {
      metadata: {
        related_identifiers: [
          {
            identifier: `https://github.com/${repo}/tree/${tag}`,
            relation: 'isSupplementTo',
            scheme: 'url'
          }
        ]
      }
    }
  }

  test('pages through the list (small pages) and finds the one concept of this repository', async () => {
    server = await startZenodoServer()
    const ours = server.seedPublished({
      versions: 3,
      version: 'v1.2.0',
      title: 'Ours',
      ...links('octo-org/octo-repo', 'v1.2.0')
    })
    server.seedPublished({
      versions: 2,
      title: 'Extra',
      ...links('octo-org/octo-repo-extra', 'v9')
    })
    server.seedPublished({ title: 'Unrelated' })
    const { http } = testClient(server.token)
    const zenodo = new ZenodoClient({ apiUrl: server.apiUrl, http })

    const collected = await collectPages(
      (page, size) => zenodo.listDepositions({ page, size, sort: 'mostrecent', allVersions: true }),
      { pageSize: 2, maxPages: 10 }
    )
    expect(collected).toMatchObject({ complete: true, pages: 4 })
    const d = decideConcept(collected.items, REPO)
    expect(d).toMatchObject({
      kind: 'one',
      matchedLink: 'https://github.com/octo-org/octo-repo/tree/v1.2.0',
      candidate: {
        conceptRecId: String(ours.conceptrecid),
        conceptDoi: ours.conceptdoi,
        latestId: ours.id,
        latestVersion: 'v1.2.0',
        title: 'Ours'
      }
    })
  })

  test('a bound of one page on a long list says the search was incomplete', async () => {
    server = await startZenodoServer()
    for (let i = 0; i < 3; i++) server.seedPublished({ title: `R${String(i)}` })
    const { http } = testClient(server.token)
    const zenodo = new ZenodoClient({ apiUrl: server.apiUrl, http })
    const collected = await collectPages((page, size) => zenodo.listDepositions({ page, size }), {
      pageSize: 2,
      maxPages: 1
    })
    expect(collected).toMatchObject({ complete: false, pages: 1 })
    expect(collected.items).toHaveLength(2)
  })
})
