/**
 * Communities named in legacy metadata: Zenodo asks them at publish and skips one it cannot
 * include without an error, so a misspelt identifier is looked up before any write and named in
 * a warning; the release is never held up by it. Through dist/index.js against the test server.
 */
import { runRelease, sampleZenodoJson, useE2E, writes, type ActionRun } from './helpers/action.js'

const e2e = useE2E({ communities: ['zenodo', 'astro-software'] })

function runWith(communities: unknown, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runRelease(
    e2e,
    { '.zenodo.json': sampleZenodoJson({ communities }) },
    {
      inputs: { files: '', archive: 'dist/**', ...inputs }
    }
  )
}

function warnings(run: ActionRun): string[] {
  return run.stdout.split('\n').filter(l => l.startsWith('::warning'))
}

function lookups(): string[] {
  return e2e.server.requests
    .filter(r => r.url.startsWith('/api/communities/'))
    .map(r => `${r.method} ${r.url}`)
}

describe('communities in .zenodo.json', () => {
  test('a community Zenodo does not have is named in a warning before any write, and the release is published', async () => {
    const run = await runWith([{ identifier: 'zenodo' }, { identifier: 'astro-sofware' }])
    expect([run.code, run.stderr]).toEqual([0, ''])
    const w = warnings(run).filter(l => l.includes('communities'))
    expect(w).toHaveLength(1)
    expect(w[0]).toContain('.zenodo.json: communities')
    expect(w[0]).toContain('Zenodo has no community "astro-sofware"')
    expect(w[0]).toContain(`${e2e.server.url}/communities/<identifier>`)
    // looked up before the first write
    const log = e2e.server.requests
    const lookup = log.findIndex(r => r.url === '/api/communities/astro-sofware')
    const firstWrite = log.findIndex(r => r.method !== 'GET' && r.url.startsWith('/api/'))
    expect(lookup).toBeGreaterThanOrEqual(0)
    expect(lookup).toBeLessThan(firstWrite)
    expect(e2e.server.records()).toHaveLength(1)
    // the summary carries the warning too
    expect(run.summary).toMatch(/### Warnings\n\n- .*Zenodo has no community "astro-sofware"/)
  })

  test('communities Zenodo has give no warning, each looked up once', async () => {
    const run = await runWith([
      { identifier: 'zenodo' },
      { identifier: 'astro-software' },
      { identifier: 'zenodo' }
    ])
    expect([run.code, run.stderr]).toEqual([0, ''])
    expect(warnings(run)).toEqual([])
    expect(run.summary).not.toContain('### Warnings')
    expect(lookups()).toEqual([
      'GET /api/communities/zenodo',
      'GET /api/communities/astro-software'
    ])
  })

  test('a dry run names the unknown community and writes nothing', async () => {
    const run = await runWith([{ identifier: 'nope' }], { 'dry-run': 'true' })
    expect([run.code, run.stderr]).toEqual([0, ''])
    expect(warnings(run).join('\n')).toContain('Zenodo has no community "nope"')
    expect(writes(e2e.server)).toEqual([])
  })

  test('a lookup that fails (503 every time) never holds up the release', async () => {
    e2e.server.faults.add({
      method: 'GET',
      path: '/api/communities/zenodo',
      times: 50,
      kind: { type: 'status', status: 503 }
    })
    const run = await runWith([{ identifier: 'zenodo' }])
    expect([run.code, run.stderr]).toEqual([0, ''])
    expect(warnings(run).filter(l => l.includes('communit'))).toEqual([])
    expect(e2e.server.records()).toHaveLength(1)
  })

  test('no communities, no lookup', async () => {
    const run = await runWith(undefined)
    expect(run.code).toBe(0)
    expect(lookups()).toEqual([])
  })
})
