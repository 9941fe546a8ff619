/**
 * A strict JSON scanner that says where and why a text is not JSON, in words a researcher
 * understands ("trailing comma", "missing comma", "invalid escape \'"), and finds what JSON.parse
 * hides: duplicate keys (only the last value survives) and where each top-level key sits.
 */

/** A JSON syntax error: 0-based offset into the text, what is wrong and how to fix it. */
export interface JsonSyntaxError {
  offset: number
  message: string
  fix: string
}

/** Where a top-level key and its value sit in the text (0-based offsets, end exclusive). */
export interface KeySpan {
  keyOffset: number
  valueStart: number
  valueEnd: number
}

/** A key that occurs more than once in the same object. */
export interface DuplicateKey {
  /** Path of the repeated field, e.g. "related_identifiers[0].identifier". */
  path: string
  offset: number
}

/** The result of scanning: a syntax error, or where things are. */
export interface JsonScan {
  error?: JsonSyntaxError
  duplicates: DuplicateKey[]
  topLevel: Map<string, KeySpan>
  /** Field path ("creators[2].orcid", "creators[2]") -> offset of its key or list element. */
  paths: Map<string, number>
}

const MAX_DEPTH = 500
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

class ScanError extends Error {
  constructor(
    readonly offset: number,
    readonly fix: string,
    message: string
  ) {
    super(message)
  }
}

function describe(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the file'
  if (ch === '\n' || ch === '\r') return 'a line break'
  return `"${ch}"`
}

/** Scan a JSON text (BOM already removed). */
export function scanJson(text: string): JsonScan {
  const scanner = new Scanner(text)
  try {
    scanner.document()
    return { duplicates: scanner.duplicates, topLevel: scanner.topLevel, paths: scanner.paths }
  } catch (error) {
    if (!(error instanceof ScanError)) throw error
    return {
      error: { offset: error.offset, message: error.message, fix: error.fix },
      duplicates: scanner.duplicates,
      topLevel: scanner.topLevel,
      paths: scanner.paths
    }
  }
}

class Scanner {
  pos = 0
  readonly duplicates: DuplicateKey[] = []
  readonly topLevel = new Map<string, KeySpan>()
  readonly paths = new Map<string, number>()

  constructor(private readonly text: string) {}

  document(): void {
    this.skipSpace()
    if (this.pos >= this.text.length) {
      throw new ScanError(0, 'write a JSON object such as {"title": "..."}', 'the file is empty')
    }
    const start = this.pos
    this.value('', 0)
    this.skipSpace()
    if (this.pos < this.text.length) {
      if (this.text[start] === '"' && this.text[this.pos] === ':') {
        throw new ScanError(
          start,
          'add "{" at the start of the file (and "}" at its end)',
          'the file does not start with "{": a key appears outside any object'
        )
      }
      throw new ScanError(
        this.pos,
        'remove the text after the final "}" or merge it into the object',
        `unexpected ${describe(this.text[this.pos])} after the end of the JSON value`
      )
    }
  }

  private skipSpace(): void {
    for (;;) {
      const ch = this.text[this.pos]
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        this.pos++
      } else if (
        ch === '/' &&
        (this.text[this.pos + 1] === '/' || this.text[this.pos + 1] === '*')
      ) {
        throw new ScanError(
          this.pos,
          'remove the comment (JSON has no comments)',
          'comments are not allowed in JSON'
        )
      } else {
        return
      }
    }
  }

  private value(path: string, depth: number): void {
    if (depth > MAX_DEPTH) {
      throw new ScanError(this.pos, 'flatten the structure', 'the JSON is nested too deeply')
    }
    const ch = this.text[this.pos]
    if (ch === '{') return this.object(path, depth)
    if (ch === '[') return this.array(path, depth)
    if (ch === '"') return void this.string()
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number()
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length
        return
      }
    }
    if (ch === "'") {
      throw new ScanError(
        this.pos,
        'use double quotes (") around strings',
        'strings must be in double quotes, not single quotes'
      )
    }
    if (ch === undefined) {
      throw new ScanError(
        this.pos,
        'complete the JSON: check that every "{" and "[" is closed',
        'the file ends where a value was expected'
      )
    }
    throw new ScanError(
      this.pos,
      'write a string in double quotes, a number, true, false, null, an object or an array',
      `unexpected ${describe(ch)} where a value was expected`
    )
  }

  private object(path: string, depth: number): void {
    this.pos++ // {
    const seen = new Set<string>()
    this.skipSpace()
    if (this.text[this.pos] === '}') {
      this.pos++
      return
    }
    for (;;) {
      this.skipSpace()
      const ch = this.text[this.pos]
      if (ch === '}') {
        throw new ScanError(
          this.pos,
          'remove the comma after the last entry of the object',
          'trailing comma before "}"'
        )
      }
      if (ch !== '"') {
        if (ch === undefined) {
          throw new ScanError(this.pos, 'add the missing "}"', 'the file ends inside an object')
        }
        throw new ScanError(
          this.pos,
          'put every key in double quotes, e.g. "title": "..."',
          `expected a key in double quotes but found ${describe(ch)}`
        )
      }
      const keyOffset = this.pos
      const key = this.string()
      const childPath = path === '' ? key : `${path}.${key}`
      if (seen.has(key)) this.duplicates.push({ path: childPath, offset: keyOffset })
      this.paths.set(childPath, keyOffset)
      seen.add(key)
      this.skipSpace()
      if (this.text[this.pos] !== ':') {
        if (key === '' && /[A-Za-z_]/.test(this.text[this.pos] ?? '')) {
          throw new ScanError(
            keyOffset,
            'remove the extra double quote before the key',
            'a doubled quote ("") before a key'
          )
        }
        throw new ScanError(
          this.pos,
          `write a ":" between the key "${key}" and its value (and check for a stray or doubled quote)`,
          `expected ":" after the key "${key}" but found ${describe(this.text[this.pos])}`
        )
      }
      this.pos++
      this.skipSpace()
      const valueStart = this.pos
      this.value(childPath, depth + 1)
      if (depth === 0) this.topLevel.set(key, { keyOffset, valueStart, valueEnd: this.pos })
      this.skipSpace()
      const next = this.text[this.pos]
      if (next === ',') {
        this.pos++
        continue
      }
      if (next === '}') {
        this.pos++
        return
      }
      if (next === '"') {
        throw new ScanError(
          this.pos,
          'add a comma after the previous value',
          'missing comma between two entries of an object'
        )
      }
      if (next === undefined) {
        throw new ScanError(this.pos, 'add the missing "}"', 'the file ends inside an object')
      }
      throw new ScanError(
        this.pos,
        'add a comma between entries, or close the object with "}"',
        `expected "," or "}" after the value of "${key}" but found ${describe(next)}`
      )
    }
  }

  private array(path: string, depth: number): void {
    this.pos++ // [
    this.skipSpace()
    if (this.text[this.pos] === ']') {
      this.pos++
      return
    }
    for (let index = 0; ; index++) {
      this.skipSpace()
      if (this.text[this.pos] === ']') {
        throw new ScanError(
          this.pos,
          'remove the comma after the last element of the list',
          'trailing comma before "]"'
        )
      }
      this.paths.set(`${path}[${index}]`, this.pos)
      this.value(`${path}[${index}]`, depth + 1)
      this.skipSpace()
      const next = this.text[this.pos]
      if (next === ',') {
        this.pos++
        continue
      }
      if (next === ']') {
        this.pos++
        return
      }
      if (next === '{' || next === '"' || next === '[') {
        throw new ScanError(
          this.pos,
          'add a comma after the previous element',
          'missing comma between two elements of a list'
        )
      }
      if (next === undefined) {
        throw new ScanError(this.pos, 'add the missing "]"', 'the file ends inside a list')
      }
      throw new ScanError(
        this.pos,
        'add a comma between elements, or close the list with "]"',
        `expected "," or "]" in a list but found ${describe(next)}`
      )
    }
  }

  private string(): string {
    const start = this.pos
    this.pos++ // opening quote
    let out = ''
    for (;;) {
      const ch = this.text[this.pos]
      if (ch === undefined) {
        throw new ScanError(
          start,
          'close the string with a double quote (")',
          'this string is never closed'
        )
      }
      if (ch === '"') {
        this.pos++
        return out
      }
      if (ch === '\\') {
        const esc = this.text[this.pos + 1]
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            throw new ScanError(
              this.pos,
              'write \\u followed by four hexadecimal digits',
              'invalid \\u escape'
            )
          }
          out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16))
          this.pos += 6
          continue
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) {
          const shown = esc === undefined ? '\\' : `\\${esc}`
          throw new ScanError(
            this.pos,
            esc === "'"
              ? `write ' without the backslash (a single quote needs no escape in JSON)`
              : 'remove the backslash, or write \\\\ for a literal backslash',
            `invalid escape ${shown} in a string`
          )
        }
        out += esc
        this.pos += 2
        continue
      }
      if (ch < ' ') {
        throw new ScanError(
          this.pos,
          ch === '\n' || ch === '\r'
            ? 'close the string before the end of the line (is a closing " missing?), or write \\n for a line break'
            : 'write the character as an escape such as \\t',
          ch === '\n' || ch === '\r'
            ? 'a line break inside a string (is a closing quote missing?)'
            : 'a control character (e.g. a tab) inside a string'
        )
      }
      out += ch
      this.pos++
    }
  }

  private number(): void {
    NUMBER.lastIndex = this.pos
    const match = NUMBER.exec(this.text)
    if (!match) {
      throw new ScanError(this.pos, 'write a valid number, or quote the value', 'invalid number')
    }
    this.pos += match[0].length
  }
}

/** A 1-based line and column in a file. */
export interface Position {
  line: number
  column: number
}

/** A function giving the line and column of an offset, fast for many lookups in one text. */
export function positionFinder(text: string): (offset: number) => Position {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1)
  return offset => {
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (starts[mid] <= offset) low = mid
      else high = mid - 1
    }
    return { line: low + 1, column: offset - starts[low] + 1 }
  }
}
