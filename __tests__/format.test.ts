/** Sizes in log lines, the summary's table and limit errors. */
import { formatProblem } from '../src/errors.js'
import { formatBytes, hasControlChars, logSafe, logSafeLine } from '../src/format.js'

test('file sizes use binary units with one decimal below 100', () => {
  expect(formatBytes(900)).toBe('900 B')
  expect(formatBytes(1536)).toBe('1.5 KiB')
  expect(formatBytes(512 * 1024 * 1024)).toBe('512 MiB')
  expect(formatBytes(2 * 1024 ** 3)).toBe('2 GiB')
})

test("Zenodo's limits use decimal units, as Zenodo states them", () => {
  expect(formatBytes(50e9, { decimal: true })).toBe('50 GB')
  expect(formatBytes(1_250_000, { decimal: true })).toBe('1.25 MB')
  expect(formatBytes(999, { decimal: true })).toBe('999 bytes')
})

describe('logSafe: outside text in a log line', () => {
  test('control characters become visible escapes, so the text stays on one line', () => {
    expect(logSafe('x\n::error title=INJECTED::y')).toBe('x\\n::error title=INJECTED::y')
    expect(logSafe('a\r\nb\tc\u001bd\u0085e\u2028f')).toBe('a\\r\\nb\\tc\\u001bd\\u0085e\\u2028f')
  })
  test('the legacy "##[" command form is broken up', () => {
    expect(logSafe('name ##[error]x')).toBe('name ##\\[error]x')
  })
  test('ordinary names are left as they are', () => {
    expect(logSafe('tool-1.0 (linux) ünïcode.tar.gz')).toBe('tool-1.0 (linux) ünïcode.tar.gz')
  })
  test('logSafeLine also escapes a leading "::"', () => {
    expect(logSafeLine('::stop-commands::x')).toBe(':\\:stop-commands::x')
    expect(logSafeLine('  ::warning::x')).toBe('  :\\:warning::x')
  })
  test('hasControlChars finds what logSafe would escape', () => {
    expect(hasControlChars('a\nb')).toBe(true)
    expect(hasControlChars('a\u007fb')).toBe(true)
    expect(hasControlChars('a b.txt')).toBe(false)
  })
})

test('a problem is formatted on one line, whatever the user wrote in its field', () => {
  const line = formatProblem({
    severity: 'error',
    file: '.zenodo.json',
    field: 'keywords\n::error title=INJECTED::x',
    message: 'is not a list',
    fix: 'write a list'
  })
  expect(line).toBe(
    '.zenodo.json: keywords\\n::error title=INJECTED::x: is not a list. Fix: write a list'
  )
})
