import { unknownCommunities } from '../src/zenodo/communities.js'

function lookups(missing: string[] = []): {
  asked: string[]
  client: { communityExists: (id: string) => Promise<boolean> }
} {
  const asked: string[] = []
  return {
    asked,
    client: {
      communityExists: id => {
        asked.push(id)
        return Promise.resolve(!missing.includes(id))
      }
    }
  }
}

describe('unknownCommunities', () => {
  test('each identifier is looked up once; blanks are skipped; one Zenodo lacks is a warning naming it', async () => {
    const { asked, client } = lookups(['typo'])
    const problems = await unknownCommunities(
      client,
      {
        communities: [
          { identifier: 'zenodo' },
          { identifier: ' ' },
          { identifier: 'typo' },
          { identifier: 'zenodo' }
        ]
      },
      '.zenodo.json',
      'https://zenodo.org'
    )
    expect(asked).toEqual(['zenodo', 'typo'])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      severity: 'warning',
      file: '.zenodo.json',
      field: 'communities'
    })
    expect(problems[0].message).toContain('"typo"')
    expect(problems[0].fix).toContain('https://zenodo.org/communities/<identifier>')
  })

  test('at most 20 identifiers are looked up (one request each)', async () => {
    const { asked, client } = lookups()
    const communities = Array.from({ length: 25 }, (_, i) => ({ identifier: `c${String(i)}` }))
    await unknownCommunities(client, { communities }, '.zenodo.json', 'https://zenodo.org')
    expect(asked).toHaveLength(20)
  })

  test('a lookup that fails is no warning, and the rest are not looked up', async () => {
    let calls = 0
    const client = {
      communityExists: () => {
        calls++
        return Promise.reject(new Error('503'))
      }
    }
    const problems = await unknownCommunities(
      client,
      { communities: [{ identifier: 'zenodo' }, { identifier: 'other' }] },
      '.zenodo.json',
      'https://zenodo.org'
    )
    expect(problems).toEqual([])
    expect(calls).toBe(1)
  })
})
