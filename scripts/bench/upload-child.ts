/**
 * Child process of the upload benchmark: uploads one file with the action's own uploader
 * (src/zenodo/upload.ts through src/http.ts, as the action does) and prints how long uploadFile took
 * the CPU time of the whole process (all threads) and how many bytes it read meanwhile. Run in its own process so that it does not
 * share an event loop with the test server, as curl does not.
 *
 * argv[2]: JSON {bucketUrl, token, path, name}
 */
import { stat } from 'node:fs/promises'
import { HttpClient } from '../../src/http.js'
import { uploadFile } from '../../src/zenodo/upload.js'
import { USER_AGENT } from '../../src/version.js'
import { ioCounters, peakRss, RESULT_MARK } from './proc.js'

const args = JSON.parse(process.argv[2] ?? '{}') as {
  bucketUrl: string
  token: string
  path: string
  name: string
}
const http = new HttpClient({
  auth: { token: () => Promise.resolve(args.token) },
  userAgent: USER_AGENT
})
const { size } = await stat(args.path)
const rssBefore = peakRss()
const before = ioCounters()
const cpu = process.cpuUsage()
const started = performance.now()
const result = await uploadFile(http, args.bucketUrl, { path: args.path, name: args.name, size })
const ms = performance.now() - started
const used = process.cpuUsage(cpu)
const after = ioCounters()
process.stdout.write(
  `\n${RESULT_MARK}${JSON.stringify({
    ms,
    cpuMs: (used.user + used.system) / 1000,
    size,
    md5: result.md5,
    readBytes: after.rchar - before.rchar,
    rssBefore,
    peakRss: peakRss()
  })}\n`
)
process.exit(0)
