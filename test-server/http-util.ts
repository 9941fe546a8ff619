/**
 * Replies, Zenodo's error bodies and body readers shared by the test server's routes.
 */
import { randomUUID } from 'node:crypto'
import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { RequestLogEntry } from './types.js'

/** What a route answers; written by the server after faults had their say. */
export interface Reply {
  status: number
  headers?: Record<string, string>
  /** A JSON body. */
  json?: unknown
  /** A text body (give the content-type in headers). */
  text?: string
  /** Stream this file as the body. */
  file?: { path: string; size: number; contentType: string }
  /** A body held in memory (small fixture content). */
  buffer?: { data: Buffer; contentType: string }
}

/** An error answered as a Zenodo error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {
    super(`HTTP ${String(status)}`)
  }
}

/** A field error of a validation error body. */
export interface FieldError {
  field: string
  messages: string[]
}

/** {"status":N,"message":"..."}. */
export function apiError(status: number, message: string): ApiError {
  return new ApiError(status, { status, message })
}

/** 404 {"status":404,"message":"Not found."}. */
export function notFound(): ApiError {
  return apiError(404, 'Not found.')
}

/** 403 {"status":403,"message":"Permission denied."}. */
export function permissionDenied(): ApiError {
  return apiError(403, 'Permission denied.')
}

/** 400 "A validation error occurred." with field errors. */
export function validationError(errors: FieldError[]): ApiError {
  return new ApiError(400, { status: 400, message: 'A validation error occurred.', errors })
}

/** Zenodo's 500 body, with an error_id. */
export function internalError(): ApiError {
  return new ApiError(500, {
    message:
      'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
    status: 500,
    error_id: randomUUID()
  })
}

/** A JSON reply. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, json: body, headers }
}

/** The reply for an ApiError. */
export function errorReply(e: ApiError): Reply {
  return { status: e.status, json: e.body, headers: e.headers }
}

/** An HTML body like a proxy's error page. */
export function htmlPage(status: number): string {
  const title = `${String(status)} ${STATUS_CODES[status] ?? 'Error'}`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

/** Reads a (small) body into memory, counting its bytes in the log entry; at most limit bytes. */
export async function readSmallBody(
  req: IncomingMessage,
  entry: RequestLogEntry,
  limit = 16 * 1024 * 1024
): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req) {
    const b = chunk as Buffer
    total += b.length
    entry.bodyBytes += b.length
    if (total > limit) throw apiError(413, 'Request Entity Too Large')
    chunks.push(b)
  }
  return Buffer.concat(chunks)
}

/** Checks the Accept header: absent, *\/*, application/* or application/json, else 406. */
export function checkAccept(req: IncomingMessage): void {
  const accept = req.headers.accept
  if (!accept) return
  const ok = accept
    .split(',')
    .map(part => part.split(';')[0].trim().toLowerCase())
    .some(t => t === '*/*' || t === 'application/*' || t === 'application/json' || t === '')
  if (!ok) {
    throw apiError(406, "Invalid 'Accept' header. Expected one of: application/json")
  }
}

/** Checks Content-Type is exactly `expected` or absent, else 415 with Zenodo's message. */
export function checkContentType(req: IncomingMessage, expected: string): void {
  const ct = req.headers['content-type']
  if (ct === undefined || ct === expected) return
  throw apiError(415, `Invalid 'Content-Type' header. Expected one of: ${expected}`)
}

/** Parses a JSON body the way Zenodo's legacy API does: anything but JSON is a 400. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw apiError(
      400,
      'The browser (or proxy) sent a request that this server could not understand.'
    )
  }
}

/** Whether v is a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Today as YYYY-MM-DD (UTC). */
export function today(): string {
  return new Date().toISOString().slice(0, 10)
}

/** A timestamp as Zenodo writes it. */
export function timestamp(): string {
  return new Date().toISOString().replace('Z', '+00:00')
}
