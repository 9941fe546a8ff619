/**
 * Child process of the archive benchmark: lists the tree with the action's planFiles (as the
 * action does for `archive: **`), builds the zip with buildArchive (manifest on, the action's
 * default), and prints the time of each step and the bytes the process read and wrote while
 * building: the proof that every source byte is read once.
 *
 * argv[2]: JSON {workspace, outDir, name}
 */
import { buildArchive } from '../../src/archive/build.js'
import { planFiles } from '../../src/files/plan.js'
import { ioCounters, peakRss, RESULT_MARK } from './proc.js'

const args = JSON.parse(process.argv[2] ?? '{}') as {
  workspace: string
  outDir: string
  name: string
}
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
const t1 = performance.now()
const before = ioCounters()
const cpu = process.cpuUsage()
const built = await buildArchive({
  members: plan.archiveMembers,
  name: args.name,
  outDir: args.outDir,
  manifest: { repository: 'octo-org/octo-repo', tag: 'v1.0.0', commit: '0'.repeat(40) }
})
const t2 = performance.now()
const used = process.cpuUsage(cpu)
const after = ioCounters()
const sourceBytes = plan.archiveMembers.reduce((s, m) => s + m.size, 0)
process.stdout.write(
  `\n${RESULT_MARK}${JSON.stringify({
    planMs: t1 - t0,
    buildMs: t2 - t1,
    buildCpuMs: (used.user + used.system) / 1000,
    members: plan.archiveMembers.length,
    sourceBytes,
    archiveBytes: built.file.size,
    readBytes: after.rchar - before.rchar,
    writtenBytes: after.wchar - before.wchar,
    peakRss: peakRss()
  })}\n`
)
process.exit(0)
