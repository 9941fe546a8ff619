/**
 * A streaming multipart/form-data reader for POST /deposit/depositions/:id/files: the `file`
 * part goes to disk through BlobWriter as it arrives; small fields (`name`) are kept as text.
 */
import { rmSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { apiError } from './http-util.js'
import { BlobWriter, UploadAborted } from './receive.js'
import type { Blob } from './store.js'
import type { RequestLogEntry } from './types.js'

/** The parts of a multipart upload. */
export interface MultipartResult {
  fields: Partial<Record<string, string>>
  file?: { filename: string; blob: Blob }
}

/** The boundary of a multipart/form-data Content-Type, or a 400. */
export function boundaryOf(contentType: string | undefined): string {
  const m = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '')
  if (!m) throw apiError(400, 'Bad request.')
  return m.at(1) ?? m[2].trim()
}

function parseHeaders(raw: string): { name?: string; filename?: string } {
  const disp = /content-disposition:([^\r\n]*)/i.exec(raw)?.[1] ?? ''
  const name = /\bname="([^"]*)"/i.exec(disp)?.[1]
  const filename = /\bfilename="([^"]*)"/i.exec(disp)?.[1]
  return { name, filename }
}

/** Reads the whole multipart body; the file part streams to `blobPath()`. */
export function readMultipart(
  req: IncomingMessage,
  entry: RequestLogEntry,
  boundary: string,
  blobPath: () => string,
  limit: number,
  onLimit: () => Error
): Promise<MultipartResult> {
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  const result: MultipartResult = { fields: {} }
  // the body starts with "--boundary", i.e. the delimiter without its leading CRLF
  let buf: Buffer = Buffer.from('\r\n')
  let state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble'
  let part: { name?: string; filename?: string; writer?: BlobWriter; text?: Buffer[] } = {}
  let pendingBlob: Promise<void> = Promise.resolve()

  return new Promise<MultipartResult>((resolve, reject) => {
    let settled = false
    const fail = (e: Error): void => {
      if (settled) return
      settled = true
      part.writer?.discard()
      if (result.file) rmSync(result.file.blob.path, { force: true })
      req.removeListener('data', onData)
      req.resume()
      reject(e)
    }
    const emit = (data: Buffer): void => {
      if (!data.length) return
      if (part.writer) {
        if (part.writer.size + data.length > limit) throw onLimit()
        if (!part.writer.write(data)) {
          req.pause()
          part.writer.onDrain(() => req.resume())
        }
      } else {
        part.text?.push(data)
      }
    }
    const endPart = (): void => {
      const p = part
      if (p.writer) {
        const filename = p.filename ?? ''
        pendingBlob = pendingBlob.then(async () => {
          result.file = { filename, blob: await (p.writer as BlobWriter).finish() }
        })
      } else if (p.name !== undefined && p.text) {
        result.fields[p.name] = Buffer.concat(p.text).toString('utf8')
      }
      part = {}
    }
    const step = (): boolean => {
      if (state === 'preamble' || state === 'body') {
        const at = buf.indexOf(delimiter)
        if (at < 0) {
          const keep = Math.max(0, buf.length - delimiter.length)
          if (state === 'body') emit(buf.subarray(0, keep))
          buf = buf.subarray(keep)
          return false
        }
        if (state === 'body') {
          emit(buf.subarray(0, at))
          endPart()
        }
        const after = buf.subarray(at + delimiter.length)
        if (after.length < 2) return false
        if (after.subarray(0, 2).toString() === '--') {
          state = 'done'
          buf = Buffer.alloc(0)
          return false
        }
        buf = after.subarray(2)
        state = 'headers'
        return true
      }
      if (state === 'headers') {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return false
        const h = parseHeaders(buf.subarray(0, end).toString('utf8'))
        part = { name: h.name, filename: h.filename }
        if (h.filename !== undefined && h.name === 'file') part.writer = new BlobWriter(blobPath())
        else part.text = []
        buf = buf.subarray(end + 4)
        state = 'body'
        return true
      }
      return false
    }
    const onData = (chunk: Buffer): void => {
      entry.bodyBytes += chunk.length
      if (state === 'done') return
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
      try {
        for (let i = 0; i < 10_000 && step(); i++);
      } catch (e) {
        fail(e as Error)
      }
    }
    req.on('data', onData)
    req.on('end', () => {
      if (settled) return
      if (state !== 'done') {
        fail(apiError(400, 'Bad request.'))
        return
      }
      pendingBlob.then(() => {
        settled = true
        resolve(result)
      }, fail)
    })
    req.on('close', () => {
      if (!req.complete) fail(new UploadAborted('client went away'))
    })
  })
}
