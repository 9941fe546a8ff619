/** "Did you mean" suggestions for misspelled keys and vocabulary values. */

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
      }
    }
  }
  return d[rows - 1][cols - 1]
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[\s_-]+/g, '')
}

/**
 * The candidate closest to `value` (case, spaces, "-" and "_" ignored), if it is close enough to
 * be a likely typo: at most 1 edit for short words, 2 for longer ones, or a singular/plural.
 */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  const v = squash(value)
  if (v.length === 0) return undefined
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const c = squash(candidate)
    const distance = v === c ? 0 : editDistance(v, c)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  const allowed = v.length <= 4 ? 1 : v.length <= 8 ? 2 : 3
  return bestDistance <= allowed ? best : undefined
}
