/** Sizes in log lines, the summary's table and limit errors. */
import { formatBytes } from '../src/format.js'

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
