/**
 * Child process of the archive benchmark: archiver used the plain way its README shows, the
 * baseline that buildArchive's memory is compared with. One ZipArchive (zlib level 6, every
 * member deflated, no manifest) piped straight to fs.createWriteStream; for each member of the
 * same list buildArchive gets, its file read whole with fs.readFile, append(buffer, {name}),
 * and the next one only once archiver emitted 'entry' for it; then finalize. Prints the time,
 * the CPU time, the archive's size and the peak RSS (VmHWM) of this process.
 *
 * argv[2]: JSON {membersFile, outFile}
 */
import { createWriteStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { once } from 'node:events'
import { ZipArchive } from 'archiver'
import type { ArchiveMember } from '../../src/files/plan.js'
import { peakRss, RESULT_MARK } from './proc.js'

const args = JSON.parse(process.argv[2] ?? '{}') as { membersFile: string; outFile: string }
const members = JSON.parse(await readFile(args.membersFile, 'utf8')) as ArchiveMember[]
const cpu = process.cpuUsage()
const t0 = performance.now()

const output = createWriteStream(args.outFile)
const archive = new ZipArchive({ zlib: { level: 6 } })
const closed = once(output, 'close')
archive.on('warning', (err: Error) => {
  throw err
})
archive.on('error', (err: Error) => {
  throw err
})
archive.pipe(output)
for (const member of members) {
  const added = once(archive, 'entry')
  archive.append(await readFile(member.path), { name: member.archivePath })
  await added
}
await archive.finalize()
await closed

const used = process.cpuUsage(cpu)
process.stdout.write(
  `\n${RESULT_MARK}${JSON.stringify({
    buildMs: performance.now() - t0,
    buildCpuMs: (used.user + used.system) / 1000,
    members: members.length,
    archiveBytes: (await stat(args.outFile)).size,
    peakRss: peakRss()
  })}\n`
)
process.exit(0)
