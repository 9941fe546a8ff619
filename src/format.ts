/** Sizes for people: binary units ("1.5 GiB") for files, decimal ("50 GB") for Zenodo's limits. */

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
const DECIMAL = ['bytes', 'kB', 'MB', 'GB', 'TB']

/** "512 MiB", "1.5 GiB", "900 B"; with decimal: "50 GB", "1.25 MB", "900 bytes". */
export function formatBytes(bytes: number, opts: { decimal?: boolean } = {}): string {
  const units = opts.decimal ? DECIMAL : BINARY
  const step = opts.decimal ? 1000 : 1024
  let value = bytes
  let unit = 0
  while (value >= step && unit < units.length - 1) {
    value /= step
    unit++
  }
  if (unit === 0) return `${String(bytes)} ${units[0]}`
  if (opts.decimal) return `${String(Number(value.toFixed(2)))} ${units[unit]}`
  const text = value >= 100 ? Math.round(value).toString() : value.toFixed(1)
  return `${text.replace(/\.0$/, '')} ${units[unit]}`
}

/**
 * Text from outside the action (file, archive member and asset names, paths, server messages)
 * made safe to put in a log line: the runner reads every stdout line that starts with `::`
 * (or holds `##[`) as a workflow command, so control characters (newline, CR, escape, ...,
 * U+2028/U+2029 and C1 codes) are written as visible escapes (`\n`, `\u001b`) and `##[` as
 * `##\[`. What remains is one line that never starts a command where it is embedded.
 */
export function logSafe(text: string): string {
  return text.replace(CONTROL_CHARS, escapeControl).replaceAll('##[', '##\\[')
}

/** Like logSafe, for text that may stand at the start of a line: a leading `::` is escaped too. */
export function logSafeLine(text: string): string {
  const safe = logSafe(text)
  return /^\s*::/.test(safe) ? safe.replace('::', ':\\:') : safe
}

/** Whether a name holds a control character (which Zenodo and the runner's log cannot show). */
export function hasControlChars(name: string): boolean {
  return CONTROL_CHAR.test(name)
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const CONTROL_CHARS = new RegExp(CONTROL_CHAR.source, 'g')

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeControl(c: string): string {
  return NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
}
