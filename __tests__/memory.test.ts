/**
 * The memory trimmer behind the flat RSS of long uploads: a minor collection each time another
 * TRIM_EVERY_BYTES have been sent, and none in between.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { canTrimMemory, memoryTrimmer } from '../src/memory.js'

/** Collections (minor or full, or only full ones) observed while fn runs. */
async function collections(fn: () => void, onlyFull = false): Promise<number> {
  let count = 0
  const observer = new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind
      const full = kind === constants.NODE_PERFORMANCE_GC_MAJOR
      if (full || (kind === constants.NODE_PERFORMANCE_GC_MINOR && !onlyFull)) count++
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  fn()
  await new Promise(resolve => setTimeout(resolve, 50))
  observer.disconnect()
  return count
}

test('the gc function can be obtained without node flags', () => {
  expect(canTrimMemory()).toBe(true)
})

test('a collection runs each time another step of bytes has been sent', async () => {
  const trim = memoryTrimmer(1000)
  const count = await collections(() => {
    for (let sent = 0; sent <= 20_000; sent += 100) trim(sent)
  })
  expect(count).toBeGreaterThanOrEqual(20)
})

test('calls between steps do not collect (at most the odd collection V8 makes itself)', async () => {
  const trim = memoryTrimmer(1_000_000_000)
  const count = await collections(() => {
    for (let sent = 0; sent < 100_000; sent += 10) trim(sent)
  })
  expect(count).toBeLessThan(3)
})

test('every 16th collection is a full one, for the chunks promoted while in flight', async () => {
  const trim = memoryTrimmer(1000)
  const full = await collections(() => {
    for (let sent = 0; sent <= 32_000; sent += 1000) trim(sent)
  }, true)
  expect(full).toBeGreaterThanOrEqual(2)
})
