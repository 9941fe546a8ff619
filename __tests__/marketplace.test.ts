/**
 * What the GitHub Marketplace and users of `uses: ./` need from the repository itself: a short
 * description, a license, and a CI workflow whose self-test only passes inputs the action has.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT, actionYaml } from './helpers/action.js'

interface Workflow {
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>
}

test('the action description fits the Marketplace limit of 125 characters', async () => {
  const yml = (await actionYaml()) as unknown as { description: string }
  expect(yml.description.length).toBeLessThan(125)
})

test('the repository has the MIT license that package.json names', async () => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { license: string }
  const license = await readFile(join(ROOT, 'LICENSE'), 'utf8')
  expect(pkg.license).toBe('MIT')
  expect(license).toMatch(/^MIT License/)
})

test('the CI workflow runs the action itself with inputs the action defines', async () => {
  const yml = await actionYaml()
  const wf = parse(await readFile(join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as Workflow
  const selfSteps = Object.values(wf.jobs)
    .flatMap(j => j.steps)
    .filter(s => s.uses === './')
  expect(selfSteps.length).toBeGreaterThanOrEqual(2)
  for (const step of selfSteps) {
    for (const name of Object.keys(step.with ?? {})) expect(Object.keys(yml.inputs)).toContain(name)
  }
  await expect(stat(join(ROOT, 'test-server/cli.ts'))).resolves.toBeTruthy()
})
