/**
 * Small numeric helpers of the benchmark: medians, ratios, alternating rounds, and the
 * formatting of bytes, times and rates for BENCHMARKS.md.
 */

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** One compared command: a name and a function that runs it once and returns its sample. */
export interface Variant<S> {
  name: string
  run: (round: number) => Promise<S>
  /** Runs only in the first `rounds` rounds (default: all of them). */
  rounds?: number
}

/** A run that threw: which variant, which round, and the first lines of the error. */
export interface Failure {
  variant: string
  round: number
  message: string
}

/**
 * Runs every variant once per round, rotating the order each round (ABC, BCA, CAB, ...) so
 * that no variant always runs first (cold) or last (after the others warmed the caches).
 * A run that throws is recorded as a failure and the rounds go on (a flaky failure is a
 * finding, not a reason to lose the other figures); all failing is thrown. A variant with its
 * own `rounds` sits out the rounds after those (the others keep rotating).
 */
export async function alternate<S>(
  rounds: number,
  variants: Variant<S>[],
  log: (line: string) => void
): Promise<{ samples: Record<string, S[]>; failures: Failure[] }> {
  const samples: Record<string, S[]> = Object.fromEntries(variants.map(v => [v.name, []]))
  const failures: Failure[] = []
  let runs = 0
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(round + k) % variants.length]
      if (v.rounds !== undefined && round >= v.rounds) continue
      runs++
      try {
        const sample = await v.run(round)
        samples[v.name].push(sample)
        log(`  round ${String(round + 1)}/${String(rounds)} ${v.name}: ${JSON.stringify(sample)}`)
      } catch (e) {
        const message = errorSummary(e)
        failures.push({ variant: v.name, round: round + 1, message })
        log(`  round ${String(round + 1)}/${String(rounds)} ${v.name} FAILED: ${message}`)
      }
    }
  }
  if (runs > 0 && failures.length === runs) {
    throw new Error(`every run failed; the first: ${failures[0].message}`)
  }
  return { samples, failures }
}

/** The error's message without the action's log: its ::error:: line when there is one. */
function errorSummary(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  const errorLine = /^::error[^:]*::(.*)$/m.exec(text)?.[1]
  const first = text.split('\n')[0]
  return errorLine ? `${first} ${errorLine}` : first
}

/** Markdown lines listing failed runs (none when every run succeeded). */
export function failureLines(failures: Failure[]): string[] {
  if (failures.length === 0) return []
  return [
    `**${String(failures.length)} run(s) failed** and are left out of the medians:`,
    '',
    ...failures.map(f => `- round ${String(f.round)}, ${f.variant}: ${f.message.slice(0, 400)}`),
    ''
  ]
}

/** "512 MiB", "1.50 GiB", "900 B". */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = n
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const text = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(2)
  return `${text} ${units[unit]}`
}

/** Decimal megabytes (10^6), the unit of RSS goals. */
export function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`
}

/** Megabytes per second (MiB/s), from bytes and milliseconds. */
export function rate(byteCount: number, ms: number): string {
  return `${(byteCount / 1024 ** 2 / (ms / 1000)).toFixed(0)} MiB/s`
}

/** "1234 ms" under 10 s, "12.3 s" above. */
export function ms(value: number): string {
  return value < 10_000 ? `${String(Math.round(value))} ms` : `${(value / 1000).toFixed(1)} s`
}

/** "0.97x" */
export function ratio(value: number): string {
  return `${value.toFixed(2)}x`
}

/** "met" or "**missed**". */
export function verdict(met: boolean): string {
  return met ? 'met' : '**missed**'
}

/** "; 2 of 9 runs failed" (empty when none did), for the summary table. */
export function failedNote(failures: Failure[], runs: number): string {
  return failures.length ? `; **${String(failures.length)} of ${String(runs)} runs failed**` : ''
}
