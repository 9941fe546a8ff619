/**
 * The HTTP client against the Zenodo test server over real HTTP: retry policy (429, 5xx,
 * resets), what is never repeated, token handling and the headers every request carries.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { startZenodoServer, type ZenodoTestServer } from '../test-server/zenodo-server.js'
import { Readable } from 'node:stream'
import { Agent } from 'undici'
import { ActionError } from '../src/errors.js'
import { OAuthToken } from '../src/zenodo/oauth.js'
import { HttpClient, HttpError, NetworkError, type TokenSource } from '../src/http.js'
import {
  captureOutput,
  closeTestClients,
  testClient,
  type OutputCapture
} from './helpers/http-client.js'

let server: ZenodoTestServer
let out: OutputCapture

beforeEach(async () => {
  server = await startZenodoServer({})
  out = captureOutput()
})

afterEach(async () => {
  out.restore()
  await server.close()
})

afterAll(closeTestClients)

const DEPOSITIONS = '/api/deposit/depositions'

/** Requests the server saw for a path (query excluded). */
function seen(method: string, path: string): number {
  return server.requests.filter(r => r.method === method && r.url.split('?')[0] === path).length
}

async function createDraft(token = server.token): Promise<number> {
  const { http } = testClient(token)
  const res = await http.request<{ id: number }>({
    method: 'POST',
    url: `${server.apiUrl}/deposit/depositions`,
    json: {},
    retry: 'unsafe'
  })
  return res.body.id
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as { port: number }
  await new Promise(resolve => s.close(resolve))
  return port
}

describe('rate limits', () => {
  test('a 429 with Retry-After waits the seconds it asks for, then repeats the request', async () => {
    const id = await createDraft()
    server.faults.add({
      method: 'PUT',
      path: `${DEPOSITIONS}/${String(id)}`,
      kind: {
        type: 'status',
        status: 429,
        body: { status: 429, message: '100 per 1 minute' },
        headers: { 'Retry-After': '7' }
      }
    })
    const { http, sleeps } = testClient(server.token)
    const res = await http.request({
      method: 'PUT',
      url: `${server.apiUrl}/deposit/depositions/${String(id)}`,
      json: { metadata: { title: 'Rate limited' } },
      retry: 'safe'
    })
    expect(res.status).toBe(200)
    expect(sleeps).toEqual([7000])
    expect(seen('PUT', `${DEPOSITIONS}/${String(id)}`)).toBe(2)
    expect(out.text()).toContain(
      `Zenodo answered 429 (100 per 1 minute) to PUT ${DEPOSITIONS}/${String(id)}; retrying in 7 s (attempt 2 of 5)`
    )
  })

  test('a 429 with only X-RateLimit-Reset waits until that epoch second', async () => {
    const now = 1_800_000_000_000
    server.faults.add({
      method: 'GET',
      path: DEPOSITIONS,
      kind: {
        type: 'status',
        status: 429,
        body: { status: 429, message: '100 per 1 minute' },
        headers: { 'X-RateLimit-Reset': String(now / 1000 + 12), 'X-RateLimit-Remaining': '0' }
      }
    })
    const { http, sleeps } = testClient(server.token, { now: () => now })
    const res = await http.request({
      method: 'GET',
      url: `${server.apiUrl}/deposit/depositions`,
      retry: 'safe'
    })
    expect(res.status).toBe(200)
    expect(sleeps).toEqual([12_000])
  })

  test('a 429 asking for longer than maxRateLimitWaitMs waits only the cap', async () => {
    server.faults.add({
      path: DEPOSITIONS,
      kind: { type: 'status', status: 429, headers: { 'Retry-After': '3600' } }
    })
    const { http, sleeps } = testClient(server.token, { maxRateLimitWaitMs: 65_000 })
    await http.request({
      method: 'GET',
      url: `${server.apiUrl}/deposit/depositions`,
      retry: 'safe'
    })
    expect(sleeps).toEqual([65_000])
  })

  test('a 429 is repeated even for an unsafe request, since Zenodo did nothing', async () => {
    server.faults.add({
      method: 'POST',
      path: DEPOSITIONS,
      kind: { type: 'status', status: 429, headers: { 'Retry-After': '1' } }
    })
    const id = await createDraft()
    expect(id).toBeGreaterThan(0)
    expect(seen('POST', DEPOSITIONS)).toBe(2)
    expect(server.depositions()).toHaveLength(1)
  })
})

describe('server errors and resets', () => {
  test('a 5xx with a JSON body is retried up to maxAttempts, then a clear HttpError', async () => {
    server.faults.add({
      method: 'GET',
      path: DEPOSITIONS,
      times: 10,
      kind: { type: 'status', status: 503, body: { status: 503, message: 'Service busy.' } }
    })
    const { http, sleeps } = testClient(server.token, { maxAttempts: 4, baseDelayMs: 100 })
    const err = await http
      .request({ method: 'GET', url: `${server.apiUrl}/deposit/depositions?size=5`, retry: 'safe' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HttpError)
    const e = err as HttpError
    expect(e.status).toBe(503)
    expect(e.path).toBe(DEPOSITIONS)
    expect(e.retryable).toBe(true)
    expect(e.message).toBe(
      `Zenodo answered 503 (Service busy.) to GET ${DEPOSITIONS} (gave up after 4 attempts)`
    )
    expect(seen('GET', DEPOSITIONS)).toBe(4)
    // full jitter with random() = 0.5: half of 100, 200, 400
    expect(sleeps).toEqual([50, 100, 200])
  })

  test('backoff waits are capped by maxDelayMs and the total by maxTotalWaitMs', async () => {
    server.faults.add({
      path: DEPOSITIONS,
      times: 10,
      kind: { type: 'status', status: 500 }
    })
    const { http, sleeps } = testClient(server.token, {
      maxAttempts: 10,
      baseDelayMs: 1000,
      maxDelayMs: 3000,
      maxTotalWaitMs: 5000,
      random: () => 1
    })
    await expect(
      http.request({ method: 'GET', url: `${server.apiUrl}/deposit/depositions`, retry: 'safe' })
    ).rejects.toThrow(HttpError)
    // 1000 + 2000 fit in 5000; the next (3000, capped) would exceed it
    expect(sleeps).toEqual([1000, 2000])
    expect(seen('GET', DEPOSITIONS)).toBe(3)
  })

  test('an HTML error page from a proxy is reported by status and reason, not dumped', async () => {
    server.faults.add({
      path: DEPOSITIONS,
      times: 10,
      kind: { type: 'status', status: 502, html: true }
    })
    const { http } = testClient(server.token, { maxAttempts: 2 })
    const err = (await http
      .request({ method: 'GET', url: `${server.apiUrl}/deposit/depositions`, retry: 'safe' })
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.status).toBe(502)
    expect(err.message).toBe(
      `Zenodo answered 502 (Bad Gateway, an HTML error page) to GET ${DEPOSITIONS} (gave up after 2 attempts)`
    )
    expect(err.message).not.toContain('<')
    expect(out.text()).not.toContain('<html')
    expect(seen('GET', DEPOSITIONS)).toBe(2)
  })

  test('a connection reset is retried for a safe request', async () => {
    const id = await createDraft()
    server.faults.add({
      method: 'GET',
      path: `${DEPOSITIONS}/${String(id)}`,
      kind: { type: 'reset' }
    })
    const { http, sleeps } = testClient(server.token)
    const res = await http.request<{ id: number }>({
      method: 'GET',
      url: `${server.apiUrl}/deposit/depositions/${String(id)}`,
      retry: 'safe'
    })
    expect(res.body.id).toBe(id)
    expect(sleeps).toHaveLength(1)
    expect(seen('GET', `${DEPOSITIONS}/${String(id)}`)).toBe(2)
    expect(out.text()).toMatch(
      new RegExp(
        `The connection to Zenodo failed during GET ${DEPOSITIONS}/${String(id)}: .*; retrying in`
      )
    )
  })

  test('an unsafe request is not repeated after a 5xx', async () => {
    server.faults.add({
      method: 'POST',
      path: DEPOSITIONS,
      kind: { type: 'after', status: 504, html: true }
    })
    const { http, sleeps } = testClient(server.token)
    const err = (await http
      .request({
        method: 'POST',
        url: `${server.apiUrl}/deposit/depositions`,
        json: {},
        retry: 'unsafe'
      })
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.status).toBe(504)
    expect(err.message).toContain('Zenodo may have carried it out')
    expect(seen('POST', DEPOSITIONS)).toBe(1)
    expect(sleeps).toEqual([])
    // the 504 came after the work was done: exactly one draft, none made by a repeat
    expect(server.depositions()).toHaveLength(1)
  })

  test('an unsafe request is not repeated after a connection reset', async () => {
    server.faults.add({ method: 'POST', path: DEPOSITIONS, kind: { type: 'reset' } })
    const { http } = testClient(server.token)
    const err = await http
      .request({
        method: 'POST',
        url: `${server.apiUrl}/deposit/depositions`,
        json: {},
        retry: 'unsafe'
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as NetworkError).mayHaveReachedServer).toBe(true)
    expect(seen('POST', DEPOSITIONS)).toBe(1)
  })

  test('a refused connection is repeated even for an unsafe request, then reported', async () => {
    const port = await closedPort()
    const { http, sleeps } = testClient(server.token, { maxAttempts: 3 })
    const err = (await http
      .request({
        method: 'POST',
        url: `http://127.0.0.1:${String(port)}/api/deposit/depositions`,
        json: {},
        retry: 'unsafe'
      })
      .catch((e: unknown) => e)) as NetworkError
    expect(err).toBeInstanceOf(NetworkError)
    expect(err.code).toBe('ECONNREFUSED')
    expect(err.mayHaveReachedServer).toBe(false)
    expect(sleeps).toHaveLength(2)
    expect(err.message).toBe(
      `The connection to Zenodo failed during POST ${DEPOSITIONS}: the connection was refused (ECONNREFUSED) (gave up after 3 attempts)`
    )
  })

  test('a 4xx is not retried and carries Zenodo message and field errors', async () => {
    const { http, sleeps } = testClient(server.token)
    const err = (await http
      .request({
        method: 'POST',
        url: `${server.apiUrl}/deposit/depositions`,
        json: { title: 'x' },
        retry: 'safe'
      })
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.status).toBe(400)
    expect(err.retryable).toBe(false)
    expect(err.fieldErrors).toEqual([{ field: 'title', messages: ['Unknown field.'] }])
    expect(err.message).toMatch(
      /^Zenodo refused POST \/api\/deposit\/depositions \(400 .+\): title: Unknown field\.$/
    )
    expect(sleeps).toEqual([])
  })
})

describe('the token', () => {
  test('is sent only as a bearer header, with the User-Agent and Accept on every request', async () => {
    const id = await createDraft()
    const { http } = testClient(server.token, {}, 'my-action/2.0 (+https://github.com/o/r)')
    await http.request({
      method: 'GET',
      url: `${server.apiUrl}/deposit/depositions/${String(id)}`,
      retry: 'safe'
    })
    const last = server.requests.at(-1)
    expect(last?.headers.authorization).toBe(`Bearer ${server.token}`)
    expect(last?.headers['user-agent']).toBe('my-action/2.0 (+https://github.com/o/r)')
    expect(last?.headers.accept).toBe('application/json')
    for (const r of server.requests) expect(r.url).not.toContain(server.token)
  })

  test('JSON bodies are sent with Content-Type exactly application/json', async () => {
    const id = await createDraft()
    const { http } = testClient(server.token)
    await http.request({
      method: 'PUT',
      url: `${server.apiUrl}/deposit/depositions/${String(id)}`,
      json: { metadata: { title: 'Ünïcödé title' } },
      retry: 'safe'
    })
    const put = server.requests.filter(r => r.method === 'PUT').at(-1)
    expect(put?.headers['content-type']).toBe('application/json')
    expect(put?.status).toBe(200)
    expect(server.depositions()[0].metadata.title).toBe('Ünïcödé title')
  })

  test('never appears in a log line or an error, even from a failing retry or a bad URL', async () => {
    const token = 'Tok3n-that-must-never-leak-0123456789'
    server.faults.add({ path: DEPOSITIONS, times: 3, kind: { type: 'reset' } })
    const { http } = testClient(token, { maxAttempts: 3 })
    const errors: unknown[] = []
    // the caller put the token in the query by mistake: the path reported drops the query
    errors.push(
      await http
        .request({
          method: 'GET',
          url: `${server.apiUrl}/deposit/depositions?access_token=${token}`,
          retry: 'safe'
        })
        .catch((e: unknown) => e)
    )
    // undici refuses a header value with a newline: its error must not carry the value
    const { http: broken } = testClient(`${token}\r\nX-Injected: 1`)
    errors.push(
      await broken
        .request({ method: 'GET', url: `${server.apiUrl}/deposit/depositions`, retry: 'safe' })
        .catch((e: unknown) => e)
    )
    const port = await closedPort()
    errors.push(
      await http
        .request({
          method: 'GET',
          url: `http://127.0.0.1:${String(port)}/api/x?access_token=${token}`,
          retry: 'safe'
        })
        .catch((e: unknown) => e)
    )
    errors.push(
      await http
        .request({ method: 'GET', url: `not a url ${token}`, retry: 'safe' })
        .catch((e: unknown) => e)
    )
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error)
      const err = e as Error & { path?: string }
      expect(
        `${err.message} ${String(err.stack)} ${String(err.path)} ${JSON.stringify(err)}`
      ).not.toContain(token)
    }
    expect(out.text()).toContain('retrying in')
    expect(out.text()).not.toContain(token)
  })

  test('a refused token is refreshed once and the request repeated with the new one', async () => {
    const id = await createDraft()
    let current = 'expired-token'
    let refreshes = 0
    const source: TokenSource = {
      token: () => Promise.resolve(current),
      refresh: () => {
        refreshes++
        current = server.token
        return Promise.resolve()
      }
    }
    const { http } = testClient(source)
    const res = await http.request<{ id: number }>({
      method: 'POST',
      url: `${server.apiUrl}/deposit/depositions/${String(id)}/actions/discard`,
      retry: 'unsafe'
    })
    expect(res.status).toBe(204)
    expect(refreshes).toBe(1)
    const auths = server.requests.slice(-2).map(r => r.headers.authorization)
    expect(auths).toEqual(['Bearer expired-token', `Bearer ${server.token}`])
  })

  test('a token still refused after one refresh fails with a hint about token, scopes and server', async () => {
    let refreshes = 0
    const source: TokenSource = {
      token: () => Promise.resolve('never-valid'),
      refresh: () => {
        refreshes++
        return Promise.resolve()
      }
    }
    const { http } = testClient(source)
    const err = (await http
      .request({ method: 'GET', url: `${server.apiUrl}/deposit/depositions`, retry: 'safe' })
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.status).toBe(403)
    expect(refreshes).toBe(1)
    expect(seen('GET', DEPOSITIONS)).toBe(2)
    expect(err.message).toMatch(
      /^Zenodo refused GET \/api\/deposit\/depositions \(403 Permission denied\.\)\. Check the token/
    )
    expect(err.message).toContain('deposit:write')
    expect(err.message).toContain('sandbox')
  })

  test('is not sent when auth is false', async () => {
    const { http } = testClient(server.token)
    await http
      .request({
        method: 'GET',
        url: `${server.apiUrl}/deposit/depositions`,
        retry: 'safe',
        auth: false
      })
      .catch(() => undefined)
    expect(server.requests.at(-1)?.headers.authorization).toBeUndefined()
  })
})

describe('downloads (release assets)', () => {
  /** A second origin standing in for GitHub's object store: records headers, serves bytes. */
  async function storageHost(
    body: Buffer,
    failFirst = 0
  ): Promise<{ url: string; seen: IncomingHttpHeaders[]; close: () => Promise<void> }> {
    const seenHeaders: IncomingHttpHeaders[] = []
    const host = createHttpServer((req, res) => {
      seenHeaders.push(req.headers)
      if (seenHeaders.length <= failFirst) {
        res.writeHead(503).end('busy')
        return
      }
      res.writeHead(200, { 'content-length': body.length }).end(body)
    })
    await new Promise<void>(resolve => host.listen(0, '127.0.0.1', resolve))
    const { port } = host.address() as { port: number }
    return {
      url: `http://127.0.0.1:${String(port)}/blob`,
      seen: seenHeaders,
      close: () =>
        new Promise(resolve => {
          host.close(() => {
            resolve()
          })
        })
    }
  }

  /** An API host that redirects to `target` and records the headers it got. */
  async function redirector(
    target: string
  ): Promise<{ url: string; seen: IncomingHttpHeaders[]; close: () => Promise<void> }> {
    const seenHeaders: IncomingHttpHeaders[] = []
    const host = createHttpServer((req, res) => {
      seenHeaders.push(req.headers)
      res.writeHead(302, { location: target }).end()
    })
    await new Promise<void>(resolve => host.listen(0, 'localhost', resolve))
    const { port } = host.address() as { port: number }
    return {
      url: `http://localhost:${String(port)}/asset/1`,
      seen: seenHeaders,
      close: () =>
        new Promise(resolve => {
          host.close(() => {
            resolve()
          })
        })
    }
  }

  test('a redirect to another host never receives the Authorization header', async () => {
    const bytes = randomBytes(300_000)
    const storage = await storageHost(bytes)
    const api = await redirector(storage.url)
    const dir = await mkdtemp(join(tmpdir(), 'zra-dl-'))
    try {
      const { http } = testClient(undefined)
      const dest = join(dir, 'asset.bin')
      const { size } = await http.download(api.url, dest, {
        headers: { authorization: 'Bearer ghs_secret', accept: 'application/octet-stream' }
      })
      expect(size).toBe(bytes.length)
      expect((await readFile(dest)).equals(bytes)).toBe(true)
      expect(api.seen[0].authorization).toBe('Bearer ghs_secret')
      expect(storage.seen[0].authorization).toBeUndefined()
      expect(storage.seen[0].accept).toBe('application/octet-stream')
    } finally {
      await Promise.all([storage.close(), api.close(), rm(dir, { recursive: true, force: true })])
    }
  })

  test('a download answered 503 is repeated and rewrites the file from the start', async () => {
    const bytes = randomBytes(10_000)
    const storage = await storageHost(bytes, 1)
    const dir = await mkdtemp(join(tmpdir(), 'zra-dl-'))
    try {
      const { http, sleeps } = testClient(undefined)
      const dest = join(dir, 'asset.bin')
      await http.download(storage.url, dest)
      expect(storage.seen).toHaveLength(2)
      expect(sleeps).toHaveLength(1)
      expect((await readFile(dest)).equals(bytes)).toBe(true)
    } finally {
      await Promise.all([storage.close(), rm(dir, { recursive: true, force: true })])
    }
  })
})

describe('one origin for the token', () => {
  /** A host on another origin that records what it receives. */
  async function otherHost(): Promise<{
    url: string
    seen: IncomingHttpHeaders[]
    close: () => Promise<void>
  }> {
    const seenHeaders: IncomingHttpHeaders[] = []
    const host = createHttpServer((req, res) => {
      seenHeaders.push(req.headers)
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
    await new Promise<void>(resolve => host.listen(0, '127.0.0.1', resolve))
    const { port } = host.address() as { port: number }
    return {
      url: `http://127.0.0.1:${String(port)}`,
      seen: seenHeaders,
      close: () =>
        new Promise(resolve => {
          host.close(() => {
            resolve()
          })
        })
    }
  }

  function pinnedClient(origin: string): { http: HttpClient; agent: Agent } {
    const agent = new Agent({ keepAliveTimeout: 1000 })
    const http = new HttpClient({
      auth: { token: () => Promise.resolve(server.token) },
      userAgent: 'tests/1.0',
      dispatcher: agent,
      authOrigin: origin,
      policy: { sleep: () => Promise.resolve() }
    })
    return { http, agent }
  }

  test('a request that needs the token on another origin stops before anything is sent there', async () => {
    const other = await otherHost()
    const { http, agent } = pinnedClient(server.url)
    try {
      const call = http.request({ method: 'GET', url: `${other.url}/api/x`, retry: 'safe' })
      await expect(call).rejects.toThrow(ActionError)
      await expect(call).rejects.toThrow(
        new RegExp(`on another origin than ${server.url}.*nothing was sent to ${other.url}`)
      )
      expect(other.seen).toEqual([])
      expect(String(await call.catch((e: unknown) => e))).not.toContain(server.token)
    } finally {
      await Promise.all([other.close(), agent.destroy()])
    }
  })

  test('an upload to a bucket on another origin stops before a byte is sent, saying why', async () => {
    const other = await otherHost()
    const { http, agent } = pinnedClient(server.url)
    let opened = false
    try {
      const call = http.putStream(`${other.url}/api/files/b/x.bin`, () => {
        opened = true
        return { body: Readable.from([Buffer.from('x')]), length: 1 }
      })
      await expect(call).rejects.toThrow(/without it the upload would be refused/)
      expect(opened).toBe(false)
      expect(other.seen).toEqual([])
    } finally {
      await Promise.all([other.close(), agent.destroy()])
    }
  })

  test('a download carrying a token to another origin than the pinned one stops before anything is sent', async () => {
    const other = await otherHost()
    const { http, agent } = pinnedClient(server.url)
    const dest = join(await mkdtemp(join(tmpdir(), 'zra-dl-')), 'asset.bin')
    try {
      const call = http.download(`${other.url}/assets/1`, dest, {
        headers: { authorization: 'Bearer ghs_secretGithubToken' }
      })
      await expect(call).rejects.toThrow(
        /on another origin than .*without it the download would be refused/
      )
      expect(other.seen).toEqual([])
    } finally {
      await Promise.all([other.close(), agent.destroy()])
    }
  })

  test('a redirect from the token origin to another origin is followed without the token', async () => {
    const other = await otherHost()
    const api = createHttpServer((_req, res) => {
      res.writeHead(302, { location: `${other.url}/elsewhere` }).end()
    })
    await new Promise<void>(resolve => api.listen(0, '127.0.0.1', resolve))
    const apiUrl = `http://127.0.0.1:${String((api.address() as { port: number }).port)}`
    const { http, agent } = pinnedClient(apiUrl)
    try {
      await http.request({
        method: 'GET',
        url: `${apiUrl}/api/records/1`,
        retry: 'safe',
        followRedirects: true
      })
      expect(other.seen).toHaveLength(1)
      expect(other.seen[0].authorization).toBeUndefined()
    } finally {
      api.closeAllConnections()
      await Promise.all([
        other.close(),
        new Promise(resolve => api.close(resolve)),
        agent.destroy()
      ])
    }
  })

  test('without a configured origin, the first request that carries the token pins it', async () => {
    const other = await otherHost()
    const { http } = testClient(server.token)
    try {
      await http.request({
        method: 'GET',
        url: `${server.apiUrl}/deposit/depositions`,
        retry: 'safe'
      })
      await expect(
        http.request({ method: 'GET', url: `${other.url}/x`, retry: 'safe' })
      ).rejects.toThrow(/another origin/)
      // Without the token, another origin is fine.
      await http.request({ method: 'GET', url: `${other.url}/x`, retry: 'safe', auth: false })
      expect(other.seen).toHaveLength(1)
      expect(other.seen[0].authorization).toBeUndefined()
    } finally {
      await other.close()
    }
  })
})

describe('errors name their source and stay on one line', () => {
  test("a GitHub client's refusal says GitHub and points at the job's permissions", async () => {
    server.faults.add({
      path: /\/github\/repos\//,
      kind: {
        type: 'status',
        status: 403,
        body: { message: 'Resource not accessible by integration' }
      }
    })
    const agent = new Agent({ keepAliveTimeout: 1000 })
    const http = new HttpClient({ userAgent: 'tests/1.0', dispatcher: agent, service: 'GitHub' })
    try {
      const err = await http
        .request({
          method: 'GET',
          url: `${server.githubApiUrl}/repos/o/r/releases/assets/1`,
          retry: 'safe'
        })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(HttpError)
      const message = (err as Error).message
      expect(message).toMatch(
        /^GitHub refused GET \/github\/repos\/o\/r\/releases\/assets\/1 \(403 Resource not accessible by integration\)/
      )
      expect(message).toContain('permissions: contents: read')
      expect(message).not.toContain('Zenodo')
    } finally {
      await agent.destroy()
    }
  })

  test('a server message with newlines and control characters becomes one line that starts no workflow command', async () => {
    server.faults.add({
      method: 'GET',
      path: DEPOSITIONS,
      times: 2,
      kind: {
        type: 'status',
        status: 503,
        body: {
          message: 'busy\n::error title=INJECTED::x\r\n::stop-commands::y\u001b[31m##[error]z'
        }
      }
    })
    const { http } = testClient(server.token, { maxAttempts: 2 })
    const err = await http
      .request({ method: 'GET', url: `${server.apiUrl}/deposit/depositions`, retry: 'safe' })
      .catch((e: unknown) => e)
    const message = (err as Error).message
    expect(message).not.toMatch(/[\n\r]/)
    expect(message.includes('\u001b')).toBe(false)
    expect(message).not.toContain('##[')
    expect(message).toContain(
      'busy ::error title=INJECTED::x ::stop-commands::y\\u001b[31m##\\[error]z'
    )
    expect(out.lines().filter(l => /^\s*::(error title=INJECTED|stop-commands)/.test(l))).toEqual(
      []
    )
    expect(out.text()).toMatch(/Zenodo answered 503 \(busy ::error/)
  })
})

describe('the OAuth token endpoint', () => {
  test('its error text is scrubbed of the secrets sent and kept on one line', async () => {
    const refreshToken = 'rt_secret_refresh_token_123'
    const clientSecret = 'cs_secret_client_456'
    server.faults.add({
      method: 'POST',
      path: '/oauth/token',
      kind: {
        type: 'status',
        status: 400,
        body: {
          error: `invalid_grant ${refreshToken} for ${clientSecret}\n::error title=INJECTED::x`
        }
      }
    })
    const { http } = testClient(undefined)
    const source = new OAuthToken(http, `${server.url}/oauth/token`, {
      clientId: 'client',
      clientSecret,
      refreshToken
    })
    const message = await source.token().catch((e: unknown) => (e as Error).message)
    expect(message).toMatch(
      /^Zenodo refused the OAuth refresh token \(invalid_grant \*\*\* for \*\*\* ::error title=INJECTED::x\)/
    )
    expect(message).not.toContain(refreshToken)
    expect(message).not.toContain(clientSecret)
    expect(message).not.toMatch(/[\n\r]/)
  })
})
