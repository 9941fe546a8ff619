/**
 * Reading a JSON text tolerantly with jsonc-parser: every syntax error in plain words a
 * researcher understands ("trailing comma", "missing comma", "invalid escape \'"), each with its
 * offset, and the value recovered around the errors, so that one run can report the syntax
 * errors and the problems of the fields as well. Also finds what JSON.parse hides: duplicate
 * keys (only the last value survives) and where each field sits.
 */
import { parse, visit, type ParseErrorCode } from 'jsonc-parser'
import type { Problem } from '../errors.js'

/** jsonc-parser's ParseErrorCode values (a const enum, which isolatedModules cannot read). */
const CODE = {
  InvalidSymbol: 1,
  InvalidNumberFormat: 2,
  PropertyNameExpected: 3,
  ValueExpected: 4,
  ColonExpected: 5,
  CommaExpected: 6,
  CloseBraceExpected: 7,
  CloseBracketExpected: 8,
  EndOfFileExpected: 9,
  InvalidCommentToken: 10,
  UnexpectedEndOfComment: 11,
  UnexpectedEndOfString: 12,
  UnexpectedEndOfNumber: 13,
  InvalidUnicode: 14,
  InvalidEscapeCharacter: 15,
  InvalidCharacter: 16
} as const

/** A JSON syntax error: 0-based offset into the text, what is wrong and how to fix it. */
export interface JsonSyntaxError {
  offset: number
  message: string
  fix: string
  /**
   * Whether the recovered value can be trusted around this error: true for a trailing comma, a
   * missing comma, a comment or a bad escape (the parser reads on exactly as intended); false
   * when the rest of the text may be misread (an unclosed string, a stray character).
   */
  recoverable: boolean
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

/** The result of scanning: syntax errors, the recovered value, and where things are. */
export interface JsonScan {
  /** Syntax errors in text order; empty when the text is JSON. */
  errors: JsonSyntaxError[]
  /** The value read, recovered around syntax errors (undefined for an empty text). */
  value: unknown
  duplicates: DuplicateKey[]
  topLevel: Map<string, KeySpan>
  /** Field path ("creators[2].orcid", "creators[2]") -> offset of its key or list element. */
  paths: Map<string, number>
}

const MAX_DEPTH = 500

function describe(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the file'
  if (ch === '\n' || ch === '\r') return 'a line break'
  return `"${ch}"`
}

interface Frame {
  kind: 'object' | 'array'
  path: string
  keys: Set<string>
  index: number
  /** The path of the value that follows the last key read (objects). */
  pending: string
  lastKey: string
  lastKeyOffset: number
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Scan a JSON text (BOM already removed). Linear in the length of the text. */
export function scanJson(text: string): JsonScan {
  const duplicates: DuplicateKey[] = []
  const topLevel = new Map<string, KeySpan>()
  const paths = new Map<string, number>()
  const errors: JsonSyntaxError[] = []
  const stack: Frame[] = []
  let firstValueOffset: number | undefined
  let firstValueIsString = false
  let tooDeep = false

  const valuePath = (offset: number): string => {
    const top = stack.at(-1)
    if (top === undefined) {
      firstValueOffset ??= offset
      return ''
    }
    if (top.kind === 'array') {
      const path = `${top.path}[${String(top.index)}]`
      top.index++
      paths.set(path, offset)
      return path
    }
    return top.pending
  }
  const endTopLevel = (end: number): void => {
    if (stack.length !== 1) return
    const top = stack[0]
    const span = topLevel.get(top.lastKey)
    if (top.kind === 'object' && span && span.keyOffset === top.lastKeyOffset) span.valueEnd = end
  }
  const begin = (kind: Frame['kind'], offset: number): void => {
    const path = valuePath(offset)
    if (stack.length === 1) {
      const span = topLevel.get(stack[0].lastKey)
      if (span && span.keyOffset === stack[0].lastKeyOffset) span.valueStart = offset
    }
    if (stack.length >= MAX_DEPTH && !tooDeep) {
      tooDeep = true
      errors.push({
        offset,
        message: 'the JSON is nested too deeply',
        fix: 'flatten the structure',
        recoverable: false
      })
    }
    stack.push({
      kind,
      path,
      keys: new Set(),
      index: 0,
      pending: '',
      lastKey: '',
      lastKeyOffset: -1
    })
  }
  const end = (offset: number, length: number): void => {
    stack.pop()
    endTopLevel(offset + length)
  }

  visit(
    text,
    {
      onObjectBegin: offset => {
        begin('object', offset)
      },
      onArrayBegin: offset => {
        begin('array', offset)
      },
      onObjectEnd: end,
      onArrayEnd: end,
      onObjectProperty: (key, offset) => {
        const top = stack.at(-1)
        if (top?.kind !== 'object') return
        const path = child(top.path, key)
        if (top.keys.has(key)) duplicates.push({ path, offset })
        top.keys.add(key)
        top.pending = path
        top.lastKey = key
        top.lastKeyOffset = offset
        paths.set(path, offset)
        if (stack.length === 1) {
          topLevel.set(key, { keyOffset: offset, valueStart: offset, valueEnd: offset })
        }
      },
      onLiteralValue: (_value, offset, length) => {
        if (stack.length === 0 && firstValueOffset === undefined) {
          firstValueIsString = text[offset] === '"'
        }
        valuePath(offset)
        if (stack.length === 1) {
          const top = stack[0]
          const span = topLevel.get(top.lastKey)
          if (top.kind === 'object' && span && span.keyOffset === top.lastKeyOffset) {
            span.valueStart = offset
            span.valueEnd = offset + length
          }
        }
      },
      onError: (code, offset, length) => {
        const top = stack.at(-1)
        const error = explain(text, code, offset, length, {
          inArray: top?.kind === 'array',
          lastKey: top?.lastKey,
          lastKeyOffset: top?.lastKeyOffset,
          firstValueOffset,
          firstValueIsString
        })
        // jsonc-parser may report one mistake twice at the same place (e.g. a trailing comma
        // as "property name expected" and "value expected"): keep the first.
        if (error && errors.at(-1)?.offset !== error.offset) errors.push(error)
      }
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false }
  )

  const value: unknown = parse(text, [], {
    disallowComments: false,
    allowTrailingComma: true,
    allowEmptyContent: true
  })
  if (errors.length === 0) {
    // jsonc-parser is a little more lenient than JSON (e.g. Unicode spaces between tokens);
    // JSON.parse has the last word on whether the text is JSON.
    try {
      JSON.parse(text)
    } catch (error) {
      const at = /position (\d+)/.exec((error as Error).message)
      errors.push({
        offset: at ? Number(at[1]) : 0,
        message: `this is not valid JSON (${(error as Error).message})`,
        fix: 'check the character at this position: JSON allows only spaces, tabs and line breaks between values',
        recoverable: false
      })
    }
  }
  return { errors, value, duplicates, topLevel, paths }
}

interface ErrorContext {
  inArray: boolean
  lastKey: string | undefined
  lastKeyOffset: number | undefined
  firstValueOffset: number | undefined
  firstValueIsString: boolean
}

/** A jsonc-parser error code at an offset, in plain words with a fix. */
function explain(
  text: string,
  code: ParseErrorCode,
  offset: number,
  length: number,
  context: ErrorContext
): JsonSyntaxError | undefined {
  const ch = text[offset] as string | undefined
  const soft = (message: string, fix: string, at = offset): JsonSyntaxError => ({
    offset: at,
    message,
    fix,
    recoverable: true
  })
  const hard = (message: string, fix: string, at = offset): JsonSyntaxError => ({
    offset: at,
    message,
    fix,
    recoverable: false
  })
  switch (code as number) {
    case CODE.InvalidCommentToken:
      return soft('comments are not allowed in JSON', 'remove the comment (JSON has no comments)')
    case CODE.CommaExpected:
      return context.inArray
        ? soft(
            'missing comma between two elements of a list',
            'add a comma after the previous element'
          )
        : soft(
            'missing comma between two entries of an object',
            'add a comma after the previous value'
          )
    case CODE.PropertyNameExpected:
      if (ch === '}') {
        return soft(
          'trailing comma before "}"',
          'remove the comma after the last entry of the object'
        )
      }
      if (ch === "'") {
        return hard(
          'strings must be in double quotes, not single quotes',
          'use double quotes (") around strings'
        )
      }
      return hard(
        `expected a key in double quotes but found ${describe(ch)}`,
        'put every key in double quotes, e.g. "title": "..."'
      )
    case CODE.ValueExpected:
      if (text.trim() === '') {
        return hard('the file is empty', 'write a JSON object such as {"title": "..."}', 0)
      }
      if (ch === ']') {
        return soft(
          'trailing comma before "]"',
          'remove the comma after the last element of the list'
        )
      }
      if (ch === '}') {
        return soft(
          'trailing comma before "}"',
          'remove the comma after the last entry of the object'
        )
      }
      if (ch === ',') {
        return soft('two commas in a row', 'remove one of the commas')
      }
      if (ch === "'") {
        return hard(
          'strings must be in double quotes, not single quotes',
          'use double quotes (") around strings'
        )
      }
      if (ch === undefined) {
        return hard(
          'the file ends where a value was expected',
          'complete the JSON: check that every "{" and "[" is closed'
        )
      }
      return hard(
        `unexpected ${describe(ch)} where a value was expected`,
        'write a string in double quotes, a number, true, false, null, an object or an array'
      )
    case CODE.ColonExpected: {
      const key = context.lastKey ?? ''
      if (key === '' && /[A-Za-z_]/.test(ch ?? '') && context.lastKeyOffset !== undefined) {
        return hard(
          'a doubled quote ("") before a key',
          'remove the extra double quote before the key',
          context.lastKeyOffset
        )
      }
      return hard(
        `expected ":" after the key "${key}" but found ${describe(ch)}`,
        `write a ":" between the key "${key}" and its value (and check for a stray or doubled quote)`
      )
    }
    case CODE.CloseBraceExpected:
      return ch === undefined
        ? hard('the file ends inside an object', 'add the missing "}"')
        : hard(
            `expected "," or "}" but found ${describe(ch)}`,
            'add a comma between entries, or close the object with "}"'
          )
    case CODE.CloseBracketExpected:
      return ch === undefined
        ? hard('the file ends inside a list', 'add the missing "]"')
        : hard(
            `expected "," or "]" in a list but found ${describe(ch)}`,
            'add a comma between elements, or close the list with "]"'
          )
    case CODE.EndOfFileExpected:
      if (context.firstValueIsString && ch === ':' && context.firstValueOffset !== undefined) {
        return hard(
          'the file does not start with "{": a key appears outside any object',
          'add "{" at the start of the file (and "}" at its end)',
          context.firstValueOffset
        )
      }
      return hard(
        `unexpected ${describe(ch)} after the end of the JSON value`,
        'remove the text after the final "}" or merge it into the object'
      )
    case CODE.InvalidEscapeCharacter: {
      const token = text.slice(offset, offset + length)
      const bad = /\\(?:[^"\\/bfnrtu]|$)/.exec(token)
      const at = offset + (bad?.index ?? 0)
      const esc = text[at + 1] as string | undefined
      return soft(
        `invalid escape ${esc === undefined ? '\\' : `\\${esc}`} in a string`,
        esc === "'"
          ? `write ' without the backslash (a single quote needs no escape in JSON)`
          : 'remove the backslash, or write \\\\ for a literal backslash',
        at
      )
    }
    case CODE.InvalidUnicode: {
      const at = offset + Math.max(0, text.slice(offset, offset + length).search(/\\u/))
      return soft('invalid \\u escape', 'write \\u followed by four hexadecimal digits', at)
    }
    case CODE.UnexpectedEndOfString: {
      const end = offset + length
      return /[\r\n]/.test(text[end] ?? '')
        ? hard(
            'a line break inside a string (is a closing quote missing?)',
            'close the string before the end of the line (is a closing " missing?), or write \\n for a line break',
            end
          )
        : hard('this string is never closed', 'close the string with a double quote (")')
    }
    case CODE.InvalidCharacter: {
      const token = text.slice(offset, offset + length)
      let index = 0
      while (index < token.length && token.charCodeAt(index) >= 0x20) index++
      const at = offset + (index < token.length ? index : 0)
      return soft(
        'a control character (e.g. a tab) inside a string',
        'write the character as an escape such as \\t',
        at
      )
    }
    case CODE.InvalidNumberFormat:
    case CODE.UnexpectedEndOfNumber:
      return hard('invalid number', 'write a valid number, or quote the value')
    case CODE.InvalidSymbol:
      if (context.lastKey === '' && text[offset - 1] === '"' && text[offset - 2] === '"') {
        return hard(
          'a doubled quote ("") before a key',
          'remove the extra double quote before the key',
          offset - 2
        )
      }
      if (ch === "'") {
        return hard(
          'strings must be in double quotes, not single quotes',
          'use double quotes (") around strings'
        )
      }
      return hard(
        `unexpected ${describe(ch)}`,
        'write a string in double quotes, a number, true, false, null, an object or an array'
      )
    default:
      return hard('this is not valid JSON here', 'correct the JSON syntax at this position')
  }
}

/** Field path -> where it is; a field written nowhere (a default) has none. */
export type Positions = Partial<Record<string, Position>>

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

/** A JSON text read for metadata: what could be recovered, every problem, where fields are. */
export interface JsonRead {
  /**
   * The value read, recovered around the syntax errors; undefined when an error leaves the rest
   * of the text open to misreading (an unclosed string, a stray character, an empty text).
   */
  value?: unknown
  /**
   * The syntax errors (severity error), in text order, up to the first one after which the text
   * may be misread; then a warning for each key repeated in one object (JSON keeps the last).
   */
  problems: Problem[]
  /** Field path ("creators[2].orcid") -> its line and column. */
  positions: Positions
  /** The text as read (without a BOM), and its scan, for callers that need key spans. */
  text: string
  scan: JsonScan
  position: (offset: number) => Position
}

/**
 * Read a JSON text of metadata the one way the action reads every one (.zenodo.json, the
 * `metadata` input): a leading BOM dropped, every syntax error named with its line and column
 * under the field "JSON syntax", repeated keys warned about. `source` names the text in problems
 * (".zenodo.json", "the metadata input"); `noun` is how messages call it ("the file ends inside
 * an object", "the input ends inside an object"). The syntax errors are errors: Zenodo reads strict JSON,
 * so nothing the parser recovers from is accepted silently.
 */
export function readJson(text: string, source: string, noun: 'file' | 'input' = 'file'): JsonRead {
  const words = (s: string): string =>
    noun === 'file' ? s : s.replace(/\bthe file\b/g, 'the input')
  const clean = text.replace(/^\uFEFF/, '')
  const scan = scanJson(clean)
  const position = positionFinder(clean)
  // Every syntax error up to the first one after which the text may be misread; the recovered
  // value is kept when every error reported was one the parser reads on from exactly.
  const hard = scan.errors.findIndex(e => !e.recoverable)
  const shown = hard < 0 ? scan.errors : scan.errors.slice(0, hard + 1)
  const problems: Problem[] = shown.map(error => ({
    severity: 'error',
    file: source,
    field: 'JSON syntax',
    message: words(error.message),
    fix: words(error.fix),
    ...position(error.offset)
  }))
  if (hard >= 0) return { problems, positions: {}, text: clean, scan, position }
  for (const d of scan.duplicates) {
    problems.push({
      severity: 'warning',
      file: source,
      field: d.path,
      message: `the key "${d.path.slice(d.path.lastIndexOf('.') + 1)}" appears more than once in the same object; JSON keeps only the last value, so the earlier one is lost`,
      fix: 'remove the repeated key, or split the entry into two objects if both values are wanted',
      ...position(d.offset)
    })
  }
  const positions: Positions = {}
  for (const [path, offset] of scan.paths) positions[path] = position(offset)
  return { value: scan.value, problems, positions, text: clean, scan, position }
}
