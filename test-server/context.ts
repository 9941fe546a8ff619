/**
 * What a route of the test server gets: the request, its log entry, the decoded path and the
 * server's state and options.
 */
import type { IncomingMessage } from 'node:http'
import type { Store } from './store.js'
import type { RequestLogEntry, ZenodoServerOptions } from './types.js'

/** One request being routed. */
export interface Ctx {
  req: IncomingMessage
  entry: RequestLogEntry
  method: string
  /** Path without query, as received. */
  path: string
  /** Decoded path segments after the mount point (e.g. after /api). */
  segments: string[]
  query: URLSearchParams
  /** The request carries a valid token. */
  authed: boolean
}

/** The state and options every route shares. */
export interface Env {
  store: Store
  opts: ZenodoServerOptions
  /** Per-file and per-bucket quota in bytes. */
  quota: number
}
