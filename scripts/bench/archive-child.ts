/**
 * Child process of the archive benchmark, run twice per round: `plan` lists the tree with the
 * action's planFiles (as the action does for `archive: **`) and writes the members to a JSON
 * file; `build` reads them and builds the zip with buildArchive (manifest on, the action's
 * default, unless noManifest), and prints the time of each step, the bytes the process read and wrote while
 * building (the proof that every source byte is read once), and its peak RSS. Planning runs
 * in its own process so that the peak RSS is the archive step's, not the glob's.
 *
 * argv[2]: JSON {mode, workspace, outDir, name, membersFile, noManifest?}
 */
import { readFile, writeFile } from 'node:fs/promises'
import { buildArchive } from '../../src/archive/build.js'
import { planFiles, type ArchiveMember } from '../../src/files/plan.js'
import { ioCounters, peakRss, RESULT_MARK } from './proc.js'

const args = JSON.parse(process.argv[2] ?? '{}') as {
  mode: 'plan' | 'build'
  workspace: string
  outDir: string
  name: string
  membersFile: string
  noManifest?: boolean
}
if (args.mode === 'plan') {
  const t0 = performance.now()
  const plan = await planFiles({
    workspace: args.workspace,
    files: [],
    archive: ['**'],
    archiveName: args.name,
    manifest: true,
    ifNoFilesFound: 'error'
  })
  if (plan.problems.length) throw new Error(JSON.stringify(plan.problems))
  const planMs = performance.now() - t0
  await writeFile(args.membersFile, JSON.stringify(plan.archiveMembers))
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify({ planMs, peakRss: peakRss() })}\n`)
  process.exit(0)
}
const members = JSON.parse(await readFile(args.membersFile, 'utf8')) as ArchiveMember[]
const before = ioCounters()
const cpu = process.cpuUsage()
const t1 = performance.now()
const built = await buildArchive({
  members,
  name: args.name,
  outDir: args.outDir,
  manifest: args.noManifest
    ? undefined
    : { repository: 'octo-org/octo-repo', tag: 'v1.0.0', commit: '0'.repeat(40) }
})
const t2 = performance.now()
const used = process.cpuUsage(cpu)
const after = ioCounters()
const sourceBytes = members.reduce((s, m) => s + m.size, 0)
process.stdout.write(
  `\n${RESULT_MARK}${JSON.stringify({
    buildMs: t2 - t1,
    buildCpuMs: (used.user + used.system) / 1000,
    members: members.length,
    sourceBytes,
    archiveBytes: built.file.size,
    readBytes: after.rchar - before.rchar,
    writtenBytes: after.wchar - before.wchar,
    peakRss: peakRss()
  })}\n`
)
process.exit(0)
