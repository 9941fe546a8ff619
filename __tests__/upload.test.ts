/**
 * Streaming uploads against the Zenodo test server over real HTTP: md5 computed while sending,
 * resets and stalls retried with a fresh read of the file, checksum mismatches, progress lines.
 */
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals'
import { startZenodoServer, type ZenodoTestServer } from '../test-server/zenodo-server.js'
import { ActionError } from '../src/errors.js'
import type { RetryPolicy } from '../src/http.js'
import { uploadFile } from '../src/zenodo/upload.js'
import { ZenodoClient } from '../src/zenodo/client.js'
import {
  captureOutput,
  closeTestClients,
  testClient,
  type OutputCapture
} from './helpers/http-client.js'

const MiB = 1024 * 1024
let dir: string
let server: ZenodoTestServer
let out: OutputCapture

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upload-test-'))
})

afterAll(async () => {
  await closeTestClients()
  await rm(dir, { recursive: true, force: true })
})

beforeEach(async () => {
  server = await startZenodoServer({})
  out = captureOutput()
})

afterEach(async () => {
  out.restore()
  await server.close()
})

const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex')

/** A draft's bucket URL, its id, and clients for it. */
async function draft(policy: Partial<RetryPolicy> = {}) {
  const t = testClient(server.token, policy)
  const zenodo = new ZenodoClient({ apiUrl: server.apiUrl, http: t.http })
  const dep = await zenodo.createDeposition()
  const bucket = dep.links.bucket
  if (!bucket) throw new Error('no bucket link')
  return { ...t, zenodo, id: dep.id, bucket }
}

/** A file with some text content. */
async function textFile(
  name: string,
  content: string
): Promise<{ path: string; name: string; size: number }> {
  const path = join(dir, name)
  await writeFile(path, content)
  return { path, name, size: Buffer.byteLength(content) }
}

/** A sparse file of `size` bytes (fast to make), starting with a marker so contents differ. */
async function sparseFile(
  name: string,
  size: number
): Promise<{ path: string; name: string; size: number }> {
  const path = join(dir, name)
  await writeFile(path, `start of ${name}`)
  await truncate(path, size)
  return { path, name, size }
}

/** md5 of a sparse file made by sparseFile. */
function sparseMd5(name: string, size: number): string {
  const head = Buffer.from(`start of ${name}`)
  const hash = createHash('md5').update(head)
  const zeros = Buffer.alloc(MiB)
  for (let left = size - head.length; left > 0; left -= zeros.length) {
    hash.update(left >= zeros.length ? zeros : zeros.subarray(0, left))
  }
  return hash.digest('hex')
}

const bucketPuts = (): typeof server.requests =>
  server.requests.filter(r => r.method === 'PUT' && r.url.startsWith('/api/files/'))

test('uploads a file and returns the md5 computed while sending, equal to Zenodo checksum', async () => {
  const { zenodo, id, bucket } = await draft()
  const file = await textFile('release notes (final).txt', 'hello zenodo\n'.repeat(1000))
  const result = await uploadFile(testClient(server.token).http, bucket, file)
  expect(result).toEqual({
    name: file.name,
    size: file.size,
    md5: md5('hello zenodo\n'.repeat(1000)),
    checksum: md5('hello zenodo\n'.repeat(1000))
  })
  const files = await zenodo.listFiles(id)
  expect(files.map(f => [f.filename, f.checksum])).toEqual([[file.name, result.md5]])
  const [put] = bucketPuts()
  expect(put.url).toBe(`${new URL(bucket).pathname}/${encodeURIComponent(file.name)}`)
  expect(put.headers['content-type']).toBe('application/octet-stream')
  expect(put.headers['content-length']).toBe(String(file.size))
  expect(out.text()).toContain(`Uploaded ${file.name} (12.7 KiB, md5 ${result.md5}).`)
})

test('a file spanning several read buffers arrives byte for byte, each MiB different', async () => {
  // The uploader reads into two 1 MiB buffers used in turn; a buffer refilled before the
  // socket had written it would send the wrong MiB, and Zenodo's checksum would differ.
  const { zenodo, id, bucket } = await draft()
  const content = randomBytes(6 * MiB + 12345)
  const path = join(dir, 'random.bin')
  await writeFile(path, content)
  const file = { path, name: 'random.bin', size: content.length }
  const result = await uploadFile(testClient(server.token).http, bucket, file)
  expect(result.md5).toBe(md5(content))
  expect(result.checksum).toBe(md5(content))
  const files = await zenodo.listFiles(id)
  expect(files.map(f => [f.filename, f.filesize, f.checksum])).toEqual([
    [file.name, content.length, md5(content)]
  ])
})

test('a connection reset partway through the body is retried and leaves one complete file', async () => {
  const { http, sleeps, zenodo, id, bucket } = await draft()
  const size = 3 * MiB
  const file = await sparseFile('reset.bin', size)
  server.faults.add({
    method: 'PUT',
    path: /^\/api\/files\//,
    kind: { type: 'reset', afterBodyBytes: MiB }
  })
  const result = await uploadFile(http, bucket, file)
  expect(result.md5).toBe(sparseMd5('reset.bin', size))
  expect(result.checksum).toBe(result.md5)
  expect(sleeps).toHaveLength(1)
  expect(bucketPuts()).toHaveLength(2)
  const files = await zenodo.listFiles(id)
  expect(files.map(f => [f.filename, f.filesize, f.checksum])).toEqual([
    ['reset.bin', size, result.md5]
  ])
})

test('a stalled upload is aborted after stallTimeoutMs and retried', async () => {
  // 1.5 s: long enough that a healthy retry on a loaded 2-core machine is never taken for a stall
  const { http, zenodo, id, bucket } = await draft({ stallTimeoutMs: 1500 })
  // larger than the socket buffers, so the client notices that nothing is being read
  const size = 40 * MiB
  const file = await sparseFile('stall.bin', size)
  server.faults.add({
    method: 'PUT',
    path: /^\/api\/files\//,
    kind: { type: 'stall', afterBodyBytes: MiB }
  })
  const started = Date.now()
  const result = await uploadFile(http, bucket, file)
  expect(Date.now() - started).toBeGreaterThanOrEqual(1500)
  expect(result.md5).toBe(sparseMd5('stall.bin', size))
  expect(bucketPuts()).toHaveLength(2)
  expect(out.text()).toMatch(
    /PUT \/api\/files\/[^ ]+\/stall\.bin: the upload stalled: no progress for 1\.5 s/
  )
  const files = await zenodo.listFiles(id)
  expect(files.map(f => [f.filename, f.checksum])).toEqual([['stall.bin', result.md5]])
})

test('a checksum mismatch is uploaded once more, then fails naming the file and both md5s', async () => {
  const { http, bucket } = await draft()
  const file = await textFile('data.csv', 'a,b\n1,2\n')
  const wrong = '0'.repeat(32)
  server.faults.add({
    method: 'PUT',
    path: /data\.csv$/,
    times: 2,
    kind: {
      type: 'after',
      status: 201,
      body: { key: 'data.csv', size: file.size, checksum: `md5:${wrong}` }
    }
  })
  const err = (await uploadFile(http, bucket, file).catch((e: unknown) => e)) as ActionError
  expect(err).toBeInstanceOf(ActionError)
  expect(err.message).toContain('data.csv')
  expect(err.message).toContain(wrong)
  expect(err.message).toContain(md5('a,b\n1,2\n'))
  expect(bucketPuts()).toHaveLength(2)
})

test('a single checksum mismatch is repaired by the second upload', async () => {
  const { http, bucket } = await draft()
  const file = await textFile('data.csv', 'x,y\n')
  server.faults.add({
    method: 'PUT',
    path: /data\.csv$/,
    kind: {
      type: 'after',
      status: 201,
      body: { key: 'data.csv', checksum: `md5:${'f'.repeat(32)}` }
    }
  })
  const result = await uploadFile(http, bucket, file)
  expect(result.checksum).toBe(md5('x,y\n'))
  expect(bucketPuts()).toHaveLength(2)
  expect(out.text()).toContain(`::warning::Zenodo's checksum of data.csv (md5 ${'f'.repeat(32)})`)
})

test('a file that changed since its md5 was computed is reported', async () => {
  const { http, bucket } = await draft()
  const file = await textFile('changed.txt', 'new content')
  await expect(uploadFile(http, bucket, file, { expectedMd5: md5('old content') })).rejects.toThrow(
    /changed\.txt changed while it was being uploaded/
  )
})

test('a missing file fails before any request', async () => {
  const { http, bucket } = await draft()
  const before = server.requests.length
  await expect(
    uploadFile(http, bucket, { path: join(dir, 'nope.bin'), name: 'nope.bin', size: 3 })
  ).rejects.toThrow(/nope\.bin.*ENOENT/)
  expect(server.requests.length).toBe(before)
})

test('progress lines for a large file come at most every 10%, none for a small one', async () => {
  const { http, bucket } = await draft()
  await uploadFile(http, bucket, await textFile('small.txt', 'x'.repeat(MiB)))
  expect(out.lines().filter(l => l.startsWith('Uploading small.txt'))).toEqual([])
  const size = 40 * MiB
  await uploadFile(http, bucket, await sparseFile('big.bin', size))
  const lines = out.lines().filter(l => l.startsWith('Uploading big.bin'))
  expect(lines.length).toBeGreaterThanOrEqual(1)
  expect(lines.length).toBeLessThanOrEqual(9)
  const percents = lines.map(l => {
    const m =
      /^Uploading big\.bin: [\d.]+ (?:KiB|MiB) of 40 MiB \((\d+)%\), [\d.]+ (?:B|KiB|MiB|GiB)\/s$/.exec(
        l
      )
    expect(m).not.toBeNull()
    return Number(m?.[1])
  })
  for (let i = 1; i < percents.length; i++)
    expect(percents[i] - percents[i - 1]).toBeGreaterThanOrEqual(9)
})

test('a file whose size differs from the planned size fails before a byte is sent', async () => {
  const { http, bucket } = await draft()
  const file = await textFile('shrunk.bin', 'x'.repeat(1000))
  await truncate(file.path, 10)
  const before = server.requests.length
  await expect(uploadFile(http, bucket, file)).rejects.toThrow(
    /shrunk\.bin changed after the files were planned: it was .* \(1000 bytes\) and is now 10 bytes/
  )
  expect(server.requests.length).toBe(before)
})

test('a file swapped for a FIFO fails at once instead of waiting for a writer', async () => {
  const { http, bucket } = await draft()
  const path = join(dir, 'swapped.bin')
  execFileSync('mkfifo', [path])
  const before = server.requests.length
  const started = performance.now()
  await expect(uploadFile(http, bucket, { path, name: 'swapped.bin', size: 5 })).rejects.toThrow(
    /swapped\.bin is no longer a regular file .* is now a FIFO/
  )
  expect(performance.now() - started).toBeLessThan(5000)
  expect(server.requests.length).toBe(before)
})

test('a name that could start a workflow command is logged on one line', async () => {
  const { http, bucket } = await draft()
  const file = await textFile('evil.txt', 'evil')
  await uploadFile(http, bucket, { ...file, name: 'evil\n::error title=INJECTED::x.txt' })
  expect(out.lines().filter(l => /^\s*::error title=INJECTED/.test(l))).toEqual([])
  expect(out.text()).toContain('Uploaded evil\\n::error title=INJECTED::x.txt')
})
