/**
 * Hostile files, names and hosts, end to end through the built bundle (issue 8 items 4, 5, 7,
 * 8; issue 10 item 7): links out of the workspace or into .git, names that would be workflow
 * commands, a bucket on another host, asset names with "..", files changed or swapped after
 * planning, and a GitHub refusal. Each run either publishes only what it should or stops with
 * a clear message, and nothing it must not write is written.
 */
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, symlink, truncate, unlink } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { join } from 'node:path'
import {
  dispatchEvent,
  GITHUB_TOKEN,
  makeWorkspace,
  md5,
  releaseEvent,
  secretLeaks,
  startE2E,
  writes,
  type ActionRun,
  type E2E
} from './helpers/action.js'
import type { ZenodoServerOptions } from '../test-server/zenodo-server.js'

const FAST = { ZENODO_RELEASE_TIME_SCALE: '0.001' }

let e2e: E2E | undefined
/** GitHub answers 403 "Resource not accessible by integration" to GETs of `path`. */
function githubRefuses(server: E2E['server'], path: RegExp): void {
  server.faults.add({
    method: 'GET',
    path,
    times: 10,
    kind: {
      type: 'status',
      status: 403,
      body: { message: 'Resource not accessible by integration', status: '403' }
    }
  })
}

async function start(opts: ZenodoServerOptions = {}): Promise<E2E> {
  e2e = await startE2E({ rateLimitPerMinute: 0, ...opts })
  return e2e
}
afterEach(async () => {
  await e2e?.close()
  e2e = undefined
})

/** The lines of stdout the runner would read as workflow commands (ours and anything else). */
function commandLines(run: ActionRun): string[] {
  return run.stdout.split(/\r?\n|\r/).filter(l => /^\s*::/.test(l) || l.includes('##['))
}

/**
 * Commands on stdout that the action did not mean to issue: an INJECTED title, stop-commands,
 * a mask of anything but the run's own secrets, or the legacy `##[` form.
 */
function injected(run: ActionRun, secrets: string[]): string[] {
  return commandLines(run).filter(
    l =>
      /^\s*::\w+ title=INJECTED/.test(l) ||
      /^\s*::stop-commands::/.test(l) ||
      (/^\s*::add-mask::/.test(l) && !secrets.includes(l.replace(/^\s*::add-mask::/, ''))) ||
      l.includes('##[')
  )
}

/** The test server's default token and the GitHub token the helper gives every run. */
const SECRETS = ['test-token', GITHUB_TOKEN]

describe('symbolic links', () => {
  test('a link out of the workspace (/etc/passwd) is refused before any write, naming the link and its target', async () => {
    const s = await start()
    const workspace = await makeWorkspace({ 'dist/app.tar.gz': 'app' })
    await symlink('/etc/passwd', join(workspace, 'dist', 'passwd'))
    const run = await s.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'dist/*' },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/dist\/passwd" is a symbolic link to "\/etc\/passwd"/)
    expect(run.stdout).toMatch(/outside the workspace/)
    expect(writes(s.server)).toEqual([])
    expect(s.server.records()).toEqual([])
  })

  test('a link into .git under archive: docs/** is refused, and a directory link out of the workspace is not walked', async () => {
    const s = await start()
    const workspace = await makeWorkspace({
      'docs/index.md': '# docs',
      '.git/config': '[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0LWNyZWRlbnRpYWw=\n'
    })
    await symlink('../.git/config', join(workspace, 'docs', 'config'))
    // A link to the file system's root: walking it would take minutes and archive the machine.
    await symlink('/', join(workspace, 'docs', 'root'))
    const run = await s.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { archive: 'docs/**' },
      env: FAST,
      timeoutMs: 30_000
    })
    expect(run.signal).toBeNull()
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/docs\/config" is a symbolic link to "\.\.\/\.git\/config"/)
    expect(run.stdout).toMatch(/leads into a \.git directory/)
    expect(run.stdout).toMatch(/docs\/root" is a symbolic link to "\/"/)
    expect(run.stdout).not.toContain('c2VjcmV0LWNyZWRlbnRpYWw=')
    expect(writes(s.server)).toEqual([])
  })

  test('a link that stays inside the workspace and outside .git is followed', async () => {
    const s = await start()
    const workspace = await makeWorkspace({ 'build/app-1.0.tar.gz': 'the app' })
    await mkdir(join(workspace, 'dist'))
    await symlink('../build/app-1.0.tar.gz', join(workspace, 'dist', 'app.tar.gz'))
    await symlink('../build', join(workspace, 'dist', 'more'))
    const run = await s.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'dist/*', archive: 'dist/**' },
      env: FAST
    })
    expect(run.code).toBe(0)
    const files = Object.fromEntries(s.server.records()[0].files.map(f => [f.key, f.checksum]))
    expect(files['app.tar.gz']).toBe(`md5:${md5('the app')}`)
  })
})

describe('names never speak to the runner', () => {
  const evil = [
    'x\n::error title=INJECTED::owned',
    'y\n::stop-commands::endtoken',
    'z\r##[error]legacy'
  ]

  test('file and archive member names with control characters are refused before any write, and no injected command reaches stdout', async () => {
    const s = await start()
    const workspace = await makeWorkspace({
      [`dist/${evil[0]}`]: 'a',
      [`dist/${evil[1]}`]: 'b',
      [`docs/${evil[2]}`]: 'c',
      'docs/ok.md': 'ok'
    })
    const run = await s.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'dist/*', archive: 'docs/**' },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/holds a control character/)
    expect(injected(run, SECRETS)).toEqual([])
    expect(writes(s.server)).toEqual([])
  })

  test('a release asset named like a workflow command is refused before anything is downloaded or written', async () => {
    const s = await start()
    s.server.github.setRelease('v2.0.0', {
      name: 'Two',
      body: 'x',
      assets: [{ name: evil[1], content: 'asset' }]
    })
    const run = await s.run({
      event: dispatchEvent('refs/heads/main'),
      workspace: await makeWorkspace({}),
      inputs: { version: 'v2.0.0', 'release-assets': 'true' },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/release asset .* holds control characters/)
    expect(injected(run, SECRETS)).toEqual([])
    expect(s.server.requests.filter(r => r.url.includes('/releases/assets/'))).toEqual([])
    expect(writes(s.server)).toEqual([])
  })

  test('a server message with a newline is logged on one line and starts no command', async () => {
    const s = await start()
    s.server.faults.add({
      method: 'PUT',
      path: /^\/api\/deposit\/depositions\/\d+$/,
      kind: {
        type: 'status',
        status: 429,
        body: {
          message: 'slow down\n::error title=INJECTED::from the server\n::stop-commands::x',
          status: 429
        },
        headers: { 'Retry-After': '1' }
      }
    })
    const run = await s.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace: await makeWorkspace({ 'dist/a.txt': 'a' }),
      inputs: { files: 'dist/*' },
      env: FAST
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/429 \(slow down .*INJECTED/)
    expect(injected(run, SECRETS)).toEqual([])
  })
})

describe('the token goes only to the Zenodo origin', () => {
  let foreign: Server
  let seen: { method: string; url: string; headers: IncomingHttpHeaders }[]
  beforeEach(async () => {
    seen = []
    foreign = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
      req.resume()
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"checksum":"md5:0"}')
    })
    await new Promise<void>(resolve => foreign.listen(0, '127.0.0.1', resolve))
  })
  afterEach(async () => {
    foreign.closeAllConnections()
    await new Promise<void>(resolve => {
      foreign.close(() => {
        resolve()
      })
    })
  })

  test('a links.bucket on another host stops the run before anything is sent there', async () => {
    const address = foreign.address()
    if (!address || typeof address === 'string') throw new Error('no port')
    const s = await start({ foreignBucketApiUrl: `http://127.0.0.1:${String(address.port)}/api` })
    const run = await s.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace: await makeWorkspace({ 'dist/a.txt': 'a' }),
      inputs: { files: 'dist/*' },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/on another origin than http:\/\/127\.0\.0\.1:\d+/)
    expect(run.stdout).toMatch(/nothing was sent to http:\/\/127\.0\.0\.1:\d+/)
    expect(seen).toEqual([])
    expect(s.server.records()).toEqual([])
    // The run's own draft is discarded (through the Zenodo origin, with the token).
    expect(s.server.depositions().filter(d => !d.submitted)).toEqual([])
    expect(secretLeaks(run, s.server.requests, [s.server.token])).toEqual([])
  })
})

describe('release assets', () => {
  test('an asset named with ".." is written inside the scratch folder only and uploaded under its base name', async () => {
    const s = await start()
    const name = `zra-escape-${randomUUID()}`
    const traversal = `${'../'.repeat(16)}tmp/${name}`
    s.server.github.setRelease('v3.0.0', {
      name: 'Three',
      body: 'x',
      assets: [{ name: traversal, content: 'payload' }]
    })
    const run = await s.run({
      event: dispatchEvent('refs/heads/main'),
      workspace: await makeWorkspace({}),
      inputs: { version: 'v3.0.0', 'release-assets': 'true' },
      env: FAST
    })
    expect(run.code).toBe(0)
    expect(existsSync(join('/tmp', name))).toBe(false)
    const files = Object.fromEntries(s.server.records()[0].files.map(f => [f.key, f.checksum]))
    expect(files).toEqual({ [name]: `md5:${md5('payload')}` })
  })

  test('a GitHub 403 on an asset is named as GitHub, hints at permissions, and nothing is written to Zenodo', async () => {
    const s = await start()
    s.server.github.setRelease('v4.0.0', {
      name: 'Four',
      body: 'x',
      assets: [{ name: 'tool.zip', content: 'tool' }]
    })
    githubRefuses(s.server, /^\/github\/repos\/.*\/releases\/assets\/\d+$/)
    const run = await s.run({
      event: dispatchEvent('refs/heads/main'),
      workspace: await makeWorkspace({}),
      inputs: { version: 'v4.0.0', 'release-assets': 'true' },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /GitHub refused GET \/github\/repos\/\S+\/releases\/assets\/\d+ \(403 Resource not accessible by integration\)/
    )
    expect(run.stdout).toMatch(/permissions: contents: read/)
    expect(run.stdout).not.toMatch(/Zenodo refused/)
    expect(writes(s.server)).toEqual([])
  })

  test('a GitHub 403 on the release lookup fails the run before any write, with the permissions hint', async () => {
    const s = await start()
    githubRefuses(s.server, /^\/github\/repos\/.*\/releases\/tags\//)
    const run = await s.run({
      event: dispatchEvent('refs/heads/main'),
      workspace: await makeWorkspace({ 'dist/a.txt': 'a' }),
      inputs: { version: 'v5.0.0', files: 'dist/*' },
      env: FAST
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /GitHub refused to look up the release for tag v5\.0\.0 \(GitHub answered 403/
    )
    expect(run.stdout).toMatch(/permissions: contents: read/)
    expect(writes(s.server)).toEqual([])
  })
})

test('contributors GitHub refuses to list fall back with a warning that names GitHub and the permissions', async () => {
  const s = await start()
  githubRefuses(s.server, /^\/github\/repos\/[^/]+\/[^/]+\/contributors$/)
  const run = await s.run({
    event: releaseEvent({ tag: 'v1.0.0', author: 'releaser' }),
    workspace: await makeWorkspace({ 'dist/a.txt': 'a' }),
    inputs: { files: 'dist/*' },
    env: FAST
  })
  expect(run.code).toBe(0)
  expect(run.stdout).toMatch(
    /::warning::Could not read the repository's contributors from GitHub \(GitHub answered 403: .*\); using releaser as the creator\..*permissions: contents: read/
  )
  const m = s.server.records()[0].metadata as { creators: { name: string }[] }
  expect(m.creators).toEqual([expect.objectContaining({ name: 'releaser' })])
})

describe('files changed after planning', () => {
  /** Runs a release whose dist/big.bin is changed by `change` when the deposition is created. */
  async function changedAfterPlanning(
    change: (file: string) => Promise<void>
  ): Promise<{ s: E2E; run: ActionRun }> {
    const s = await start()
    const workspace = await makeWorkspace({ 'dist/big.bin': Buffer.alloc(256 * 1024, 7) })
    const file = join(workspace, 'dist', 'big.bin')
    s.server.faults.add({
      method: 'POST',
      path: '/api/deposit/depositions',
      kind: { type: 'hook', when: 'before', fn: () => change(file) }
    })
    const run = await s.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'dist/*' },
      env: FAST,
      timeoutMs: 30_000
    })
    return { s, run }
  }

  test('a file truncated between planning and upload is not published', async () => {
    const { s, run } = await changedAfterPlanning(file => truncate(file, 1000))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /big\.bin changed after the files were planned: it was 256 KiB \(262144 bytes\) and is now 1000 bytes/
    )
    expect(
      s.server.requests.filter(r => r.method === 'PUT' && r.url.startsWith('/api/files/'))
    ).toEqual([])
    expect(s.server.records()).toEqual([])
  })

  test('a file swapped for a FIFO ends the run with an error, and the process exits', async () => {
    const { s, run } = await changedAfterPlanning(async file => {
      await unlink(file)
      execFileSync('mkfifo', [file])
    })
    expect(run.signal).toBeNull()
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/big\.bin is no longer a regular file .* is now a FIFO/)
    expect(s.server.records()).toEqual([])
  })
})
