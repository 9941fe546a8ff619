/**
 * Keeping the resident set small and flat during long uploads. Every chunk read from disk is a
 * fresh Buffer whose memory lives outside the JS heap and is only given back when V8 collects
 * the Buffer's small wrapper, which it does rarely while the heap is quiet: without help the
 * process holds tens of MB of spent chunks (BENCHMARKS.md, goal 2). A minor (young generation)
 * collection every 32 MiB sent returns them at once and takes well under a millisecond; the
 * chunks still in flight at that moment are promoted to the old generation, so every 16th
 * collection is a full one (a few ms on the action's small heap). A JavaScript action cannot pass node flags, so the gc function is taken
 * by setting --expose-gc at run time and reading it from a fresh context; where that is not
 * possible this does nothing.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Gc = (options?: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void

let gc: Gc | null | undefined

function gcFunction(): Gc | null {
  if (gc !== undefined) return gc
  try {
    setFlagsFromString('--expose-gc')
    const found = runInNewContext('typeof gc === "function" ? gc : null') as Gc | null
    gc = found
  } catch {
    gc = null
  }
  return gc
}

/**
 * Bytes between two minor collections: every 8 MiB kept the peak about 20 MB lower but cost
 * about 5% of upload throughput; 32 MiB keeps it flat (BENCHMARKS.md, goals 1 and 2).
 */
export const TRIM_EVERY_BYTES = 32 * 1024 * 1024
/** Minor collections between two full ones (chunks still in flight at a minor one are promoted). */
const MINOR_PER_MAJOR = 16

/**
 * Returns a function to call with the running count of bytes sent; it runs a minor collection
 * each time another TRIM_EVERY_BYTES have gone by.
 */
export function memoryTrimmer(every = TRIM_EVERY_BYTES): (bytesSent: number) => void {
  let next = every
  let minors = 0
  return bytesSent => {
    if (bytesSent < next) return
    next = bytesSent + every
    minors++
    gcFunction()?.({ type: minors % MINOR_PER_MAJOR === 0 ? 'major' : 'minor' })
  }
}

/** Whether collections can be triggered in this process (for tests and the benchmark). */
export function canTrimMemory(): boolean {
  return gcFunction() !== null
}
