/**
 * The one HTTP client of the action: undici with a shared keep-alive Agent, a bearer token that
 * never appears in a URL, a message or a log line, and an explicit retry policy (which failures
 * are repeated, how long to wait, and which requests must never be repeated blindly).
 */
import { createWriteStream } from 'node:fs'
import { STATUS_CODES } from 'node:http'
import { Readable, Transform, pipeline } from 'node:stream'
import { pipeline as pipelinePromise } from 'node:stream/promises'
import * as core from '@actions/core'
import { Agent, request as undiciRequest, type Dispatcher } from 'undici'
import { ActionError } from './errors.js'
import { logSafe } from './format.js'

/** How failed requests are repeated; every field has a default (DEFAULT_RETRY_POLICY). */
export interface RetryPolicy {
  /** Attempts per request, the first one included. */
  maxAttempts: number
  /** First backoff step; the wait before attempt n+1 is random() * min(maxDelayMs, baseDelayMs * 2^(n-1)). */
  baseDelayMs: number
  /** Cap of one backoff wait. */
  maxDelayMs: number
  /** Cap of the sum of the waits over one request's retries; a retry that would exceed it is not made. */
  maxTotalWaitMs: number
  /** Cap of a 429's Retry-After / X-RateLimit-Reset wait. */
  maxRateLimitWaitMs: number
  /** An upload that makes no progress for this long is aborted (and retried). */
  stallTimeoutMs: number
  /** How long to wait for the answer once a request has been sent (a publish can be slow). */
  headersTimeoutMs: number
  /** Injectable so tests run in milliseconds. */
  sleep: (ms: number) => Promise<void>
  /** Injectable jitter, in [0, 1). */
  random: () => number
  /** Injectable clock (epoch milliseconds), for Retry-After dates and X-RateLimit-Reset. */
  now: () => number
}

/** The policy used for every field the caller does not set. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxTotalWaitMs: 180_000,
  maxRateLimitWaitMs: 65_000,
  stallTimeoutMs: 60_000,
  headersTimeoutMs: 120_000,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now
}

/**
 * Where the bearer token comes from. refresh() (OAuth) is called at most once per request when
 * Zenodo refuses the token (403 "Permission denied."), then the request is repeated once with
 * the new token.
 */
export interface TokenSource {
  token(): Promise<string>
  refresh?(): Promise<void>
}

/** One validation error of Zenodo's: the field and what is wrong with it. */
export interface FieldError {
  field: string
  messages: string[]
}

/**
 * The server (Zenodo, or GitHub for a client made with service 'GitHub') answered with an error
 * status. zenodoMessage is the server's message; fieldErrors its validation errors. path never
 * includes the query string; nothing in the message contains the token, and server text in it
 * is on one line with control characters escaped (logSafe).
 */
export class HttpError extends ActionError {
  override name = 'HttpError'
  readonly status: number
  readonly method: string
  readonly path: string
  readonly zenodoMessage?: string
  readonly fieldErrors: FieldError[]
  /** The parsed JSON body; undefined when the body was not JSON (e.g. a proxy's HTML page). */
  readonly body?: unknown
  /** Whether the failure is transient (429, 500, 502, 503, 504). */
  readonly retryable: boolean

  constructor(init: {
    status: number
    method: string
    path: string
    /** Who answered: "Zenodo" (the default) or "GitHub". */
    service?: string
    zenodoMessage?: string
    fieldErrors?: FieldError[]
    body?: unknown
    /** A short reason when Zenodo gave no message (e.g. "Gateway Timeout, an HTML error page"). */
    reason?: string
    message?: string
  }) {
    const fieldErrors = init.fieldErrors ?? []
    super(init.message ?? describeHttpError({ ...init, fieldErrors }))
    this.status = init.status
    this.method = init.method
    this.path = init.path
    this.zenodoMessage = init.zenodoMessage
    this.fieldErrors = fieldErrors
    this.body = init.body
    this.retryable = RETRYABLE_STATUSES.has(init.status)
  }
}

/**
 * The request failed without an HTTP answer (reset, refused, timeout, stall). The effect on the
 * server is unknown for writes unless mayHaveReachedServer is false.
 */
export class NetworkError extends ActionError {
  override name = 'NetworkError'
  readonly method: string
  readonly path: string
  /** ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, UND_ERR_HEADERS_TIMEOUT, STALL, ... */
  readonly code?: string
  /** False when the request certainly never left this machine (connection refused, DNS failure). */
  readonly mayHaveReachedServer: boolean

  constructor(init: {
    method: string
    path: string
    /** Who was called: "Zenodo" (the default) or "GitHub". */
    service?: string
    code?: string
    reason: string
    mayHaveReachedServer: boolean
  }) {
    super(
      `The connection to ${init.service ?? 'Zenodo'} failed during ${init.method} ${logSafe(init.path)}: ${logSafe(init.reason)}`
    )
    this.method = init.method
    this.path = init.path
    this.code = init.code
    this.mayHaveReachedServer = init.mayHaveReachedServer
  }
}

/** One request. */
export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Absolute URL. */
  url: string
  /** Sent with Content-Type exactly 'application/json' (with a charset Zenodo answers 415). */
  json?: unknown
  /** Sent as application/x-www-form-urlencoded (OAuth). */
  form?: Record<string, string>
  /**
   * 'safe' = may be repeated blindly (GET, PUT metadata, bucket PUT of a whole file, DELETE
   * treated by the caller). 'unsafe' = effect unknown after a failure: never repeated here after
   * a 5xx or a network error once sent; the error is thrown and the caller reads the state back.
   */
  retry: 'safe' | 'unsafe'
  /** Accepted statuses (default any 2xx). */
  expect?: number[]
  /**
   * Statuses accepted as success only on a repeat after a failure whose effect is unknown, e.g.
   * 404 for a DELETE whose first attempt got a 5xx or a reset (the first attempt did it).
   */
  expectOnRepeat?: number[]
  /** Follow 301/302/303/307/308 (for /records), at most 5 hops. */
  followRedirects?: boolean
  /** Send the bearer token (default true). */
  auth?: boolean
  /** The Accept header (default application/json), e.g. InvenioRDM's application/vnd.inveniordm.v1+json. */
  accept?: string
}

/** A successful answer. */
export interface HttpResponse<T> {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: T
}

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504])
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 5
/** Errors of a connection that was never established: the server saw nothing. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT'
])
/** Errors that are worth repeating for a safe request. */
const TRANSIENT_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'STALL'
])
/** Errors from reading the file being uploaded: not network errors and not worth repeating. */
const LOCAL_FILE_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'EPERM', 'EIO', 'EMFILE', 'ENFILE'])

let sharedAgent: Agent | undefined

/** The process-wide keep-alive Agent used when the caller passes no dispatcher. */
function defaultDispatcher(): Agent {
  sharedAgent ??= new Agent({
    connections: 6,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 30_000,
    connectTimeout: 30_000
  })
  return sharedAgent
}

/** A body as read: the parsed JSON or text, and whether it was an HTML page (dropped). */
interface ReadBody {
  value: unknown
  html: boolean
}

/** One attempt of a request; told whether an earlier attempt may have had an effect. */
type Attempt<R> = (ctx: { repeatAfterUnknownEffect: boolean }) => Promise<R>

/** The HTTP client. One per token source; all share the process-wide Agent unless given one. */
export class HttpClient {
  private readonly auth?: TokenSource
  private readonly userAgent: string
  private readonly policy: RetryPolicy
  private readonly dispatcher: Dispatcher
  /** Every token sent so far, scrubbed from any text that leaves this module. */
  private readonly secrets = new Set<string>()
  /** Who answers, in messages: "Zenodo" or "GitHub". */
  readonly service: string
  /**
   * The one origin the bearer token goes to (the configured zenodo-url's); when not given,
   * the origin of the first request that carries the token.
   */
  private authOrigin?: string

  constructor(opts: {
    auth?: TokenSource
    userAgent: string
    policy?: Partial<RetryPolicy>
    dispatcher?: Dispatcher
    /** Who answers, named in errors and log lines; default "Zenodo". */
    service?: string
    /** The only origin that receives the token, e.g. the zenodo-url input. */
    authOrigin?: string
  }) {
    this.auth = opts.auth
    this.userAgent = opts.userAgent
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.policy }
    this.dispatcher = opts.dispatcher ?? defaultDispatcher()
    this.service = opts.service ?? 'Zenodo'
    this.authOrigin = opts.authOrigin === undefined ? undefined : new URL(opts.authOrigin).origin
  }

  /** Send one request (repeated per the policy) and read its JSON body. */
  async request<T = unknown>(opts: RequestOptions): Promise<HttpResponse<T>> {
    const start = this.parseUrl(opts.method, opts.url)
    const withAuth = opts.auth !== false && this.auth !== undefined
    if (withAuth) this.checkAuthOrigin(opts.method, start)
    const { body, contentType } = encodeBody(opts)
    const accepted = (status: number, repeat: boolean): boolean =>
      (opts.expect ? opts.expect.includes(status) : status >= 200 && status < 300) ||
      (repeat && !!opts.expectOnRepeat?.includes(status))
    return this.withRetries(
      opts.method,
      start,
      opts.retry,
      async ({ repeatAfterUnknownEffect }) => {
        let url = start
        let method = opts.method
        let sendBody = body
        for (let hop = 0; ; hop++) {
          // A redirect to another origin is followed without the token.
          const headers = await this.headers(withAuth && url.origin === start.origin)
          if (opts.accept) headers.accept = opts.accept
          if (contentType && sendBody !== undefined) headers['content-type'] = contentType
          const res = await this.send(method, url, {
            headers,
            body: sendBody,
            headersTimeout: this.policy.headersTimeoutMs
          })
          const location = res.headers.location
          if (
            opts.followRedirects &&
            REDIRECT_STATUSES.has(res.statusCode) &&
            typeof location === 'string' &&
            hop < MAX_REDIRECTS
          ) {
            await discard(res.body)
            url = new URL(location, url)
            if (res.statusCode === 303) {
              method = 'GET'
              sendBody = undefined
            }
            continue
          }
          const parsed = await this.readBody(method, url, res.body)
          if (accepted(res.statusCode, repeatAfterUnknownEffect)) {
            return { status: res.statusCode, headers: res.headers, body: parsed.value as T }
          }
          throw this.httpError(method, url, res.statusCode, parsed, res.headers)
        }
      }
    )
  }

  /**
   * PUT a streamed body (the uploader supplies a factory so a retry re-opens the file and
   * re-hashes). Safe to repeat: the whole file is sent again. An upload that makes no progress
   * for stallTimeoutMs is aborted and retried; there is no overall time limit.
   */
  async putStream(
    url: string,
    open: () => { body: Readable | AsyncIterable<Uint8Array>; length: number },
    opts: { onProgress?: (sentBytes: number) => void } = {}
  ): Promise<{ status: number; body: unknown }> {
    const target = this.parseUrl('PUT', url)
    if (this.auth) this.checkAuthOrigin('PUT', target, 'the upload')
    return this.withRetries('PUT', target, 'safe', async () => {
      const { body, length } = open()
      const headers = await this.headers(true)
      headers['content-type'] = 'application/octet-stream'
      headers['content-length'] = String(length)
      const res = await this.sendWatched(target, body, headers, opts.onProgress)
      const parsed = await this.readBody('PUT', target, res.body)
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return { status: res.statusCode, body: parsed.value }
      }
      throw this.httpError('PUT', target, res.statusCode, parsed, res.headers)
    })
  }

  /**
   * GET a file into destPath, streamed to disk (never held in memory), following redirects;
   * the given headers (an Authorization among them) go to the first origin only, so a
   * redirect to a storage host never receives the token. Safe to repeat: a retry rewrites
   * the file from the start.
   */
  async download(
    url: string,
    destPath: string,
    opts: { headers?: Record<string, string> } = {}
  ): Promise<{ size: number }> {
    const start = this.parseUrl('GET', url)
    const extra = opts.headers ?? {}
    const auth = Object.entries(extra).find(([name]) => name.toLowerCase() === 'authorization')
    const token = /^bearer\s+(.+)$/i.exec(auth?.[1] ?? '')?.[1]
    if (token) this.secrets.add(token)
    // the token in the given headers goes to this client's one origin only, like every request's
    if (auth) this.checkAuthOrigin('GET', start, 'the download')
    return this.withRetries('GET', start, 'safe', async () => {
      let target = start
      for (let hop = 0; ; hop++) {
        const headers = await this.headers(false)
        const sameOrigin = target.origin === start.origin
        for (const [name, value] of Object.entries(extra)) {
          if (sameOrigin || name.toLowerCase() !== 'authorization') headers[name] = value
        }
        const res = await this.send('GET', target, {
          headers,
          headersTimeout: this.policy.headersTimeoutMs
        })
        const location = res.headers.location
        if (REDIRECT_STATUSES.has(res.statusCode) && typeof location === 'string') {
          await discard(res.body)
          if (hop >= MAX_REDIRECTS) {
            throw new ActionError(
              `GET ${start.pathname}: more than ${String(MAX_REDIRECTS)} redirects`
            )
          }
          target = new URL(location, target)
          continue
        }
        if (res.statusCode < 200 || res.statusCode >= 300) {
          const parsed = await this.readBody('GET', target, res.body)
          throw this.httpError('GET', target, res.statusCode, parsed, res.headers)
        }
        let size = 0
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            size += chunk.length
            callback(null, chunk)
          }
        })
        try {
          await pipelinePromise(res.body, counter, createWriteStream(destPath))
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code
          if (code && LOCAL_FILE_CODES.has(code)) {
            throw new ActionError(`Cannot write ${destPath}: ${(e as Error).message}`)
          }
          throw this.networkError('GET', target, e)
        }
        return { size }
      }
    })
  }

  /** Remove every token seen and any access_token query value from a text. */
  scrub(text: string): string {
    let out = text.replace(/(access_token=)[^&\s"']+/gi, '$1***')
    for (const secret of this.secrets) if (secret) out = out.split(secret).join('***')
    return out
  }

  /**
   * The token goes to one origin only. A request that needs it elsewhere (a links.bucket of
   * another host, say) stops the run before anything is sent: without the token the other
   * host would refuse the request anyway, and with it the token would leak.
   */
  private checkAuthOrigin(method: string, url: URL, what = 'this request'): void {
    this.authOrigin ??= url.origin
    if (url.origin === this.authOrigin) return
    throw new ActionError(
      `${this.service} asked for ${method} ${logSafe(url.origin + url.pathname)}, on another origin than ${this.authOrigin}. The access token is sent only to ${this.authOrigin}, and without it ${what} would be refused, so the run stops here: nothing was sent to ${logSafe(url.origin)}.${this.service === 'GitHub' ? '' : ` If ${this.service} really moved, set zenodo-url to its new address.`}`
    )
  }

  private parseUrl(method: string, url: string): URL {
    try {
      return new URL(url)
    } catch {
      throw new ActionError(`Invalid URL for ${method}: ${this.scrub(url)}`)
    }
  }

  private async headers(withAuth: boolean): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      accept: 'application/json'
    }
    if (withAuth && this.auth) {
      const token = await this.auth.token()
      this.secrets.add(token)
      headers.authorization = `Bearer ${token}`
    }
    return headers
  }

  /** One undici request; any failure becomes a NetworkError built from method and path only. */
  private async send(
    method: string,
    url: URL,
    o: {
      headers: Record<string, string>
      body?: string | Readable | AsyncIterable<Uint8Array>
      headersTimeout: number
      signal?: AbortSignal
      describeAbort?: () => { code: string; reason: string } | undefined
    }
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await undiciRequest(url, {
        method: method as Dispatcher.HttpMethod,
        headers: o.headers,
        // undici sends async iterables too (its request() docs and client-h1.js writeIterable);
        // its type declarations list Readable but not AsyncIterable.
        body: (o.body ?? null) as string | Readable | null,
        dispatcher: this.dispatcher,
        headersTimeout: o.headersTimeout,
        bodyTimeout: this.policy.headersTimeoutMs,
        signal: o.signal
      })
    } catch (e) {
      const aborted = o.describeAbort?.()
      if (aborted) {
        throw new NetworkError({
          method,
          path: url.pathname,
          service: this.service,
          ...aborted,
          mayHaveReachedServer: true
        })
      }
      throw this.networkError(method, url, e)
    }
  }

  /** A streamed PUT with a watchdog: no progress for stallTimeoutMs, or no answer, aborts it. */
  private async sendWatched(
    url: URL,
    source: Readable | AsyncIterable<Uint8Array>,
    headers: Record<string, string>,
    onProgress?: (sentBytes: number) => void
  ): Promise<Dispatcher.ResponseData> {
    const { stallTimeoutMs, headersTimeoutMs } = this.policy
    const controller = new AbortController()
    let sent = 0
    let lastProgress = performance.now()
    let bodyDone = false
    let abortedFor: { code: string; reason: string } | undefined
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        sent += chunk.length
        lastProgress = performance.now()
        onProgress?.(sent)
        callback(null, chunk)
      }
    })
    counter.on('end', () => {
      bodyDone = true
      lastProgress = performance.now()
    })
    // A Readable goes through the counting Transform; any other async iterable is handed to
    // undici as one, counted by a generator that asks the source for its next chunk only when
    // undici asks for it (src/zenodo/upload.ts relies on that to reuse its read buffers).
    const body =
      source instanceof Readable
        ? pipeline(source, counter, () => undefined)
        : (async function* counted(): AsyncGenerator<Uint8Array, void, undefined> {
            for await (const chunk of source) {
              sent += chunk.length
              lastProgress = performance.now()
              onProgress?.(sent)
              yield chunk
            }
            bodyDone = true
            lastProgress = performance.now()
          })()
    const check = (): void => {
      const idle = performance.now() - lastProgress
      if (!bodyDone && idle >= stallTimeoutMs) {
        abortedFor = {
          code: 'STALL',
          reason: `the upload stalled: no progress for ${formatWait(stallTimeoutMs)} after ${String(sent)} bytes`
        }
      } else if (bodyDone && headersTimeoutMs > 0 && idle >= headersTimeoutMs) {
        abortedFor = {
          code: 'UND_ERR_HEADERS_TIMEOUT',
          reason: `no answer within ${formatWait(headersTimeoutMs)} after the whole file was sent`
        }
      }
      if (abortedFor) {
        clearInterval(timer)
        controller.abort()
      }
    }
    const timer = setInterval(check, Math.max(5, Math.min(1000, stallTimeoutMs / 5)))
    timer.unref()
    try {
      return await this.send('PUT', url, {
        headers,
        body,
        // The watchdog above times the upload; undici's own headers timer would count the
        // sending of a multi-GB body against it.
        headersTimeout: 0,
        signal: controller.signal,
        describeAbort: () => abortedFor
      })
    } catch (e) {
      if (source instanceof Readable) source.destroy()
      else if (!(body instanceof Readable)) void body.return(undefined).catch(() => undefined)
      counter.destroy()
      throw e
    } finally {
      clearInterval(timer)
    }
  }

  /** Read the whole body: parsed JSON, text, or undefined when empty. HTML pages are dropped. */
  private async readBody(
    method: string,
    url: URL,
    body: Dispatcher.ResponseData['body']
  ): Promise<ReadBody> {
    let text: string
    try {
      text = (await body.text()).trim()
    } catch (e) {
      throw this.networkError(method, url, e)
    }
    if (text === '') return { value: undefined, html: false }
    if (text.startsWith('<')) return { value: undefined, html: true }
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        return { value: JSON.parse(text) as unknown, html: false }
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    return { value: text, html: false }
  }

  private httpError(
    method: string,
    url: URL,
    status: number,
    body: ReadBody,
    headers: Record<string, string | string[] | undefined>
  ): HttpError {
    const obj = isObject(body.value) ? body.value : undefined
    const message = typeof obj?.message === 'string' ? this.scrub(obj.message) : undefined
    const statusText = STATUS_CODES[status] ?? 'error'
    let reason: string
    if (message) reason = message
    else if (typeof body.value === 'string') reason = this.scrub(body.value)
    else if (body.html) reason = `${statusText}, an HTML error page`
    else reason = statusText
    if (typeof obj?.error_id === 'string') reason += `; error id ${obj.error_id}`
    const err = new HttpError({
      status,
      method,
      path: url.pathname,
      service: this.service,
      zenodoMessage: message,
      fieldErrors: parseFieldErrors(obj?.errors).map(f => ({
        field: logSafe(this.scrub(f.field)),
        messages: f.messages.map(m => logSafe(this.scrub(m)))
      })),
      body: body.value,
      reason: shorten(reason, 300)
    })
    rateLimitHeaders.set(err, headers)
    return err
  }

  private networkError(method: string, url: URL, e: unknown): ActionError {
    const code = errorCode(e)
    if (code && LOCAL_FILE_CODES.has(code)) {
      return new ActionError(
        `Could not read the file being sent with ${method} ${url.pathname} (${code}).`
      )
    }
    if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
      return new ActionError(
        `The file being sent with ${method} ${url.pathname} changed size while it was being sent.`
      )
    }
    const syscall = isObject(e) && typeof e.syscall === 'string' ? e.syscall : undefined
    const notSent =
      (code !== undefined && NOT_SENT_CODES.has(code)) ||
      syscall === 'connect' ||
      syscall === 'getaddrinfo'
    return new NetworkError({
      method,
      path: url.pathname,
      service: this.service,
      code,
      reason: describeNetworkFailure(code, e, s => this.scrub(s)),
      mayHaveReachedServer: !notSent
    })
  }

  /** Run attempts until one succeeds or the policy says stop. */
  private async withRetries<R>(
    method: string,
    url: URL,
    retry: 'safe' | 'unsafe',
    attempt: Attempt<R>
  ): Promise<R> {
    const p = this.policy
    let waited = 0
    let refreshed = false
    let unknownEffect = false
    for (let n = 1; ; n++) {
      try {
        return await attempt({ repeatAfterUnknownEffect: unknownEffect })
      } catch (e) {
        if (e instanceof HttpError && isTokenRefusal(e) && !refreshed && this.auth?.refresh) {
          // Zenodo did nothing with a refused token: refresh it and repeat once, whatever the method.
          refreshed = true
          core.info(
            `${this.service} refused the access token for ${method} ${logSafe(url.pathname)}; refreshing it.`
          )
          await this.auth.refresh()
          n--
          continue
        }
        if (!(e instanceof HttpError || e instanceof NetworkError)) throw e
        const repeatable = isRepeatable(e, retry)
        if (!repeatable) {
          if (retry === 'unsafe' && isTransient(e)) {
            e.message += `. Not repeated automatically: ${this.service} may have carried it out.`
          }
          throw this.finish(e, n)
        }
        if (n >= p.maxAttempts) throw this.finish(e, n)
        const wait = this.waitBefore(e, n)
        if (waited + wait > p.maxTotalWaitMs) throw this.finish(e, n)
        if (e instanceof NetworkError ? e.mayHaveReachedServer : e.status !== 429) {
          unknownEffect = true
        }
        core.info(
          `${logSafe(this.scrub(retryReason(e, this.service)))}; retrying in ${formatWait(wait)} (attempt ${String(n + 1)} of ${String(p.maxAttempts)})`
        )
        await p.sleep(wait)
        waited += wait
      }
    }
  }

  private finish(e: HttpError | NetworkError, attempts: number): HttpError | NetworkError {
    if (attempts > 1) e.message += ` (gave up after ${String(attempts)} attempts)`
    e.message = this.scrub(e.message)
    return e
  }

  /** The wait before the next attempt: what a 429 asks for (capped), else backoff with full jitter. */
  private waitBefore(e: HttpError | NetworkError, attempt: number): number {
    const p = this.policy
    if (e instanceof HttpError && e.status === 429) {
      const asked = rateLimitWait(rateLimitHeaders.get(e), p.now())
      if (asked !== undefined) return Math.min(asked, p.maxRateLimitWaitMs)
    }
    const ceiling = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1))
    return Math.round(p.random() * ceiling)
  }
}

/**
 * What a refusal of the GitHub API usually means in a workflow: the job's GITHUB_TOKEN lacks a
 * permission (a `permissions:` block that leaves out contents: read, or a private repository).
 */
export const GITHUB_PERMISSIONS_HINT =
  "Check the job's permissions: the github-token needs contents: read (add `permissions: contents: read` to the job, or to the workflow), and the release and its assets must belong to this repository"

/** Headers of the answer that made an HttpError, for its Retry-After. */
const rateLimitHeaders = new WeakMap<HttpError, Record<string, string | string[] | undefined>>()

function isRepeatable(e: HttpError | NetworkError, retry: 'safe' | 'unsafe'): boolean {
  if (e instanceof HttpError) {
    // A 429 means Zenodo did nothing: repeating is safe even for a POST.
    if (e.status === 429) return true
    return retry === 'safe' && e.retryable
  }
  // A connection refused (or a DNS failure) happened before anything was sent: the server did
  // nothing, so even an unsafe request may be repeated. Anything else may have reached it.
  if (!e.mayHaveReachedServer) return true
  return retry === 'safe' && e.code !== undefined && TRANSIENT_CODES.has(e.code)
}

function isTransient(e: HttpError | NetworkError): boolean {
  return e instanceof NetworkError || e.retryable
}

function isTokenRefusal(e: HttpError): boolean {
  return e.status === 403 && /^permission denied/i.test(e.zenodoMessage ?? '')
}

/** A service name at the start of a sentence ("the repository at x" -> "The repository at x"). */
function sentenceStart(service: string): string {
  return service.charAt(0).toUpperCase() + service.slice(1)
}

function retryReason(e: HttpError | NetworkError, service: string): string {
  if (e instanceof HttpError) {
    const reason = e.zenodoMessage ?? STATUS_CODES[e.status] ?? 'error'
    return `${sentenceStart(service)} answered ${String(e.status)} (${shorten(reason, 120)}) to ${e.method} ${e.path}`
  }
  return e.message
}

/** Milliseconds a 429 asks to wait: Retry-After (seconds or HTTP date), else X-RateLimit-Reset. */
function rateLimitWait(
  headers: Record<string, string | string[] | undefined> | undefined,
  now: number
): number | undefined {
  const header = (name: string): string | undefined => {
    const v = headers?.[name]
    return Array.isArray(v) ? v[0] : v
  }
  const retryAfter = header('retry-after')?.trim()
  if (retryAfter) {
    const ms = /^\d+(\.\d+)?$/.test(retryAfter)
      ? Number(retryAfter) * 1000
      : Date.parse(retryAfter) - now
    if (Number.isFinite(ms) && ms > 0) return Math.ceil(ms)
  }
  const reset = header('x-ratelimit-reset')?.trim()
  if (reset && /^\d+(\.\d+)?$/.test(reset)) {
    const ms = Number(reset) * 1000 - now
    if (ms > 0) return Math.ceil(ms)
  }
  return undefined
}

function encodeBody(opts: RequestOptions): { body?: string; contentType?: string } {
  if (opts.json !== undefined) {
    // Exactly this value: with "; charset=utf-8" Zenodo answers 415.
    return { body: JSON.stringify(opts.json), contentType: 'application/json' }
  }
  if (opts.form) {
    return {
      body: new URLSearchParams(opts.form).toString(),
      contentType: 'application/x-www-form-urlencoded'
    }
  }
  return {}
}

/** Read and drop a body nobody needs, so the socket goes back to the pool. */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump()
  } catch {
    // The socket is closed instead; nothing to report.
  }
}

function parseFieldErrors(errors: unknown): FieldError[] {
  if (!Array.isArray(errors)) return []
  return errors.filter(isObject).map(err => ({
    field: typeof err.field === 'string' ? err.field : '(unknown field)',
    messages: flattenMessages(err.messages ?? err.message)
  }))
}

function flattenMessages(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(flattenMessages)
  if (isObject(value)) {
    return Object.entries(value).flatMap(([key, v]) =>
      flattenMessages(v).map(m => (/^\d+$/.test(key) ? `[${key}] ${m}` : `${key}: ${m}`))
    )
  }
  return []
}

/** "Zenodo refused PUT /api/deposit/depositions/12 (400 A validation error occurred.): metadata.creators: Missing data for required field." */
function describeHttpError(e: {
  status: number
  method: string
  path: string
  service?: string
  zenodoMessage?: string
  reason?: string
  fieldErrors: FieldError[]
}): string {
  // "the repository at <host>" (InvenioRDM) starts the sentence
  const service = sentenceStart(e.service ?? 'Zenodo')
  const reason = logSafe(e.reason ?? e.zenodoMessage ?? STATUS_CODES[e.status] ?? 'error')
  const fields = e.fieldErrors.map(f => `${f.field}: ${f.messages.join(' ')}`).join('; ')
  const where = `${e.method} ${logSafe(e.path)}`
  if (e.status >= 500 || e.status === 429) {
    return `${service} answered ${String(e.status)} (${reason}) to ${where}${fields ? `: ${fields}` : ''}`
  }
  let text = `${service} refused ${where} (${String(e.status)} ${reason})${fields ? `: ${fields}` : ''}`
  if (service === 'GitHub' && (e.status === 401 || e.status === 403 || e.status === 404)) {
    return `${text}. ${GITHUB_PERMISSIONS_HINT}`
  }
  if (e.status === 403 && /permission denied/i.test(reason) && service !== 'Zenodo') {
    return `${text}. Check the token: it must be a personal access token of this repository, belonging to the owner of the record (a token of another repository does not work here)`
  }
  if (e.status === 403 && /permission denied/i.test(reason)) {
    text +=
      '. Check the token: it must belong to the owner of the deposition, have the deposit:write and deposit:actions scopes, and come from the same Zenodo as the API URL (a sandbox.zenodo.org token does not work on zenodo.org, nor the other way round)'
  }
  return text
}

function describeNetworkFailure(
  code: string | undefined,
  e: unknown,
  scrub: (s: string) => string
): string {
  const known: Record<string, string> = {
    ECONNRESET: 'the connection was reset',
    ECONNREFUSED: 'the connection was refused',
    ENOTFOUND: 'the host name could not be resolved',
    EAI_AGAIN: 'the host name could not be resolved (temporary DNS failure)',
    EPIPE: 'the connection was closed while sending',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_SOCKET: 'the connection was closed by the other side',
    UND_ERR_CLOSED: 'the connection was closed',
    UND_ERR_CONNECT_TIMEOUT: 'the connection could not be established in time',
    UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
    UND_ERR_BODY_TIMEOUT: 'the answer stopped arriving',
    UND_ERR_ABORTED: 'the request was aborted'
  }
  const text = code && known[code] ? known[code] : shorten(scrub(errorMessage(e)), 160)
  return code ? `${text} (${code})` : text
}

function errorCode(e: unknown): string | undefined {
  if (!isObject(e)) return undefined
  if (typeof e.code === 'string') return e.code
  return isObject(e.cause) && typeof e.cause.code === 'string' ? e.cause.code : undefined
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function shorten(text: string, max: number): string {
  const flat = logSafe(text.replace(/\s+/g, ' ').trim())
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** "0.4 s", "12 s", "2 min 5 s". */
export function formatWait(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`
  const s = Math.round(ms / 1000)
  return s < 120 ? `${String(s)} s` : `${String(Math.floor(s / 60))} min ${String(s % 60)} s`
}
