/**
 * Goal 3, archive build: the action's buildArchive (archiver, in its own process, after
 * planFiles lists the tree) against `zip -r -6 -q` on the same tree of many small files and a
 * few large ones, alternating over the rounds; its peak RSS on that tree against a tree with
 * only FEW_FILES small files and the same large ones (memory flat in the number of files), with
 * a scaling point between them (sizes.midFiles small files), and the same two figures for
 * archiver used the plain way its README shows (archiver-plain-child.ts), so that the share of
 * the growth that is archiver's own is measured in the same run, and buildArchive without its
 * manifest on the large tree (the manifest's share); plus the sizes, the bytes
 * read, and how the .gz member is stored.
 */
import { mkdir, open, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchContext, SectionResult } from './context.js'
import { missedNotes } from './notes.js'
import { check, childResult, nodeBaseline, runCommand, runCommandCpu, runTsChild } from './proc.js'
import { writeTree, type Tree } from './scratch.js'
import {
  alternate,
  bytes,
  failedNote,
  failureLines,
  mb,
  median,
  ms,
  ratio,
  verdict,
  type Failure
} from './stats.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
/** Small files of the second tree (the first has ctx.opts.sizes.smallFiles). */
const FEW_FILES = 20
/** The goal: buildArchive's peak RSS on the big tree at most this much above the small tree's. */
const FLAT_BYTES = 30e6
/**
 * Rounds of the runs that only give memory figures (the scaling point, buildArchive without
 * manifest, archiver used plainly): at most this many (one with --quick), so that the run stays
 * within its minutes. Their archives are removed as soon as they are measured.
 */
const MEMORY_ROUNDS = 3

/** How many rounds the memory-only runs get in this run. */
function memoryRounds(ctx: BenchContext): number {
  return Math.min(ctx.opts.rounds, ctx.opts.quick ? 1 : MEMORY_ROUNDS)
}

interface Sample {
  ms: number
  cpuMs: number
  planMs?: number
  planRss?: number
  archiveBytes: number
  readBytes?: number
  peakRss?: number
}

interface ChildOut {
  buildMs: number
  buildCpuMs: number
  members: number
  sourceBytes: number
  archiveBytes: number
  readBytes: number
  writtenBytes: number
  peakRss: number
}

/** What archiver-plain-child.ts prints. */
interface PlainOut {
  buildMs: number
  buildCpuMs: number
  members: number
  archiveBytes: number
  peakRss: number
}

/** The names of the runs (keys of the samples). */
interface Names {
  build: string
  buildFew: string
  buildMid: string
  buildNoManifest: string
  plain: string
  plainFew: string
}

function names(tree: Tree, mid: Tree): Names {
  return {
    build: 'buildArchive',
    buildFew: `buildArchive, ${String(FEW_FILES)} small files`,
    buildMid: `buildArchive, ${String(mid.smallFiles)} small files`,
    buildNoManifest: 'buildArchive without manifest',
    plain: `archiver as its README shows, ${String(tree.smallFiles)} small files`,
    plainFew: `archiver as its README shows, ${String(FEW_FILES)} small files`
  }
}

/** Runs the comparison and renders its section. */
export async function archiveBenchmark(ctx: BenchContext): Promise<SectionResult> {
  const sizes = ctx.opts.sizes
  const started = performance.now()
  const tree = await writeTree(path.join(ctx.scratch, 'tree'), sizes)
  // The other trees share the first tree's large files (hard links: the same bytes).
  const few = await writeTree(path.join(ctx.scratch, 'tree-few'), {
    ...sizes,
    smallFiles: FEW_FILES,
    largeFrom: tree
  })
  const mid = await writeTree(path.join(ctx.scratch, 'tree-mid'), {
    ...sizes,
    smallFiles: sizes.midFiles,
    largeFrom: tree
  })
  await runCommand('sync', [], { timeoutMs: 120_000 })
  ctx.log(
    `  wrote the trees (${String(tree.smallFiles)}, ${String(mid.smallFiles)} and ${String(few.smallFiles)} small files, ${bytes(tree.totalBytes)} the largest) in ${ms(performance.now() - started)}`
  )
  const out = path.join(ctx.scratch, 'archives')
  await mkdir(out, { recursive: true })
  const actionZip = path.join(out, 'action', 'bench.zip')
  const fewZip = path.join(out, 'action-few', 'bench.zip')
  const midZip = path.join(out, 'action-mid', 'bench.zip')
  const noManifestZip = path.join(out, 'action-no-manifest', 'bench.zip')
  const zipOut = (n: string): string => path.join(out, n)
  const child = path.join(HERE, 'archive-child.ts')
  const n = names(tree, mid)
  let members = 0
  const zipVariant = (name: string, file: string, extra: string[]) => ({
    name,
    run: async (): Promise<Sample> => {
      await rm(file, { force: true })
      const r = check(
        name,
        await runCommandCpu('zip', ['-r', '-6', '-q', ...extra, file, '.'], {
          cwd: tree.root,
          timeoutMs: 600_000,
          statFile: `${file}.stat`
        })
      )
      return { ms: r.ms, cpuMs: r.cpuMs, archiveBytes: (await stat(file)).size }
    }
  })
  /** planFiles in its own process, once: the member list of the runs that reuse it. */
  interface Planned {
    membersFile: string
    planMs: number
    planRss: number
  }
  const planOnce = async (workspace: string, label: string): Promise<Planned> => {
    const membersFile = path.join(out, `planned-${label}.members.json`)
    const p = childResult<{ planMs: number; peakRss: number }>(
      await runTsChild(
        child,
        { mode: 'plan', workspace, outDir: out, name: 'bench.zip', membersFile },
        600_000
      )
    )
    return { membersFile, planMs: p.planMs, planRss: p.peakRss }
  }
  /**
   * buildArchive in its own process, after planFiles in another: planned each round, or, for
   * the runs that only give memory figures, from a member list planned once (`planned`).
   */
  const buildVariant = (
    name: string,
    workspace: string,
    file: string,
    o: {
      onMembers?: (n: number) => void
      rounds?: number
      noManifest?: boolean
      planned?: Planned
    } = {}
  ) => ({
    name,
    rounds: o.rounds,
    run: async (): Promise<Sample> => {
      await rm(path.dirname(file), { recursive: true, force: true })
      const job = {
        workspace,
        outDir: path.dirname(file),
        name: path.basename(file),
        membersFile: o.planned?.membersFile ?? `${path.dirname(file)}.members.json`,
        noManifest: o.noManifest
      }
      let plan = o.planned
      if (!plan) {
        const p = childResult<{ planMs: number; peakRss: number }>(
          await runTsChild(child, { ...job, mode: 'plan' }, 600_000)
        )
        plan = { membersFile: job.membersFile, planMs: p.planMs, planRss: p.peakRss }
      }
      const c = childResult<ChildOut>(await runTsChild(child, { ...job, mode: 'build' }, 600_000))
      // A memory-only run's archive is not looked at again: its disk space back at once.
      if (o.planned) await rm(path.dirname(file), { recursive: true, force: true })
      o.onMembers?.(c.members)
      return {
        ms: c.buildMs,
        cpuMs: c.buildCpuMs,
        planMs: plan.planMs,
        planRss: plan.planRss,
        archiveBytes: c.archiveBytes,
        readBytes: c.readBytes,
        peakRss: c.peakRss
      }
    }
  })
  // archiver used plainly gets the member list planFiles makes for buildArchive.
  const plainVariant = (name: string, planned: Planned, file: string) => ({
    name,
    rounds: memoryRounds(ctx),
    run: async (): Promise<Sample> => {
      await rm(path.dirname(file), { recursive: true, force: true })
      await mkdir(path.dirname(file), { recursive: true })
      const c = childResult<PlainOut>(
        await runTsChild(
          path.join(HERE, 'archiver-plain-child.ts'),
          { membersFile: planned.membersFile, outFile: file },
          600_000
        )
      )
      await rm(path.dirname(file), { recursive: true, force: true })
      return {
        ms: c.buildMs,
        cpuMs: c.buildCpuMs,
        archiveBytes: c.archiveBytes,
        peakRss: c.peakRss
      }
    }
  })
  try {
    const planned = {
      many: await planOnce(tree.root, 'many'),
      mid: await planOnce(mid.root, 'mid'),
      few: await planOnce(few.root, 'few')
    }
    const memory = { rounds: memoryRounds(ctx) }
    const { samples, failures } = await alternate<Sample>(
      ctx.opts.rounds,
      [
        buildVariant(n.build, tree.root, actionZip, { onMembers: m => (members = m) }),
        plainVariant(n.plain, planned.many, zipOut('plain/bench.zip')),
        buildVariant(n.buildFew, few.root, fewZip),
        zipVariant('zip', zipOut('zip.zip'), []),
        plainVariant(n.plainFew, planned.few, zipOut('plain-few/bench.zip')),
        buildVariant(n.buildMid, mid.root, midZip, { ...memory, planned: planned.mid }),
        zipVariant('zip -n .gz', zipOut('zip-n.zip'), ['-n', '.gz']),
        buildVariant(n.buildNoManifest, tree.root, noManifestZip, {
          ...memory,
          planned: planned.many,
          noManifest: true
        })
      ],
      ctx.log
    )
    const methods = {
      action: await storedMethod(actionZip, 'data/dataset.gz'),
      zip: await storedMethod(zipOut('zip.zip'), 'data/dataset.gz')
    }
    return render(
      ctx,
      { tree, few, mid },
      members,
      samples,
      methods,
      failures,
      await nodeBaseline()
    )
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}

/** "+12.3 MB" or "-0.2 MB": a growth, signed. */
function grew(n: number): string {
  return n < 0 ? mb(n) : `+${mb(n)}`
}

/** "1.2 KB": a growth per added small file (decimal, like mb()). */
function perFile(growth: number, files: number): string {
  return `${(growth / files / 1000).toFixed(1)} KB`
}

function render(
  ctx: BenchContext,
  trees: { tree: Tree; few: Tree; mid: Tree },
  members: number,
  s: Record<string, Sample[]>,
  methods: { action: string; zip: string },
  failures: Failure[],
  baseline: number
): SectionResult {
  const { tree, few, mid } = trees
  const n = names(tree, mid)
  const med = (name: string, f: (x: Sample) => number | undefined): number =>
    median(s[name].map(x => f(x) ?? NaN))
  const zip = med('zip', x => x.ms)
  const zipN = med('zip -n .gz', x => x.ms)
  const build = med(n.build, x => x.ms)
  const plainMs = med(n.plain, x => x.ms)
  const plan = med(n.build, x => x.planMs)
  const readBytes = med(n.build, x => x.readBytes)
  const rss = (name: string): number => med(name, x => x.peakRss)
  const peakRss = rss(n.build)
  const fewRss = rss(n.buildFew)
  const midRss = rss(n.buildMid)
  const growth = peakRss - fewRss
  const midGrowth = midRss - fewRss
  const plainGrowth = rss(n.plain) - rss(n.plainFew)
  const noManifestGrowth = rss(n.buildNoManifest) - fewRss
  const added = tree.smallFiles - FEW_FILES
  const midAdded = mid.smallFiles - FEW_FILES
  const met = growth <= FLAT_BYTES
  const size = (name: string): string => bytes(med(name, x => x.archiveBytes))
  const cpu = (name: string): number => med(name, x => x.cpuMs)
  const zipCpu = cpu('zip')
  const r = build / zip
  const memRounds = memoryRounds(ctx)
  const roundsText =
    memRounds === 1 ? 'the first round only' : `the first ${String(memRounds)} rounds`
  const memoryRow = (
    run: string,
    t: Tree,
    name: string,
    from?: { rss: number; files: number },
    plan = true
  ): string => {
    const peak = rss(name)
    const grown = from
      ? `${grew(peak - from.rss)} | ${perFile(peak - from.rss, t.smallFiles - from.files)}`
      : '| '
    return `| ${run} | ${String(t.smallFiles)} small files + large ones | ${mb(peak)} | ${s[name].map(x => mb(x.peakRss ?? NaN)).join(', ')} | ${mb(peak - baseline)} | ${grown} | ${plan ? mb(med(name, x => x.planRss)) : ''} |`
  }
  const few0 = { rss: fewRss, files: FEW_FILES }
  const lines = [
    `## 3. Archive build (archiver): ${String(tree.smallFiles)} small files and ${String(tree.large.length)} large ones`,
    '',
    `The tree (${bytes(tree.totalBytes)}): ${String(tree.smallFiles)} files of 1-4 KiB (${bytes(tree.smallBytes)}; half source-like text, half random bytes) in directories of 100, and ${tree.large.map(l => `${l.name} (${bytes(l.bytes)}, ${l.kind})`).join(', ')}. The action's side runs in two node processes: planFiles lists the tree (\`archive: **\`) in one, then buildArchive writes the zip at level 6 with manifest.json (the action's defaults) from that member list in another; only buildArchive is compared with zip, whose time includes walking the tree. ${String(ctx.opts.rounds)} rounds in rotating order, medians; the files are in the page cache for every tool. CPU time is user + system of the whole process (all threads; zip's read from /proc once it was waited).`,
    '',
    '| command | median time | vs zip | CPU time | CPU vs zip | archive size |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| \`zip -r -6 -q out.zip .\` | ${ms(zip)} | 1.00x | ${ms(zipCpu)} | 1.00x | ${size('zip')} |`,
    `| \`zip -r -6 -q -n .gz out.zip .\` (zip told not to deflate .gz) | ${ms(zipN)} | ${ratio(zipN / zip)} | ${ms(cpu('zip -n .gz'))} | ${ratio(cpu('zip -n .gz') / zipCpu)} | ${size('zip -n .gz')} |`,
    `| action: buildArchive (zip, level 6, manifest) | ${ms(build)} | ${ratio(r)} | ${ms(cpu(n.build))} | ${ratio(cpu(n.build) / zipCpu)} | ${size(n.build)} |`,
    `| action: planFiles + buildArchive | ${ms(plan + build)} | ${ratio((plan + build) / zip)} | | | |`,
    `| archiver as its README shows (level 6, every member deflated, no manifest; ${roundsText}) | ${ms(plainMs)} | ${ratio(plainMs / zip)} | ${ms(cpu(n.plain))} | ${ratio(cpu(n.plain) / zipCpu)} | ${size(n.plain)} |`,
    '',
    ...failureLines(failures),
    `Time, reported and not a goal: buildArchive takes **${ratio(r)}** zip's time. The archive is uploaded over the network afterwards, where seconds on a tree this size matter little; what matters more is that the format code is archiver's (zip-stream, tar-stream), not the project's.`,
    '',
    '### Memory flat in the number of files',
    '',
    `The same child process on a second tree with ${String(FEW_FILES)} small files and the same ${String(few.large.length)} large ones (${bytes(few.totalBytes)}; hard links to the first tree's), and on a third with ${String(mid.smallFiles)} small files and the same large ones (${bytes(mid.totalBytes)}; ${roundsText}), to show how the growth goes with the count. Peak RSS (VmHWM) of the process that runs buildArchive on the member list (planFiles ran in another process, whose peak is given for reference: with ${String(tree.smallFiles)} files the glob itself holds more); that process also runs tsx to load the TypeScript sources, so its base is higher than the bundled action's; Node's own baseline, an empty \`node -e\` process of the same Node ${process.versions.node}: ${mb(baseline)}.`,
    '',
    `Beside it, in the same rounds (${roundsText}), archiver used the plain way its README shows, in a process of its own started the same way (scripts/bench/archiver-plain-child.ts): one ZipArchive (zlib level 6) piped to fs.createWriteStream; for each member of the same list planFiles made, the file read whole with fs.readFile, \`append(buffer, { name })\`, and the next member once archiver emitted 'entry'; then finalize. Every member is deflated and there is no manifest; reading each large file whole (${bytes(tree.large[0]?.bytes ?? 0)}) raises both of its peaks alike.`,
    '',
    `| run | tree | peak RSS (median) | rounds (each) | above empty node | growth over ${String(FEW_FILES)} files | per added file | planFiles peak RSS (own process) |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    memoryRow(`buildArchive: ${String(FEW_FILES)} files`, few, n.buildFew),
    memoryRow(`buildArchive: ${String(mid.smallFiles)} files`, mid, n.buildMid, few0),
    memoryRow(`buildArchive: ${String(tree.smallFiles)} files`, tree, n.build, few0),
    memoryRow(
      `buildArchive without manifest: ${String(tree.smallFiles)} files`,
      tree,
      n.buildNoManifest,
      few0
    ),
    memoryRow(
      `archiver as its README shows: ${String(FEW_FILES)} files`,
      few,
      n.plainFew,
      undefined,
      false
    ),
    memoryRow(
      `archiver as its README shows: ${String(tree.smallFiles)} files`,
      tree,
      n.plain,
      { rss: rss(n.plainFew), files: FEW_FILES },
      false
    ),
    '',
    `Goal: peak RSS with ${String(tree.smallFiles)} files at most ${mb(FLAT_BYTES)} above the peak with ${String(FEW_FILES)}: **${mb(growth)}**, ${verdict(met)}. Archiver used as its README shows grows by **${grew(plainGrowth)}** on the same two trees${plainGrowth > 0 ? `: buildArchive's growth is ${((growth / plainGrowth) * 100).toFixed(0)}% of that` : ''}. With the count: ${grew(midGrowth)} at ${String(mid.smallFiles)} files (${perFile(midGrowth, midAdded)} per added file), ${grew(growth)} at ${String(tree.smallFiles)} (${perFile(growth, added)} per added file); from ${String(mid.smallFiles)} to ${String(tree.smallFiles)} files, ${perFile(peakRss - midRss, tree.smallFiles - mid.smallFiles)} per file. Without manifest.json (the action's own: path, size, md5 and sha256 of every member, written to disk as the members are archived and read back into the archive at the end; ${roundsText}), buildArchive grows by ${grew(noManifestGrowth)} (compared with the 20-file tree's peak with its manifest of ${String(FEW_FILES + few.large.length)} members): the difference, the manifest's share, is ${grew(growth - noManifestGrowth)}.`,
    '',
    `Members are appended one at a time (one open file, no per-entry streams held), the next only once fewer than 4 MiB of output wait to be written, and archiver's many tiny header writes (and its central directory, written at the end in one burst) are copied into 64 KiB blocks as they come (BlockStream, src/archive/build.ts). Live data that grows with the count is small: the zip's central directory records, kept by zip-stream until the end (the manifest's lines go to disk as each member is archived, src/archive/manifest.ts), a few hundred bytes per member.`,
    '',
    `Each source byte read once: during buildArchive the process read ${String(readBytes)} bytes through read syscalls (rchar of /proc/self/io) for ${String(tree.totalBytes)} bytes of source files (${String(members)} members): ${(readBytes / tree.totalBytes).toFixed(4)} reads per byte. By construction (src/archive/build.ts) each member is opened once and its bytes go through the md5 and sha256 of the manifest (a HashingStream, src/files/hash.ts) on their way into archiver, and the archive is hashed while it is written, so neither the members nor the archive are read again; the small excess is reads of directories and metadata.`,
    '',
    `data/dataset.gz in the action's archive: ${methods.action}; in zip's: ${methods.zip} (plain \`zip -6\` deflates it again, for nothing; \`-n .gz\` tells it to store it).`,
    '',
    "The writer is archiver (zip-stream for zip, tar-stream and zlib's gzip for tar.gz). The project's own zip and tar writers (with worker threads) were removed in favour of it (issue 10): they were faster on this tree, but were hundreds of lines of format code to keep correct, and their peak RSS grew by 300 MB or so with 20,000 files.",
    ''
  ]
  return {
    markdown: [...lines, ...(met ? [] : missedNotes('archive'))].join('\n'),
    goals: [
      {
        goal: `3. buildArchive peak RSS, ${String(tree.smallFiles)} vs ${String(FEW_FILES)} files: <= ${mb(FLAT_BYTES)} more`,
        measured: `${grew(growth)} (${mb(peakRss)} vs ${mb(fewRss)}; archiver used plainly: ${grew(plainGrowth)}; without manifest: ${grew(noManifestGrowth)}; ${String(mid.smallFiles)} files: ${grew(midGrowth)}; empty node ${mb(baseline)})${failedNote(failures, ctx.opts.rounds * 4 + memRounds * 4)}`,
        met
      },
      {
        goal: '3. buildArchive (archiver) vs `zip -r -6` time',
        measured: `${ratio(r)} (${ms(build)} vs ${ms(zip)}); ${(readBytes / tree.totalBytes).toFixed(3)} reads per source byte; .gz ${methods.action.split(' ')[0]}`
      }
    ],
    failures
  }
}

/**
 * How a member is stored in a zip, read from the central directory: "stored" or "deflated",
 * with its sizes. Handles archives under 4 GiB with fewer than 65,535 entries (no zip64).
 */
export async function storedMethod(zipFile: string, member: string): Promise<string> {
  const handle = await open(zipFile, 'r')
  try {
    const { size } = await handle.stat()
    const tailLength = Math.min(size, 65_557)
    const tail = Buffer.alloc(tailLength)
    await handle.read(tail, 0, tailLength, size - tailLength)
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    if (eocd < 0) return 'unknown (no end of central directory)'
    const cdSize = tail.readUInt32LE(eocd + 12)
    const cdOffset = tail.readUInt32LE(eocd + 16)
    const cd = Buffer.alloc(cdSize)
    await handle.read(cd, 0, cdSize, cdOffset)
    for (let p = 0; p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50;) {
      const method = cd.readUInt16LE(p + 10)
      const compressed = cd.readUInt32LE(p + 20)
      const uncompressed = cd.readUInt32LE(p + 24)
      const nameLength = cd.readUInt16LE(p + 28)
      const extraLength = cd.readUInt16LE(p + 30)
      const commentLength = cd.readUInt16LE(p + 32)
      const name = cd.toString('utf8', p + 46, p + 46 + nameLength)
      if (name === member) {
        const how = method === 0 ? 'stored' : method === 8 ? 'deflated' : `method ${String(method)}`
        return `${how} (${String(uncompressed)} -> ${String(compressed)} bytes)`
      }
      p += 46 + nameLength + extraLength + commentLength
    }
    return 'not found'
  } finally {
    await handle.close()
  }
}
