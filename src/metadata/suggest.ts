/** "Did you mean" suggestions for misspelled keys and vocabulary values. */

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), computed with
 * three rolling rows: time O(|a|·|b|), memory O(|b|).
 */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1
  let before = new Array<number>(cols).fill(0)
  let previous = Array.from({ length: cols }, (_, j) => j)
  let current = new Array<number>(cols).fill(0)
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, before[j - 2] + 1)
      }
      current[j] = d
    }
    ;[before, previous, current] = [previous, current, before]
  }
  return previous[cols - 1]
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[\s_-]+/g, '')
}

/** Candidates squashed once per list (the lists are module constants). */
const squashed = new WeakMap<readonly string[], string[]>()
/** Answers already given per list, so that the same typo in 20,000 entries costs one search. */
const answers = new WeakMap<readonly string[], Map<string, string | undefined>>()
const MAX_REMEMBERED = 1000

/**
 * The candidate closest to `value` (case, spaces, "-" and "_" ignored), if it is close enough to
 * be a likely typo: at most 1 edit for short words, 2 for longer ones, or a singular/plural.
 * Candidates whose length differs by more than the edits allowed are not compared, so a call
 * costs O(candidates · |value|²) at most.
 */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  const v = squash(value)
  if (v.length === 0) return undefined
  let remembered = answers.get(candidates)
  if (remembered === undefined) {
    remembered = new Map()
    answers.set(candidates, remembered)
  }
  if (remembered.has(v)) return remembered.get(v)
  let list = squashed.get(candidates)
  if (list === undefined) {
    list = candidates.map(squash)
    squashed.set(candidates, list)
  }
  const allowed = v.length <= 4 ? 1 : v.length <= 8 ? 2 : 3
  let best: string | undefined
  let bestDistance = Infinity
  list.forEach((c, index) => {
    if (Math.abs(c.length - v.length) > allowed) return
    const distance = v === c ? 0 : editDistance(v, c)
    if (distance < bestDistance) {
      best = candidates[index]
      bestDistance = distance
    }
  })
  const answer = bestDistance <= allowed ? best : undefined
  if (remembered.size < MAX_REMEMBERED) remembered.set(v, answer)
  return answer
}
