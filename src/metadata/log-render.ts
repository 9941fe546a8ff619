/**
 * Metadata for the debug log, bounded: long strings and lists are cut and the whole rendering is
 * at most a few kilobytes, whatever the metadata holds.
 */

/** Longest string shown whole. */
const MAX_STRING = 200
/** Most list entries shown. */
const MAX_ITEMS = 10
/** Most keys shown of one object. */
const MAX_KEYS = 60
/** Longest rendering. */
export const MAX_RENDERING = 4000

function shorten(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING
      ? `${value.slice(0, MAX_STRING)}... (${String(value.length)} characters)`
      : value
  }
  if (value === null || typeof value !== 'object') return value
  if (depth > 6) return Array.isArray(value) ? '[...]' : '{...}'
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_ITEMS).map(v => shorten(v, depth + 1))
    if (value.length > MAX_ITEMS) shown.push(`... ${String(value.length - MAX_ITEMS)} more`)
    return shown
  }
  const out: Record<string, unknown> = {}
  let count = 0
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    if (count === MAX_KEYS) {
      out['...'] = 'more keys'
      break
    }
    out[key] = shorten((value as Record<string, unknown>)[key], depth + 1)
    count++
  }
  return out
}

/** JSON.stringify, typed as it behaves: undefined (not a string) for undefined, a function or a symbol. */
function jsonText(value: unknown): string | undefined {
  return JSON.stringify(value)
}

/** JSON of the metadata, at most MAX_RENDERING characters, for core.debug. */
export function renderMetadataForLog(metadata: unknown): string {
  const text = jsonText(shorten(metadata, 0)) ?? String(metadata)
  return text.length > MAX_RENDERING
    ? `${text.slice(0, MAX_RENDERING)}... (${String(text.length)} characters in all)`
    : text
}
