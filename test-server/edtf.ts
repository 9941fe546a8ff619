/**
 * EDTF as InvenioRDM's EDTFDateString takes it (marshmallow-utils fields/edtfdatestring.py):
 * python-edtf's parse_edtf must give a Date or an Interval, and an interval must not end before
 * it starts. Dates of levels 0-2: a year (optionally negative, X for unspecified digits, or a
 * long Y-year), a month or a season (21-41), a day the month has in EDTF's grammar (February
 * always up to 29), the qualifiers ? ~ % on any part; intervals of two such dates, either end
 * open ("..") or unknown (empty). The test server's own reading, independent of src/.
 */
const Q = '[?~%]?'
const DATE = new RegExp(
  `^(?:Y-?\\d{5,}|${Q}(-?\\d{4}|\\d{3}X|\\d{2}XX|\\dXXX|XXXX)${Q}(?:-${Q}(\\d\\d|XX)${Q}(?:-${Q}(\\d\\d|XX)${Q})?)?)$`
)
const MONTH_DAYS: Record<number, number> = { 2: 29, 4: 30, 6: 30, 9: 30, 11: 30 }

/** [first, last] day as YYYY-MM-DD when fully specified; null when a date but not comparable. */
function parseDate(s: string): [string, string] | null | undefined {
  const m = DATE.exec(s)
  if (!m) return undefined
  const [year, month, day] = [m.at(1), m.at(2), m.at(3)]
  if (year === undefined) return null // a long year
  const mo = month === undefined || month === 'XX' ? undefined : Number(month)
  if (mo !== undefined && (mo < 1 || (mo > 12 && mo < 21) || mo > 41)) return undefined
  if (mo !== undefined && mo > 12) return day === undefined ? null : undefined
  if (day !== undefined && day !== 'XX') {
    const d = Number(day)
    if (d < 1 || d > (mo === undefined ? 31 : (MONTH_DAYS[mo] ?? 31))) return undefined
  }
  if (year.startsWith('-') || s.includes('X')) return null
  const mm = month ?? '01'
  const lastMonth = month ?? '12'
  const lastDay = day ?? String(new Date(Date.UTC(Number(year), Number(lastMonth), 0)).getUTCDate())
  return [`${year}-${mm}-${day ?? '01'}`, `${year}-${lastMonth}-${lastDay.padStart(2, '0')}`]
}

/** Whether InvenioRDM takes this string as an EDTF date or interval. */
export function validEdtf(value: unknown): boolean {
  if (typeof value !== 'string') return false
  const parts = value.trim().split('/')
  if (parts.length === 1) return parseDate(parts[0]) !== undefined
  if (parts.length !== 2) return false
  const ends = parts.map(p => (p === '' || p === '..' ? 'open' : parseDate(p)))
  if (ends.includes(undefined) || ends.every(e => e === 'open')) return false
  const [from, to] = ends
  if (!Array.isArray(from) || !Array.isArray(to)) return true
  return from[0] <= to[1]
}
