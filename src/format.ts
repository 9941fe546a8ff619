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
  if (unit === 0) return `${bytes} ${units[0]}`
  if (opts.decimal) return `${Number(value.toFixed(2))} ${units[unit]}`
  const text = value >= 100 ? Math.round(value).toString() : value.toFixed(1)
  return `${text.replace(/\.0$/, '')} ${units[unit]}`
}
