/**
 * The InvenioRDM side's pure rules: records seen as the shared rules' entries, a pending upload
 * of this release's name counted as a partial upload, a person's file or edit blocking, the
 * repository named in messages, and the outputs on repositories without a parent DOI.
 */
import { expect } from '@jest/globals'
import type { RdmFile, RdmRecord } from '../src/rdm/client.js'
import { recordOutputs } from '../src/rdm/execute.js'
import { repositoryName } from '../src/rdm/plan.js'
import { draftFilesForJudging, ofRelease, recordFiles, toEntry } from '../src/rdm/target.js'
import { judgeDraft } from '../src/target.js'

const LINK = 'https://github.com/o/r/tree/v2.0.0'
const identity = { link: LINK }

function rec(over: Partial<RdmRecord> & { id: string }): RdmRecord {
  return {
    is_draft: false,
    is_published: true,
    metadata: { title: 'Tool', version: 'v1.0.0', publication_date: '2026-01-01' },
    pids: { doi: { identifier: `10.80001/${over.id}` } },
    parent: { id: 'p-1', pids: { doi: { identifier: '10.80001/p-1' } } },
    links: { self_html: `https://data.example.org/records/${over.id}` },
    files: {
      entries: { 'a.txt': { key: 'a.txt', checksum: 'md5:aaa', size: 3 } }
    },
    ...over
  }
}

const file = (key: string, checksum?: string): RdmFile => ({
  key,
  ...(checksum ? { checksum, status: 'completed' } : { status: 'pending' }),
  links: {}
})

test('a record is seen with its files, related links and parent', () => {
  const r = rec({
    id: 'r-1',
    metadata: { title: 'T', related_identifiers: [{ identifier: LINK, scheme: 'url' }] }
  })
  expect(recordFiles(r)).toEqual([{ name: 'a.txt', md5: 'aaa' }])
  expect(toEntry(r)).toMatchObject({ conceptId: 'p-1', published: true, relatedLinks: [LINK] })
  expect(ofRelease([r, rec({ id: 'r-2' })], identity).map(x => x.id)).toEqual(['r-1'])
})

test('a pending upload of a name this release uploads is a partial upload; of another name, foreign', () => {
  const planned = [{ name: 'b.txt', md5: 'bbb' }]
  expect(draftFilesForJudging([file('b.txt'), file('c.txt')], planned)).toEqual([
    { name: 'b.txt', md5: 'bbb' },
    { name: 'c.txt', md5: '' }
  ])
  const previous = toEntry(rec({ id: 'r-1' }))
  const copy = rec({
    id: 'd-1',
    is_draft: true,
    is_published: false,
    metadata: { title: 'Tool' }
  })
  const own = judgeDraft(toEntry(copy, draftFilesForJudging([file('b.txt')], planned)), {
    identity,
    previous,
    planned
  })
  expect(own.owned).toBe(true)
  const person = judgeDraft(toEntry(copy, draftFilesForJudging([file('c.txt', 'ccc')], planned)), {
    identity,
    previous,
    planned
  })
  expect(person).toMatchObject({ owned: false, why: expect.stringContaining('c.txt') })
  const edited = judgeDraft(toEntry({ ...copy, metadata: { title: 'Edited by a person' } }, []), {
    identity,
    previous,
    planned
  })
  expect(edited.owned).toBe(false)
})

test('messages name Zenodo on its hosts and "the repository at <host>" elsewhere', () => {
  expect(repositoryName('https://zenodo.org')).toBe('Zenodo')
  expect(repositoryName('https://sandbox.zenodo.org')).toBe('Zenodo')
  expect(repositoryName('https://data.caltech.edu')).toBe('the repository at data.caltech.edu')
  expect(repositoryName('http://127.0.0.1:8080')).toBe('the repository at 127.0.0.1:8080')
})

test('outputs: record-url is the HTML page; no parent DOI means empty concept-doi and badge', () => {
  const withParent = recordOutputs(
    rec({ id: 'r-1' }),
    'https://data.example.org',
    'published',
    'the repository at data.example.org'
  )
  expect(withParent).toMatchObject({
    doi: '10.80001/r-1',
    'concept-doi': '10.80001/p-1',
    'record-url': 'https://data.example.org/records/r-1',
    'record-id': 'r-1',
    'concept-record-id': 'p-1'
  })
  expect(withParent['badge-url']).not.toBe('')
  expect(JSON.parse(withParent.files)).toEqual([{ name: 'a.txt', size: 3, md5: 'aaa' }])
  const without = recordOutputs(
    rec({ id: 'r-2', parent: { id: 'p-2' } }),
    'https://data.example.org',
    'published',
    'the repository at data.example.org'
  )
  expect(without['concept-doi']).toBe('')
  expect(without['badge-url']).toBe('')
  expect(without['badge-markdown']).toBe('')
  expect(without.doi).toBe('10.80001/r-2')
})
