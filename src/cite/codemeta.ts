/**
 * codemeta.json citing a DOI: its `identifier` becomes the DOI URL (https://doi.org/<doi>).
 *
 * jsonc-parser's modify/applyEdits change only the bytes of that one property, so key
 * order, indentation, line endings and a BOM stay as the file had them.
 * - no identifier, an empty one, or one that is a DOI (any form): set to the DOI URL;
 * - identifier a list: the DOI URL is appended unless the DOI is already in it;
 * - identifier some other text (a package name, a URL that is not a DOI): kept, and the
 *   property becomes a list [that text, DOI URL], so nothing the person wrote is lost.
 */
import {
  applyEdits,
  findNodeAtLocation,
  getNodeValue,
  modify,
  parseTree,
  printParseErrorCode,
  type Node as JsonNode,
  type ParseError
} from 'jsonc-parser'
import type { Problem } from '../errors.js'

export type CodemetaRewrite =
  { ok: true; text: string; changed: boolean } | { ok: false; problem: Problem }

/** A bare DOI from any common form: 10.x/y, doi:10.x/y, https://doi.org/10.x/y, http://dx.doi.org/10.x/y. */
export function bareDoi(value: string): string | undefined {
  const m = /^\s*(?:doi:\s*|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+?)\s*$/i.exec(value)
  return m?.[1]
}

/** Return codemeta.json text whose `identifier` carries https://doi.org/<doi>. Never throws on bad input. */
export function citeInCodemeta(text: string, doi: string, file = 'codemeta.json'): CodemetaRewrite {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : ''
  const body = bom ? text.slice(1) : text
  const url = `https://doi.org/${doi}`
  const errors: ParseError[] = []
  const root = parseTree(body, errors, { allowTrailingComma: false, disallowComments: true })
  const error = errors.at(0)
  if (error || !root) {
    const { line, column } = position(body, error?.offset ?? 0)
    return {
      ok: false,
      problem: {
        severity: 'warning',
        file,
        field: '(file)',
        message: `is not valid JSON (${error ? printParseErrorCode(error.error) : 'empty'})`,
        fix: 'fix the JSON syntax',
        line,
        column
      }
    }
  }
  if (root.type !== 'object') {
    return {
      ok: false,
      problem: {
        severity: 'warning',
        file,
        field: '(file)',
        message: 'is not a codemeta file: its top level is not a JSON object',
        fix: 'write codemeta.json as one JSON object (https://codemeta.github.io)'
      }
    }
  }

  const current = findNodeAtLocation(root, ['identifier'])
  const value: unknown = current ? (getNodeValue(current) as unknown) : undefined
  const formattingOptions = { ...detectFormatting(body), keepLines: false }
  if (Array.isArray(value)) {
    const present = value.some(v => typeof v === 'string' && sameDoi(v, doi))
    if (present) return { ok: true, text, changed: false }
    // Appended as one more element: the list's other elements keep their bytes.
    const list = current?.type === 'array' ? current : undefined
    const appended = list && appendTo(body, list, JSON.stringify(url), formattingOptions.eol)
    if (appended !== undefined) return done(text, bom + appended)
    const edits = modify(body, ['identifier', value.length], url, {
      formattingOptions,
      isArrayInsertion: true
    })
    return done(text, bom + applyEdits(body, edits))
  }
  let next: unknown
  if (typeof value === 'string' && value === url) {
    return { ok: true, text, changed: false }
  } else if (typeof value === 'string' && value.trim() !== '' && bareDoi(value) === undefined) {
    next = [value, url]
  } else {
    next = url
  }

  if (!current) {
    const appended = appendTo(
      body,
      root,
      `"identifier": ${JSON.stringify(next)}`,
      formattingOptions.eol
    )
    if (appended !== undefined) return done(text, bom + appended)
  }
  const edits = modify(body, ['identifier'], next, { formattingOptions })
  return done(text, bom + applyEdits(body, edits))
}

/**
 * Append an entry after the last one of an object or array, as its siblings are laid out
 * (one per line at their indentation, or inline). Undefined for an empty container.
 * jsonc-parser's own formatting would re-indent the previous sibling's line too.
 */
function appendTo(
  body: string,
  container: JsonNode,
  entry: string,
  eol: string
): string | undefined {
  const children = container.children ?? []
  const first = children.at(0)
  const last = children.at(-1)
  if (!first || !last) return undefined
  const end = last.offset + last.length
  const multiLine = body.slice(container.offset, first.offset).includes('\n')
  let insert = `, ${entry}`
  if (multiLine) {
    const lineStart = body.lastIndexOf('\n', first.offset - 1) + 1
    const indent = body.slice(lineStart, first.offset)
    if (!/^[ \t]*$/.test(indent)) return undefined
    insert = `,${eol}${indent}${entry}`
  }
  return body.slice(0, end) + insert + body.slice(end)
}

function done(before: string, after: string): CodemetaRewrite {
  return { ok: true, text: after, changed: after !== before }
}

function sameDoi(value: string, doi: string): boolean {
  return bareDoi(value)?.toLowerCase() === doi.toLowerCase()
}

/** The file's own indentation (first indented line) and line ending. */
export function detectFormatting(text: string): {
  insertSpaces: boolean
  tabSize: number
  eol: string
} {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  '
  if (indent.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol }
  return { insertSpaces: true, tabSize: indent.length, eol }
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n')
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 }
}
