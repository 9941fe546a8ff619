/**
 * Writing replies: JSON, text, in-memory and streamed-from-disk bodies, with a request body the
 * route did not read either drained (small) or cut off by closing the connection (large).
 */
import { createReadStream } from 'node:fs'
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { htmlPage, internalError, json, type Reply } from './http-util.js'
import type { RequestLogEntry } from './types.js'

/** Bodies up to this size are read and dropped before an early answer; larger ones close. */
const DRAIN_LIMIT = 1024 * 1024

function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length']
  return (cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined
}

/** Reads and counts up to n more body bytes (all of it for Infinity), then stops reading. */
export function consume(req: IncomingMessage, entry: RequestLogEntry, n: number): Promise<void> {
  return new Promise(resolve => {
    if (n <= 0 || req.complete) {
      resolve()
      return
    }
    const stopAt = entry.bodyBytes + n
    const onData = (c: Buffer): void => {
      entry.bodyBytes += c.length
      if (entry.bodyBytes >= stopAt) done()
    }
    const done = (): void => {
      req.removeListener('data', onData)
      req.removeListener('end', done)
      req.removeListener('close', done)
      req.pause()
      resolve()
    }
    req.on('data', onData)
    req.on('end', done)
    req.on('close', done)
    req.resume()
  })
}

/** The reply of a 'status' or 'after' fault: its body, an HTML proxy page, or a default. */
export function faultReply(kind: {
  status: number
  body?: unknown
  html?: boolean
  text?: string
}): Reply {
  if (kind.text !== undefined) {
    return { status: kind.status, text: kind.text, headers: { 'content-type': 'text/plain' } }
  }
  if (kind.html) {
    const text = typeof kind.body === 'string' ? kind.body : htmlPage(kind.status)
    return { status: kind.status, text, headers: { 'content-type': 'text/html' } }
  }
  if (kind.body !== undefined) return json(kind.status, kind.body)
  if (kind.status === 500) return json(500, internalError().body)
  if (kind.status === 429) return json(429, { message: '100 per 1 minute', status: 429 })
  return json(kind.status, { status: kind.status, message: STATUS_CODES[kind.status] ?? 'Error' })
}

/** Before an early answer, reads a small unread body; a large one closes the connection. */
async function settleBody(req: IncomingMessage, entry: RequestLogEntry, res: ServerResponse) {
  if (req.complete || !hasBody(req)) return
  const cl = Number(req.headers['content-length'] ?? Infinity)
  if (cl <= DRAIN_LIMIT) await consume(req, entry, Infinity)
  else res.setHeader('connection', 'close')
}

/** Writes a reply (extra headers first; the reply's own win, names compared case-insensitively). */
export async function writeReply(
  req: IncomingMessage,
  res: ServerResponse,
  entry: RequestLogEntry,
  reply: Reply,
  extra: Record<string, string> = {}
): Promise<void> {
  await settleBody(req, entry, res)
  if (res.destroyed) return
  const headers: Record<string, string | number> = {}
  for (const [k, v] of Object.entries({ ...extra, ...(reply.headers ?? {}) })) {
    headers[k.toLowerCase()] = v
  }
  entry.status = reply.status
  const head = req.method === 'HEAD'
  if (reply.file) {
    headers['content-type'] ??= reply.file.contentType
    headers['content-length'] = reply.file.size
    res.writeHead(reply.status, headers)
    if (head) {
      res.end()
      return
    }
    const rs = createReadStream(reply.file.path, { highWaterMark: 1024 * 1024 })
    rs.on('error', () => res.destroy())
    rs.pipe(res)
    return
  }
  let body: string | Buffer | undefined
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json)
    headers['content-type'] ??= 'application/json'
  } else if (reply.text !== undefined) {
    body = reply.text
    headers['content-type'] ??= 'text/plain'
  } else if (reply.buffer) {
    body = reply.buffer.data
    headers['content-type'] ??= reply.buffer.contentType
  }
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body)
  res.writeHead(reply.status, headers)
  res.end(head ? undefined : body)
}
