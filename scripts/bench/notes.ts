/**
 * What limits a missed goal and what was tried, found while this benchmark was written
 * (2026-11-23, same machine, with experiments on src/ as it was then). Printed under a goal
 * only when the run missed it; the run's own figures are the ones in the tables above them.
 */
import type { Suite } from './options.js'

const NOTES: Partial<Record<Suite, string[]>> = {
  upload: [
    "**What limits it.** Not the CPU: the uploader spends about 1.1 s of CPU on a 512 MiB file (md5 of every byte, reads, the socket), well under its wall time. What made it slow was reading and sending taking turns: with Node's default buffers (64 KiB reads, 16 KiB between streams) the next read only started once the socket had taken the last chunk. Since 2026-11-23 src/upload.ts reads 1 MiB at a time and keeps 1 MiB buffered between the file and the socket, so reading ahead overlaps sending (0.76x -> 0.86-0.96x of curl in the runs that day, depending also on how often memory is trimmed, see goal 2). What is left is md5 (about 0.8 s of the uploader's 1.6 s of CPU for 512 MiB, in a profile) and garbage collection (about 0.3 s). The whole action's PUT also pays for the bundle's start-up work running beside it, and on 2 cores the test server (which hashes and writes every byte) competes with it. Rounds vary on this machine: before the server's files moved to /dev/shm, curl's own time ranged 1.2-2.5 s in one run.",
    '',
    '**What was tried before** (src/upload.ts path, 256 MiB, in its own process, 2 rounds each):',
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
    "**What limits it.** The base, not the upload. Node 24 alone is 43 MB. Loading dist/index.js (3.1 MB) brings the process to about 88 MB before its first request: undici alone adds about 28 MB when loaded (measured with `require('undici')`), and @actions/core loads it in every run through @actions/http-client, so even an action without its own HTTP client would pay it; @actions/github (Octokit), ajv, yaml, markdown-it and sanitize-html (with postcss) make up most of the rest. A publish's own work (compiling the metadata schema, the GitHub and Zenodo requests) brings it to about 115 MB. The upload adds about 30 MB, the spent read buffers of up to 32 MiB between two trims (below), the same for every size.",
    '',
    "**What was done** (2026-11-23, same machine): the bundle held three copies of undici (7.30.2 for HttpClient, two of 6.29.1 under @actions/core and @actions/github): HttpClient now uses the 6.x those bring, one copy (bundle 4.9 -> 3.1 MB). The bundle held a few hundred characters above U+00FF (in comments and messages of dependencies), which made V8 keep its whole source as UTF-16: the build now escapes them (scripts/latin1-bundle.mjs). Spent read buffers were returned only when V8 collected their wrappers, rarely: src/memory.ts runs a minor collection every 32 MiB uploaded (and a full one every 16th time, for chunks promoted while in flight; every 8 MiB gave a peak about 20 MB lower, 121-128 MB, but cost about 5% of upload throughput), taking the gc function from `v8.setFlagsFromString('--expose-gc')` and a fresh vm context since an action cannot pass node flags. Peak RSS went from 157-185 MB (spread 17.6 MB) to the figures above.",
    '',
    '**Not done.** Loading @actions/github, markdown-it and sanitize-html only when needed would save their share only in runs that need neither (almost every release has notes and needs the release and contributors). Dropping undici for node:http would not remove it, since @actions/core loads it anyway.',
    ''
  ],
  archive: [
    '**What limits it.** Per-file overhead on the 20,000 small files: for each member the action opens, fstats, reads and closes it through the libuv thread pool (each a round trip of the event loop), hashes it twice (md5 and sha256 for the manifest) and logs a debug line (`core.debug` per member: about 0.4 s of writes for 20,000 files in a profile of the earlier archiver-based version). zip does the same work in one thread with plain system calls. On the large files the action is not slower: it stores the .gz member instead of deflating it again.',
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
