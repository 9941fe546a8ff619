/**
 * What limits a missed goal and what was tried, found while this benchmark was written
 * (2026-11-23, same machine, with experiments on src/ as it was then). Printed under a goal
 * only when the run missed it; the run's own figures are the ones in the tables above them.
 */
import type { Suite } from './options.js'

const NOTES: Partial<Record<Suite, string[]>> = {
  upload: [
    "**What limits it.** Not the CPU: the uploader spends about 1.1 s of CPU on a 512 MiB file (md5 of every byte, reads, the socket), well under its wall time. What made it slow was reading and sending taking turns: with Node's default buffers (64 KiB reads, 16 KiB between streams) the next read only started once the socket had taken the last chunk. Since 2026-11-23 src/zenodo/upload.ts reads 1 MiB at a time and reads the next MiB while the last one is being sent; since 2026-11-29 it does so into two reused buffers handed to undici as an async iterable (no stream pipeline in between), which also cut its CPU time. (0.76x -> 0.86-0.96x of curl in the runs that day, depending also on how often memory is trimmed, see goal 2). What is left is md5 (about 0.8 s of the uploader's 1.6 s of CPU for 512 MiB, in a profile) and garbage collection (about 0.3 s). The whole action's PUT also pays for the bundle's start-up work running beside it, and on 2 cores the test server (which hashes and writes every byte) competes with it. Rounds vary on this machine: before the server's files moved to /dev/shm, curl's own time ranged 1.2-2.5 s in one run.",
    '',
    '**What was tried before** (src/zenodo/upload.ts path, 256 MiB, in its own process, 2 rounds each):',
    '',
    '| variant | wall | CPU | RSS growth during the upload |',
    '| --- | ---: | ---: | ---: |',
    '| 64 KiB reads (the first version) | 1.26-1.29 s | 1120-1180 ms | 65-66 MB |',
    '| 1 MiB reads | 0.99-1.15 s | 820-1000 ms | 70-71 MB |',
    '| 256 KiB reads + a minor GC every 20 ms | 0.89-0.96 s | 705-727 ms | 11-12 MB |',
    '| 1 MiB reads + a minor GC every 20 ms | 0.94-0.98 s | 643-652 ms | 19-22 MB |',
    '| node --max-semi-space-size=1 (64 KiB reads) | 0.72-1.05 s | 656-754 ms | 17-21 MB |',
    '',
    'md5 in a worker thread was tried (2026-11-23): with chunks cloned to it, 0.69x and a 237 MB peak; with a ring of shared memory, the main thread was idle most of the time but the upload no slower or faster (2.2 s): on 2 cores the worker competes with the test server for the second core, and the total CPU is what it was. On a runner talking to the real Zenodo the server is elsewhere, and the network, not md5, is the limit.',
    ''
  ],
  rss: [
    "**What limits it** (the flat goal; the absolute figure is only reported). Since 2026-11-29 each upload reads into the same two 1 MiB buffers (src/zenodo/upload.ts, FileBody), refilled only once undici has written them to the socket; before, each read was a fresh 1 MiB Buffer whose memory outside the JS heap came back only when V8 collected its wrapper, and the spread was 24.9 MB. A spread above the goal now would come from elsewhere (the metadata, the requests), not from the file's bytes. No runtime tricks: the forced collections, the V8 flag (src/memory.ts) and the Latin-1 bundle were removed in issue 10.",
    '',
    "**The base.** An empty node process is the baseline in the table. Loading dist/index.js adds its dependencies: undici (loaded by @actions/core through @actions/http-client in every run), @actions/github (Octokit), ajv, yaml, markdown-it and sanitize-html (with postcss); a publish's own work (compiling the metadata schema, the requests) adds a little more.",
    '',
    '**Not done.** Loading @actions/github, markdown-it and sanitize-html only when needed would save their share only in runs that need neither (almost every release has notes and needs the release and contributors). Dropping undici for node:http would not remove it, since @actions/core loads it anyway.',
    ''
  ],
  archive: [
    "**What limits it** (measured 2026-11-29 on this machine; peaks of identical runs vary by 20-100 MB). Most of the growth is archiver's own, and the action's wrapper already takes about half of it away: see the rows \"archiver as its README shows\" above (on a tree of 20,000 files of 1-4 KiB without large files, archiver used plainly peaked about +265 MB above the 20-file tree, deflated or stored alike; buildArchive about +120 MB). Live data that grows with the count is small, about 560 bytes per member (zip-stream's central-directory entries; the manifest's digests were part of it until they went to disk as they come). The rest is garbage, made in two places:",
    '',
    '- While the members are appended, archiver allocates about 46 KB of JS heap per 1-4 KB member (zip-stream and compress-commons write every header field as a separate Buffer through readable-stream, and make a zlib DeflateRaw with its own 16 KiB output buffer per deflated member). At that rate V8 grows its young generation to its maximum (32 MB, 64 MB committed): in a trace of the buildArchive child (memory sampled every 20 ms inside it) the committed heap went from 56 to 104 MB and the RSS from 142 to 180 MB over the 20,000 small files.',
    '- At the end, zip-stream writes the whole central directory in one synchronous loop of about 15 tiny Buffers per member, all alive at once before any of them can be copied into blocks or written: in traced runs the RSS jumped by about 18 MB in those last 0.3-0.5 s (the event loop blocked that long). The wrapper cannot split zip-stream\'s loop. Until 2026-11-29 the action added its own burst there: manifest.json built as one JSON text (every member\'s path, size, md5 and sha256) and appended from memory, 35-55 MB together with the central directory. Since then the manifest is written to disk entry by entry while the members are archived and read back into the archive from the file (src/archive/manifest.ts), about 25 MB less at the peak in a one-off comparison (three runs each on 20,000 small files: 188-193 MB against 214-217 MB); the row "buildArchive without manifest" shows what is left of its share.',
    '',
    "The wrapper (src/archive/build.ts) appends one member at a time, reads small members whole through a plain descriptor, and copies archiver's tiny writes into 64 KiB blocks (BlockStream), the next member only once fewer than 4 MiB wait. No archiver 8 / zip-stream 7 option lowers the rest: zlib's chunkSize or memLevel made the peak higher or the archive larger.",
    '',
    "**A young-generation limit alone does not meet the goal either** (measured once on 2026-11-29, not in this run: the buildArchive child under `node --max-semi-space-size=1`, two runs per tree): peaks of 131-132 MB with 20 files and 194-198 MB with 20,000, each 20-30 MB below the default's, but a growth of +62 to +67 MB (the default in the same batch: +57 to +74 MB; `--max-semi-space-size=4`: +58 to +61 MB). With a small young generation the per-member buffers reach the old generation: their memory outside the JS heap piles up to about 70 MB between full collections, and the RSS climbs from 120 to 188 MB over the small files while the V8 heap grows by 18 MB.",
    '',
    "**Not within the action's reach.** The project's rules exclude V8 flags, forced collections and worker resource limits, and archiver is the writer (issue 10), so the action cannot meet the 30 MB goal. The action's own shares are smaller: the manifest (now streamed to disk; the row without it shows what is left) and reading and hashing the members (about +22 MB for 20,000 members read and hashed without archiving them, measured earlier that day). The options, for the issue's filer to choose:",
    '',
    '- (a) Restate the goal as a fixed ceiling plus a bound per file, read off the table above: the growth of buildArchive per added file, between 20 and 5,000 files and between 5,000 and 20,000.',
    "- (b) Allow a young-generation limit (`--max-semi-space-size`, or `resourceLimits.maxYoungGenerationSizeMb` of a worker): a V8 setting, excluded by the project's rules today; on its own it lowers the peaks but not the growth (above).",
    "- (c) A zip writer other than archiver, one that allocates less per member and writes the central directory in blocks: excluded by the project's rules today (the project's own writers, removed in issue 10, grew more, about 300 MB, with their worker threads).",
    ''
  ],
  parallel: [
    "**What limits it.** The publish's fixed requests (the GitHub API calls, the draft, the metadata, the publish) are made one after another whatever the concurrency; with 100 ms per request they set a floor under the whole-action time. The upload phase itself is the figure that concurrency changes.",
    ''
  ],
  requests: [
    '**What limits it.** See the list of requests below: each one not in it (a search for an existing draft, a re-read of the deposition, a separate file listing) is one more request per publish.',
    ''
  ]
}

/** The notes on a missed goal of this benchmark (empty when there are none). */
export function missedNotes(suite: Suite): string[] {
  return NOTES[suite] ?? []
}
