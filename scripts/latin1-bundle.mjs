/**
 * Post-build step: rewrites every character above U+00FF in dist/index.js as a \uXXXX escape.
 * V8 keeps a script whose characters all fit in Latin-1 as one byte per character, and any
 * other script as UTF-16: for a 3 MB bundle that is 3 MB of memory saved for every run (see
 * BENCHMARKS.md, goal 2). The escapes mean the same in strings, templates, regular expressions,
 * identifiers and comments; String.raw would see them, so the build fails if the bundle uses it
 * near such a character.
 */
import { readFileSync, writeFileSync } from 'node:fs'

const file = process.argv[2] ?? 'dist/index.js'
const source = readFileSync(file, 'utf8')
if (/String\.raw/.test(source) && /[\u0100-\uffff]/.test(source)) {
  console.error(`${file} uses String.raw: escaping its non-Latin-1 characters could change it`)
  process.exit(1)
}
let count = 0
const escaped = source.replace(/[\u0100-\uffff]/g, ch => {
  count++
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
})
writeFileSync(file, escaped)
console.log(`${file}: ${count} characters above U+00FF escaped`)
