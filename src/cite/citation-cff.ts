/**
 * CITATION.cff citing a DOI: set the top-level `doi`, `version` and `date-released`
 * of a CITATION.cff text and keep everything else as the person wrote it.
 *
 * The yaml library's Document API (parseDocument) finds each key and the exact source
 * range of its value; the new value is spliced into the original text there, so every
 * other byte (comments, key order, quoting, blank lines, indentation, a BOM, CRLF line
 * endings) stays as it was. Re-stringifying the whole Document (String(doc)) keeps
 * comments and key order too, but re-flows the layout of most real files (65 of the 75
 * corpus files come back different), so it is only the fallback for values that
 * cannot be spliced (a top-level flow mapping, a list or mapping where a DOI belongs).
 * The result is re-parsed and checked before it is returned.
 *
 * Only the three top-level keys change. An `identifiers` entry that holds an older
 * Zenodo DOI (of this concept or any other) is left alone: it is the person's data.
 */
import { isMap, isScalar, isAlias, parseDocument, stringify, type Document, type Pair } from 'yaml'
import type { Problem } from '../errors.js'

/** What to cite: the DOI (bare, e.g. 10.5281/zenodo.123), the release's version and date. */
export interface CffCitation {
  doi: string
  /** The release's version (e.g. the tag "v1.2.0"); left as is when undefined. */
  version?: string
  /** The release date, YYYY-MM-DD; left as is when undefined. */
  dateReleased?: string
}

export type CffRewrite =
  { ok: true; text: string; changed: boolean } | { ok: false; problem: Problem }

/** A mapping with none of these is not a CFF file. */
const CFF_KEYS = ['cff-version', 'title', 'authors', 'message']

/** The keys this module sets, in the order they are added when missing. */
const CANONICAL = ['title', 'version', 'date-released', 'doi'] as const
type SetKey = 'version' | 'date-released' | 'doi'

interface Edit {
  start: number
  end: number
  text: string
  /** Orders insertions at the same offset (canonical order). */
  rank: number
}

/**
 * Return `text` with `doi`, `version` and `date-released` set. Never throws on bad
 * input: text that is not YAML, or not a CFF mapping, comes back as a problem.
 */
export function citeInCff(text: string, cite: CffCitation, file = 'CITATION.cff'): CffRewrite {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : ''
  const body = bom ? text.slice(1) : text
  const eol = body.includes('\r\n') ? '\r\n' : '\n'

  const doc = parseDocument(body)
  const parseError = doc.errors.at(0)
  if (parseError) {
    const pos = parseError.linePos?.[0]
    return refuse(
      file,
      '(file)',
      `is not valid YAML: ${firstLine(parseError.message)}`,
      'fix the YAML syntax',
      pos
    )
  }
  const root = doc.contents
  if (!isMap(root)) {
    return refuse(
      file,
      '(file)',
      'is not a CFF file: its top level is not a mapping of keys',
      'start the file with "cff-version: 1.2.0" and the other CFF keys'
    )
  }
  if (!CFF_KEYS.some(k => findPair(doc, k))) {
    return refuse(
      file,
      'cff-version',
      'is missing, and so are title, authors and message: this is not a CFF file',
      'write CITATION.cff as described at https://citation-file-format.github.io, starting with "cff-version: 1.2.0"'
    )
  }

  const wanted = new Map<SetKey, string>()
  if (cite.version !== undefined) wanted.set('version', cite.version)
  if (cite.dateReleased !== undefined) wanted.set('date-released', cite.dateReleased)
  wanted.set('doi', cite.doi)

  const spliced = root.flow ? undefined : splice(doc, body, eol, wanted)
  let out = spliced !== undefined && check(body, spliced, wanted) ? spliced : undefined
  if (out === undefined) {
    out = viaDocument(body, wanted)
    if (out === undefined || !check(body, out, wanted)) {
      return refuse(
        file,
        '(file)',
        'could not be rewritten without changing other keys (is doi, version or date-released anchored with & and used elsewhere?)',
        'set doi, version and date-released by hand, without anchors'
      )
    }
  }
  const result = bom + out
  return { ok: true, text: result, changed: result !== text }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s
}

function refuse(
  file: string,
  field: string,
  message: string,
  fix: string,
  pos?: { line: number; col: number }
): CffRewrite {
  const problem: Problem = { severity: 'warning', file, field, message, fix }
  if (pos) {
    problem.line = pos.line
    problem.column = pos.col
  }
  return { ok: false, problem }
}

function findPair(doc: Document, key: string): Pair | undefined {
  const root = doc.contents
  if (!isMap(root)) return undefined
  return root.items.find(p => isScalar(p.key) && p.key.value === key)
}

/** How a value is written: in the style the file used, when that style reads back the same string. */
function render(value: string, style: string | undefined): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value)
  // Plain when it reads back as this very string; yaml quotes it otherwise ("1.10" stays a string).
  return stringify(value, { lineWidth: 0 }).replace(/\r?\n$/, '')
}

/** Edits on the original text; undefined when a value cannot be spliced. */
function splice(
  doc: Document,
  body: string,
  eol: string,
  wanted: Map<SetKey, string>
): string | undefined {
  const root = doc.contents
  if (!isMap(root)) return undefined
  const edits: Edit[] = []
  for (const [key, value] of wanted) {
    const pair = findPair(doc, key)
    if (pair) {
      const node = pair.value
      if (node === null || node === undefined) return undefined
      if (isAlias(node) || !isScalar(node) || node.anchor !== undefined || !node.range)
        return undefined
      const [start, end] = node.range
      if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') return undefined
      if (start === end) {
        edits.push({ start, end, text: ` ${render(value, undefined)}`, rank: 0 })
      } else if (node.value !== value) {
        edits.push({ start, end, text: render(value, node.type), rank: 0 })
      }
    } else {
      const at = insertionPoint(doc, body, key)
      if (at === undefined) return undefined
      const line = `${at.indent}${key}: ${render(value, undefined)}`
      edits.push({
        start: at.offset,
        end: at.offset,
        text: at.needsEolBefore ? `${eol}${line}` : `${line}${eol}`,
        rank: CANONICAL.indexOf(key)
      })
    }
  }
  // Apply from the end; insertions at one offset in canonical order.
  edits.sort((a, b) => b.start - a.start || b.rank - a.rank)
  let out = body
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end)
  return out
}

/**
 * Where a missing key goes: on the line after the closest key before it in
 * title, version, date-released, doi; after the last top-level key when none is there.
 */
function insertionPoint(
  doc: Document,
  body: string,
  key: SetKey
): { offset: number; indent: string; needsEolBefore: boolean } | undefined {
  const root = doc.contents
  if (!isMap(root)) return undefined
  let anchor: Pair | undefined
  for (let i = CANONICAL.indexOf(key) - 1; i >= 0 && !anchor; i--) {
    anchor = findPair(doc, CANONICAL[i])
  }
  anchor ??= root.items.at(-1)
  if (!anchor || !isScalar(anchor.key) || !anchor.key.range) return undefined
  const keyStart = anchor.key.range[0]
  const lineStart = body.lastIndexOf('\n', keyStart - 1) + 1
  const indent = body.slice(lineStart, keyStart)
  if (!/^ *$/.test(indent)) return undefined
  const valueNode = anchor.value as { range?: [number, number, number] } | null
  const end = valueNode?.range ? valueNode.range[1] : anchor.key.range[2]
  if (end > 0 && body[end - 1] === '\n') return { offset: end, indent, needsEolBefore: false }
  const nl = body.indexOf('\n', end)
  if (nl === -1) return { offset: body.length, indent, needsEolBefore: true }
  return { offset: nl + 1, indent, needsEolBefore: false }
}

/** The fallback: the Document API sets the values and re-stringifies (comments and key order kept). */
function viaDocument(body: string, wanted: Map<SetKey, string>): string | undefined {
  try {
    return documentRewrite(body, wanted)
  } catch {
    // An alias whose anchor was on the replaced value, for one.
    return undefined
  }
}

function documentRewrite(body: string, wanted: Map<SetKey, string>): string {
  const doc = parseDocument(body)
  for (const [key, value] of wanted) {
    const pair = findPair(doc, key)
    if (pair) pair.value = doc.createNode(value)
    else doc.set(key, value)
  }
  const out = String(doc)
  return body.includes('\r\n') ? out.replace(/\r?\n/g, '\r\n') : out
}

/** The rewrite parses, carries the new values, and every other top-level key is unchanged. */
function check(before: string, after: string, wanted: Map<SetKey, string>): boolean {
  try {
    return sameApartFrom(before, after, wanted)
  } catch {
    // An alias left without its anchor, for one.
    return false
  }
}

function sameApartFrom(before: string, after: string, wanted: Map<SetKey, string>): boolean {
  const a = parseDocument(before)
  const b = parseDocument(after)
  if (b.errors.length > 0) return false
  const ja = a.toJS() as Record<string, unknown>
  const jb = b.toJS() as Record<string, unknown>
  for (const [key, value] of wanted) if (jb[key] !== value) return false
  const rest = (o: Record<string, unknown>): string =>
    JSON.stringify(Object.entries(o).filter(([k]) => !wanted.has(k as SetKey)))
  return rest(ja) === rest(jb)
}
