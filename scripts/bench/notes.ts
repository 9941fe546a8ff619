/**
 * What limits a missed goal and what was tried, found while this benchmark was written
 * (2026-11-23, same machine, with experiments on src/ as it was then). Printed under a goal
 * only when the run missed it; the run's own figures are the ones in the tables above them.
 */
import type { Suite } from './options.js'

const NOTES: Partial<Record<Suite, string[]>> = {
  upload: [
    "**What limits it.** Not the CPU: the uploader spends about 1.1 s of CPU on a 512 MiB file (md5 of every byte, reads, the socket), well under its wall time. What made it slow was reading and sending taking turns: with Node's default buffers (64 KiB reads, 16 KiB between streams) the next read only started once the socket had taken the last chunk. Since 2026-11-23 src/zenodo/upload.ts reads 1 MiB at a time and keeps 1 MiB buffered between the file and the socket, so reading ahead overlaps sending (0.76x -> 0.86-0.96x of curl in the runs that day, depending also on how often memory is trimmed, see goal 2). What is left is md5 (about 0.8 s of the uploader's 1.6 s of CPU for 512 MiB, in a profile) and garbage collection (about 0.3 s). The whole action's PUT also pays for the bundle's start-up work running beside it, and on 2 cores the test server (which hashes and writes every byte) competes with it. Rounds vary on this machine: before the server's files moved to /dev/shm, curl's own time ranged 1.2-2.5 s in one run.",
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
    "**What limits it** (the flat goal; the absolute figure is only reported). The spread comes from the upload's spent read buffers: each chunk read from disk is a fresh Buffer whose memory outside the JS heap is given back only when V8 collects its small wrapper, which it does when it chooses. The action streams with bounded buffers (1 MiB reads, 1 MiB between the file and the socket) and does not force collections or set V8 flags: those were removed in issue 10 (src/memory.ts forced minor collections every 32 MiB through `v8.setFlagsFromString('--expose-gc')`, which Node documents as unpredictable after start-up, and the build rewrote the bundle to Latin-1); they chased an absolute figure no user needs.",
    '',
    "**The base.** An empty node process is the baseline in the table. Loading dist/index.js adds its dependencies: undici (loaded by @actions/core through @actions/http-client in every run), @actions/github (Octokit), ajv, yaml, markdown-it and sanitize-html (with postcss); a publish's own work (compiling the metadata schema, the requests) adds a little more.",
    '',
    '**Not done.** Loading @actions/github, markdown-it and sanitize-html only when needed would save their share only in runs that need neither (almost every release has notes and needs the release and contributors). Dropping undici for node:http would not remove it, since @actions/core loads it anyway.',
    ''
  ],
  archive: [
    "**What limits it** (memory with many files; found with --trace-gc while this was written, 2026-11-29). Live memory stays small: a full collection at the end of a 20,000-file build leaves about 25 MB of heap (the member list, the manifest and the zip's central directory records). The peak is garbage that V8 does not collect in time, from two places in archiver's zip writer (zip-stream, compress-commons). First, each zip member is deflated through its own zlib stream; a zlib handle is a native object that only a full collection frees, and through its stream's listeners it keeps the member's entry, its callbacks and its source Buffer alive, so every member's leftovers are promoted out of the young generation and pile up between full collections (a gzipped tar, with one zlib stream for the whole archive, grows far less). Second, at the end zip-stream writes the central directory in one synchronous loop of about 15 small writes per member, all buffered before any reaches the file (about 300,000 small Buffers for 20,000 members). Neither can be changed from outside archiver without the runtime tricks issue 10 removed; what the action does is append members one at a time and read small ones whole (one read, no per-member streams), which took a gzipped tar of 20,000 files from about 345 MB to 212 MB peak in a diagnostic run. Still to try: upstream changes to zip-stream (write the central directory with backpressure, release a member's references when it ends).",
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
