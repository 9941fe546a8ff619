/**
 * The project's Zenodo test server: a stand-in for today's Zenodo legacy deposit and bucket API
 * on 127.0.0.1 (node:http only), plus GitHub API and OAuth token fixtures. Used in-process by the
 * jest tests, as a separate process (cli.ts) by end-to-end tests, the demo and the benchmark.
 *
 * Where each behaviour comes from in docs/zenodo-api.md:
 * - "Conventions": auth by Bearer header or ?access_token=, anonymous => 403 (never 401); the
 *   exact Content-Type (415) and Accept (406) rules; error bodies; ETag/If-Match (here, below and
 *   http-util.ts, deposit-routes.ts).
 * - "Endpoints" table and "List params": deposit-routes.ts (list with q/page/size/sort/
 *   all_versions and listLagMs, create, get, PUT, DELETE, actions, files, 405s) and
 *   bucket-routes.ts (bucket PUT/GET/DELETE, /records with 302/301 redirects, downloads).
 * - "Shapes": store.ts (draft, published deposition, bucket object and record bodies).
 * - "newversion": deposit-routes.ts newVersion (from the LATEST version, all files imported into
 *   a new bucket, 201 with the new draft, the stale-draft "Please remove all files first." rule).
 * - "Publish" and "Legacy metadata": legacy-metadata.ts (defaults, license matching and echo from
 *   src/data/zenodo-licenses.json, vocabularies from src/data/zenodo-vocabularies.json, dropped
 *   keys/scalars, 500s for missing keys, RDM-named publish errors).
 * - "Limits": quota per file and bucket from Content-Length up front (receive.ts streams to disk
 *   through md5), 100 files per record, rate limits with headers (rate-limit.ts).
 * - "Quirks": 1 newversion; 2 discard 204; 3 latest_draft is itself; 4 bucket DELETE 500
 *   (option bucketDeleteReturns500) and bucket listing 500; 5 download links under /draft/;
 *   6 badge without DOI; 7 publish-then-504 (fault kind 'after' with html); 8 listLagMs;
 *   9 license echo; 10 thesis->dissertation; 11 status param ignored; 12 500s; 13 locked bucket.
 * - Users' problems 3-6 are reproduced with faults (faults.ts): status, after, reset, stall,
 *   delay and hooks on any request; 'stall-after' carries a request out and never answers (a
 *   publish that stalls but happens); 'after' with `text` answers with a non-JSON body.
 * - With the `rdm` option, InvenioRDM's native API (rdm-routes.ts) is mounted by a route-prefix
 *   check behind the same auth, faults, rate limits and request log: as an instance (no legacy
 *   API) or as Zenodo (RDM shapes on /api/records only to Accept: application/vnd.inveniordm.v1+json;
 *   versions published through the legacy API are records of the native one too).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bucketRoutes, recordRoutes } from './bucket-routes.js'
import { communityReply } from './communities.js'
import type { Ctx, Env } from './context.js'
import { depositRoutes } from './deposit-routes.js'
import { FaultList } from './faults.js'
import { GithubApi } from './github-fixture.js'
import {
  ApiError,
  checkAccept,
  errorReply,
  internalError,
  notFound,
  type Reply
} from './http-util.js'
import { OAuthServer } from './oauth-fixture.js'
import { RateLimiter } from './rate-limit.js'
import { RdmApi } from './rdm-routes.js'
import { UploadAborted } from './receive.js'
import { consume, faultReply, writeReply } from './respond.js'
import { seedPublished, seedStaleDraft } from './seed.js'
import { Store } from './store.js'
import type { RequestLogEntry, ZenodoServerOptions, ZenodoTestServer } from './types.js'

export type * from './types.js'

const DEFAULT_QUOTA = 50 * 1000 ** 3

/** The non-GET requests to /api, in order (what the client changed, or tried to). */
export function writeRequests(log: RequestLogEntry[]): RequestLogEntry[] {
  return log.filter(r => r.method !== 'GET' && r.url.startsWith('/api/'))
}

/** "METHOD /path" of each entry, for readable assertions. */
export function describeRequests(log: RequestLogEntry[]): string[] {
  return log.map(r => `${r.method} ${r.url.split('?')[0]}`)
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

function decodeSegments(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter(Boolean)
      .map(s => decodeURIComponent(s))
  } catch {
    return undefined
  }
}

function bearer(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')
  return m?.[1].trim() ?? query.get('access_token') ?? undefined
}

/** Starts a test server on 127.0.0.1. */
export async function startZenodoServer(opts: ZenodoServerOptions = {}): Promise<ZenodoTestServer> {
  const ownsDir = !opts.storageDir
  const storageDir = opts.storageDir ?? (await mkdtemp(join(tmpdir(), 'zenodo-test-server-')))
  await mkdir(storageDir, { recursive: true })
  const token = opts.token ?? 'test-token'
  const requests: RequestLogEntry[] = []
  const faults = new FaultList()
  const limiter = new RateLimiter(opts.rateLimitPerMinute ?? 100)
  const oauth = new OAuthServer()
  const sockets = new Set<Socket>()

  const server = createServer({
    requestTimeout: 0,
    headersTimeout: 60_000,
    keepAliveTimeout: 5_000
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      resolve()
    })
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  const url = `http://127.0.0.1:${String(address.port)}`
  const store = new Store(storageDir, url)
  store.bucketApiUrl = opts.foreignBucketApiUrl
  const github = new GithubApi(
    opts.github?.owner ?? 'octo-org',
    opts.github?.repo ?? 'octo-repo',
    url
  )
  const env: Env = { store, opts, quota: opts.quotaBytes ?? DEFAULT_QUOTA }
  // the InvenioRDM native API (rdm-routes.ts), when asked for
  const rdm = opts.rdm ? new RdmApi(env, opts.rdm) : undefined

  const isValidToken = (t: string | undefined): boolean =>
    t !== undefined && (t === token || oauth.accepts(t))

  async function route(ctx: Ctx, rate: Record<string, string> | undefined): Promise<Reply> {
    const top = ctx.segments[0]
    if (top === 'api') {
      const segs = ctx.segments.slice(1)
      ctx.segments = segs
      if (rate === undefined) throw notFound()
      if (rdm?.handles(ctx, segs)) return rdm.route(ctx, segs)
      if (rdm?.mode === 'instance' && (segs[0] === 'deposit' || segs[0] === 'files')) {
        throw notFound()
      }
      const isDownload =
        segs[segs.length - 1] === 'content' || (segs[0] === 'files' && ctx.method === 'GET')
      if (!isDownload) checkAccept(ctx.req)
      if (segs[0] === 'deposit' && segs[1] === 'depositions') {
        return depositRoutes(env, ctx, segs.slice(2))
      }
      if (segs[0] === 'files' && segs.length >= 2) return bucketRoutes(env, ctx, segs.slice(1))
      if (segs[0] === 'records') return recordRoutes(env, ctx, segs.slice(1))
      if (segs[0] === 'communities' && segs.length === 2 && ctx.method === 'GET') {
        return communityReply(env, segs[1])
      }
      throw notFound()
    }
    if (top === 'github') {
      ctx.segments = ctx.segments.slice(1)
      return github.handle(ctx)
    }
    if (top === 'github-download') return github.download(ctx.segments.slice(1))
    if (top === 'oauth' && ctx.segments[1] === 'token' && ctx.segments.length === 2) {
      return oauth.handle(ctx)
    }
    throw notFound()
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/'
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      url: rawUrl,
      status: 0,
      headers: req.headers,
      bodyBytes: 0,
      startedAt: Date.now(),
      durationMs: 0
    }
    requests.push(entry)
    res.on('close', () => (entry.durationMs = Date.now() - entry.startedAt))
    const qAt = rawUrl.indexOf('?')
    const path = qAt < 0 ? rawUrl : rawUrl.slice(0, qAt)
    const query = new URLSearchParams(qAt < 0 ? '' : rawUrl.slice(qAt + 1))
    const segments = decodeSegments(path)
    const tok = bearer(req, query)
    const isApi = path === '/api' || path.startsWith('/api/')
    const rateState = isApi ? limiter.hit(isValidToken(tok) ? tok : undefined) : undefined
    const rate = rateState ? RateLimiter.headers(rateState) : undefined

    if (opts.latencyMs) await sleep(opts.latencyMs)
    const fault = faults.take(entry.method, path)
    if (fault?.type === 'reset') {
      await consume(req, entry, fault.afterBodyBytes ?? 0)
      req.socket.destroy()
      return
    }
    if (fault?.type === 'stall') {
      await consume(req, entry, fault.afterBodyBytes ?? 0)
      req.pause()
      return
    }
    if (fault?.type === 'status') {
      const reply = faultReply(fault)
      reply.headers = { ...reply.headers, ...fault.headers }
      await writeReply(req, res, entry, reply, rate)
      return
    }
    if (fault?.type === 'delay') await sleep(fault.ms)
    if (fault?.type === 'hook' && fault.when === 'before') await fault.fn(entry)

    let reply: Reply
    try {
      // an encoded slash in a key does not route on Zenodo (GitHub tags may hold one)
      if (!segments || (isApi && segments.some(s => s.includes('/')))) throw notFound()
      if (rateState?.exceeded) {
        throw new ApiError(429, { message: `${String(rateState.limit)} per 1 minute`, status: 429 })
      }
      // checked after the faults' delays and hooks, which may revoke tokens
      const authed = isValidToken(tok)
      reply = await route({ req, entry, method: entry.method, path, segments, query, authed }, rate)
    } catch (e) {
      if (e instanceof UploadAborted) {
        req.socket.destroy()
        return
      }
      reply = e instanceof ApiError ? errorReply(e) : errorReply(internalError())
      if (!(e instanceof ApiError)) process.stderr.write(`zenodo test server: ${String(e)}\n`)
    }
    if (fault?.type === 'stall-after') {
      // carried out, never answered: the connection stays open until the client gives up
      req.pause()
      return
    }
    if (fault?.type === 'after') reply = faultReply(fault)
    if (fault?.type === 'hook' && fault.when === 'after') await fault.fn(entry)
    await writeReply(req, res, entry, reply, rate)
  }

  server.on('request', (req, res) => {
    handle(req, res).catch((e: unknown) => {
      process.stderr.write(`zenodo test server: ${String(e)}\n`)
      res.destroy()
    })
  })

  const api: ZenodoTestServer = {
    url,
    apiUrl: `${url}/api`,
    githubApiUrl: `${url}/github`,
    token,
    requests,
    faults,
    github,
    oauth,
    rdm: rdm?.handle(),
    depositions: () => [...store.deps.values()].map(d => store.depositionJson(d)),
    records: () => [...store.deps.values()].filter(d => d.published).map(d => store.recordJson(d)),
    seedPublished: spec => seedPublished(store, spec),
    seedStaleDraft: (conceptrecid, spec) => seedStaleDraft(store, conceptrecid, spec),
    async close() {
      faults.clear()
      for (const s of sockets) s.destroy()
      server.closeAllConnections()
      await new Promise<void>(resolve => {
        server.close(() => {
          resolve()
        })
      })
      if (ownsDir) await rm(storageDir, { recursive: true, force: true })
    }
  }
  return api
}
