/**
 * Events other than a release, a tag push or workflow_dispatch (a branch push, a pull request,
 * the project's own CI self-test) publish only the tag the version input names, and without it
 * fail before anything is written.
 */
import {
  branchPushEvent,
  makeWorkspace,
  pullRequestEvent,
  useE2E,
  writes
} from './helpers/action.js'

const e2e = useE2E()

test('a branch push without the version input fails before any write and says how to fix it', async () => {
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({
    event: branchPushEvent('main'),
    workspace,
    inputs: { files: 'dist/*' }
  })
  expect(run.code).not.toBe(0)
  expect(run.stdout).toMatch(/refs\/heads\/main is not a tag.*version input/)
  expect(writes(e2e.server)).toEqual([])
})

test('a pull request without the version input fails before any write', async () => {
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({ event: pullRequestEvent(), workspace, inputs: { files: 'dist/*' } })
  expect(run.code).not.toBe(0)
  expect(run.stdout).toMatch(/not on "pull_request", unless the version input names the tag/)
  expect(writes(e2e.server)).toEqual([])
})

test('a branch push publishes the tag the version input names', async () => {
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({
    event: branchPushEvent('main'),
    workspace,
    inputs: { files: 'dist/*', version: 'v0.0.0-ci' }
  })
  expect(run.code).toBe(0)
  expect(run.outputs.state).toBe('published')
  const m = e2e.server.records()[0].metadata
  expect(m.version).toBe('v0.0.0-ci')
  expect(m.title).toBe('octo-org/octo-repo: v0.0.0-ci')
})

test('a dry run on a pull request with the version input validates and writes nothing', async () => {
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({
    event: pullRequestEvent(),
    workspace,
    inputs: { files: 'dist/*', version: 'v0.0.0-ci', 'dry-run': 'true' }
  })
  expect(run.code).toBe(0)
  expect(run.outputs.state).toBe('dry-run')
  expect(writes(e2e.server)).toEqual([])
})

test('a version input with a line break fails before any write, and nothing it holds reaches the runner as a command', async () => {
  const workspace = await makeWorkspace({ 'dist/x.tar.gz': 'x' })
  const run = await e2e.run({
    event: branchPushEvent('main'),
    workspace,
    inputs: { files: 'dist/*', version: 'v1.0\n::stop-commands::pwned' }
  })
  expect(run.code).not.toBe(0)
  expect(run.stdout).toMatch(/Input 'version' holds a control character/)
  expect(run.stdout.split('\n').some(l => l.startsWith('::stop-commands::'))).toBe(false)
  expect(writes(e2e.server)).toEqual([])
})
