/**
 * What limits a missed goal and what was tried, found while this benchmark was written
 * (2026-11-23, same machine, with experiments on src/ as it was then). Printed under a goal
 * only when the run missed it; the run's own figures are the ones in the tables above them.
 */
import type { Suite } from './options.js'

const NOTES: Partial<Record<Suite, string[]>> = {
  upload: [
    "**What limits it.** The action's uploader does work curl does not: it computes the md5 of every byte (the action's check against Zenodo's checksum) on the event loop, in the same thread that reads the file and writes the socket. md5 alone runs at about 660 MiB/s on this CPU (777 ms for 512 MiB in memory); see the CPU column above for what each tool spent. On 2 cores shared with the test server (which also hashes and writes every byte), the uploader's CPU is the limit. A CPU profile of the uploader (512 MiB) showed md5 about 650 ms, garbage collection about 580 ms, and fs reads with the default 64 KiB chunks about 870 ms of main-thread time.",
    '',
    '**What was tried** (src/upload.ts path, 256 MiB, in its own process, 2 rounds each):',
    '',
    '| variant | wall | CPU | RSS growth during the upload |',
    '| --- | ---: | ---: | ---: |',
    '| as is (64 KiB reads) | 1.26-1.29 s | 1120-1180 ms | 65-66 MB |',
    '| 1 MiB reads | 0.99-1.15 s | 820-1000 ms | 70-71 MB |',
    '| 256 KiB reads + a minor GC every 20 ms | 0.89-0.96 s | 705-727 ms | 11-12 MB |',
    '| 1 MiB reads + a minor GC every 20 ms | 0.94-0.98 s | 643-652 ms | 19-22 MB |',
    '| node --max-semi-space-size=1 (64 KiB reads) | 0.72-1.05 s | 656-754 ms | 17-21 MB |',
    '',
    "Reading in larger chunks and collecting the young generation more often cut the uploader's CPU by about 40%. What is left is md5 itself: moving it to a worker thread would use the second core, on a machine where the server is not on it.",
    ''
  ],
  rss: [
    "**What limits it.** Two things. (1) A fixed base of about 125 MB before any upload: node itself is 43 MB; loading dist/index.js (4 MB, which bundles undici three times: 7.30.2 for the action's HttpClient, and two copies of 6.29.1, under @actions/http-client and @actions/github) and running a 1 KiB publish brings it to 125-127 MB (JS heap 35 MB, external 13 MB of which the script source is 12 MB: the bundle holds a few non-Latin-1 characters, so V8 keeps its 4 MB source as UTF-16). (2) About 45-65 MB more while a file of 64 MiB or more is uploaded, reached early and then about flat (it does not grow with the file): it is garbage, not a leak. Each 64 KiB read allocates a new Buffer whose memory is only returned when V8 collects its small wrapper in the young generation, which it does rarely.",
    '',
    "**What was tried.** A full GC every 50 ms during the upload: growth 66 -> 8 MB (so it is garbage). `node --max-semi-space-size=1`: a 512 MiB publish peaks at 128.5 MB instead of 187.8 MB, and is faster; but a node action cannot pass node flags, and `v8.setFlagsFromString` for it at run time has no effect (measured). Without flags: `v8.setFlagsFromString('--expose-gc')` then `vm.runInNewContext('gc')` gives the gc function, and a minor GC (`gc({ type: 'minor' })`) every 20 ms while uploading cut the growth from 66 to 11 MB, and with 256 KiB reads the CPU by about 40% (table under goal 1; a timer stands in for \"every 16 MiB sent\", which is what src/ would do). Reaching 100 MB also needs the base down: one undici in the bundle (an npm override to one version, or HttpClient on the undici @actions/* already bring), and loading what only some runs need (markdown-it and sanitize-html for release notes, @actions/github for contributors) with import() when it is needed.",
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
