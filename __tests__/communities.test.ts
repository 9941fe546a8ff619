import { lookUpCommunities } from '../src/zenodo/communities.js'

const where = { file: '.zenodo.json', service: 'Zenodo', site: 'https://zenodo.org' }

/** A lookup that finds every identifier but `missing`, recording what it was asked. */
function lookups(missing: string[] = []): {
  asked: string[]
  lookup: (id: string) => Promise<string | undefined>
} {
  const asked: string[] = []
  return {
    asked,
    lookup: id => {
      asked.push(id)
      return Promise.resolve(missing.includes(id) ? undefined : `uuid-${id}`)
    }
  }
}

describe('lookUpCommunities', () => {
  test('each identifier is looked up once; blanks are skipped; one the repository lacks is a warning naming it and is not planned', async () => {
    const { asked, lookup } = lookups(['typo'])
    const { planned, problems } = await lookUpCommunities(
      ['zenodo', ' ', 'typo', 'zenodo'],
      lookup,
      where
    )
    expect(asked).toEqual(['zenodo', 'typo'])
    expect(planned).toEqual([{ slug: 'zenodo', id: 'uuid-zenodo' }])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      severity: 'warning',
      file: '.zenodo.json',
      field: 'communities'
    })
    expect(problems[0].message).toContain('Zenodo has no community "typo"')
    expect(problems[0].fix).toContain('https://zenodo.org/communities/<identifier>')
  })

  test('at most 20 identifiers are looked up (one request each); the rest are planned unchecked', async () => {
    const { asked, lookup } = lookups()
    const ids = Array.from({ length: 25 }, (_, i) => `c${String(i)}`)
    const { planned } = await lookUpCommunities(ids, lookup, where)
    expect(asked).toHaveLength(20)
    expect(planned).toHaveLength(25)
    expect(planned[24]).toEqual({ slug: 'c24' })
  })

  test('a lookup that fails is no warning, and the rest are not looked up but still planned', async () => {
    let calls = 0
    const lookup = (): Promise<string | undefined> => {
      calls++
      return Promise.reject(new Error('503'))
    }
    const { planned, problems } = await lookUpCommunities(['zenodo', 'other'], lookup, where)
    expect(problems).toEqual([])
    expect(calls).toBe(1)
    expect(planned).toEqual([{ slug: 'zenodo' }, { slug: 'other' }])
  })
})
