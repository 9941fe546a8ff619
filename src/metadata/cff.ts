/**
 * Reading CITATION.cff (Citation File Format 1.2.0) as Zenodo legacy deposit metadata: YAML
 * syntax errors with their line and column, the CFF fields mapped onto Zenodo's (authors ->
 * creators, abstract -> description, doi and identifiers -> related identifiers, ...), and every
 * CFF field Zenodo has no place for either deliberately ignored or reported, never silently lost.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type YAMLError
} from 'yaml'
import type { Problem } from '../errors.js'
import type { Position, Positions } from './json-syntax.js'
import { bareDoi, checkRelatedIdentifier } from './identifiers.js'
import { licenseFromUrl } from './license.js'
import { textToHtml } from './markdown.js'
import { isCalendarDate } from './schema.js'
import { closest } from './suggest.js'
import type {
  Contributor,
  Creator,
  MetadataHints,
  RelatedIdentifier,
  ZenodoMetadata
} from './types.js'
import { RESOURCE_TYPE_IDS } from './vocabulary.js'

type Json = Record<string, unknown>

const VALIDATOR = 'https://citation-file-format.github.io/cff-initializer-javascript/'

const CFF_FIX =
  'write a citation file with at least "cff-version: 1.2.0", a "title" and a list of "authors" ' +
  `(an editor that writes one is at ${VALIDATOR})`

/** What each top-level key of CFF 1.2.0 becomes. */
const CFF_KEYS = {
  abstract: 'mapped',
  authors: 'mapped',
  'cff-version': 'ignored',
  commit: 'ignored',
  contact: 'mapped',
  'date-released': 'mapped',
  doi: 'mapped',
  identifiers: 'mapped',
  keywords: 'mapped',
  license: 'mapped',
  'license-url': 'mapped',
  message: 'ignored',
  'preferred-citation': 'mapped',
  references: 'mapped',
  repository: 'mapped',
  'repository-artifact': 'mapped',
  'repository-code': 'mapped',
  title: 'mapped',
  type: 'mapped',
  url: 'mapped',
  version: 'mapped'
} as const

/** The top-level keys CFF 1.2.0 defines. */
export const CFF_TOP_LEVEL_KEYS: readonly string[] = Object.keys(CFF_KEYS)

/**
 * CFF keys Zenodo has no place for, which are dropped without a warning: cff-version and message
 * describe the file itself, commit is known to Zenodo from the release.
 */
export const CFF_IGNORED_KEYS: readonly string[] = Object.entries(CFF_KEYS)
  .filter(([, use]) => use === 'ignored')
  .map(([key]) => key)

/** Reference types of CFF whose Zenodo resource type is clear. */
const REFERENCE_TYPES: Readonly<Record<string, string>> = {
  article: 'publication-article',
  'magazine-article': 'publication-article',
  'newspaper-article': 'publication-article',
  book: 'publication-book',
  'edited-work': 'publication-book',
  'conference-paper': 'publication-conferencepaper',
  proceedings: 'publication-conferenceproceeding',
  thesis: 'publication-dissertation',
  report: 'publication-report',
  patent: 'publication-patent',
  standard: 'publication-standard',
  software: 'software',
  'software-code': 'software',
  data: 'dataset',
  database: 'dataset'
}

interface Context {
  file: string
  problems: Problem[]
  positions: Positions
}

interface Parsed {
  metadata?: ZenodoMetadata
  hints: MetadataHints
  problems: Problem[]
  positions?: Positions
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function describeYaml(value: unknown): string {
  if (value === null || value === undefined) return 'empty'
  if (Array.isArray(value)) return 'a list'
  if (value instanceof Date) return 'a date'
  if (typeof value === 'object') return 'a mapping (key: value pairs)'
  if (typeof value === 'string') return 'text'
  return `a ${typeof value}`
}

/** The path one level up: "authors[2].orcid" -> "authors[2]" -> "authors" -> undefined. */
function parentPath(field: string): string | undefined {
  const match = /^(.*)(?:\.[^.[\]]+|\[\d+\])$/.exec(field)
  return match && match[1] !== '' ? match[1] : undefined
}

/** The position of a field, or of its nearest enclosing entry. */
function positionOf(context: Context, field: string): Position | undefined {
  for (let path: string | undefined = field; path !== undefined; path = parentPath(path)) {
    const position = context.positions[path]
    if (position) return position
  }
  return undefined
}

function report(
  context: Context,
  severity: Problem['severity'],
  field: string,
  message: string,
  fix: string
): void {
  const position = positionOf(context, field)
  context.problems.push({
    severity,
    file: context.file,
    field,
    message,
    fix,
    ...(position ? { line: position.line, column: position.column } : {})
  })
}

/** Text of a scalar: strings trimmed, numbers and booleans as written; undefined otherwise. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim()
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

/** The yaml parser's token names, as the characters people see in their file. */
const TOKEN_NAMES: Readonly<Record<string, string>> = {
  'seq-item-ind': '"-"',
  'block-seq-ind': '"-"',
  'map-value-ind': '":"',
  'explicit-key-ind': '"?"',
  'flow-map-start': '"{"',
  'flow-map-end': '"}"',
  'flow-seq-start': '"["',
  'flow-seq-end': '"]"',
  'flow-error-end': 'an unclosed bracket',
  'doc-start': '"---"',
  'doc-end': '"..."',
  comma: '","',
  scalar: 'text'
}

/** Plain-word explanations of the YAML errors people make in CITATION.cff files. */
function yamlErrorProblem(error: YAMLError, file: string): Problem {
  const line = error.linePos?.[0].line
  const column = error.linePos?.[0].col
  const near = line !== undefined ? ` near line ${String(line)}` : ''
  const own = error.message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/\b[a-z]+(?:-[a-z]+)+\b|\b(?:comma|scalar)\b/g, name => TOKEN_NAMES[name] ?? name)
  let message: string
  let fix: string
  switch (error.code) {
    case 'TAB_AS_INDENT':
      message = 'a tab character is used for indentation; YAML allows only spaces'
      fix = `replace the tabs at the start of the line${near} with spaces`
      break
    case 'BAD_INDENT':
      message =
        'the entries of a list or mapping do not start at the same column (inconsistent indentation)'
      fix = `indent the entries${near} by the same number of spaces as the entries before them`
      break
    case 'BLOCK_AS_IMPLICIT_KEY':
      message =
        'a value contains ": " (a colon and a space) without quotes, or a line is indented too far'
      fix = `put the value${near} in double quotes (e.g. title: "Name: subtitle"), or correct the indentation`
      break
    case 'MULTILINE_IMPLICIT_KEY':
      message =
        'a key runs over more than one line: probably a ":" is missing after a key, or a line is indented wrongly'
      fix = `write "key: value" on one line${near} (is the ":" missing?), and check the indentation`
      break
    case 'MULTIPLE_DOCS':
      message = 'the file holds more than one YAML document (a line "---" starts a second one)'
      fix = `remove the "---" line${near}, or the second document`
      break
    case 'BAD_DQ_ESCAPE':
      message = 'a backslash in double quotes starts an escape YAML does not know'
      fix = `write \\\\ for a backslash${near}, or use single quotes around the value`
      break
    case 'UNEXPECTED_TOKEN':
      message = `unexpected ${own.replace(/^Unexpected /, '').replace(/ at node end$/, ' after a value')}`
      fix = `remove the stray character${near}, or put the whole value in double quotes`
      break
    case 'MISSING_CHAR':
      message = /quote/.test(own)
        ? 'a quoted value is never closed (its closing quote is missing)'
        : `${own.charAt(0).toLowerCase()}${own.slice(1)}`
      fix = `add the missing closing quote or bracket: one opened before ${line !== undefined ? `line ${String(line)}` : 'the end of the file'} is never closed`
      break
    default:
      message = `the file is not valid YAML: ${own.charAt(0).toLowerCase()}${own.slice(1)}`
      fix = `check the indentation and quoting${near}`
  }
  return {
    severity: 'error',
    file,
    field: 'YAML syntax',
    message,
    fix: `${fix}; check the file with a CFF validator such as ${VALIDATOR}`,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {})
  }
}

/**
 * Where every key and list entry sits (path in CFF terms -> 1-based line and column of its key or
 * of the list entry), and keys given twice in one mapping (YAML keeps the last value).
 */
function mapNodes(
  node: unknown,
  path: string,
  at: (offset: number) => Position,
  positions: Positions,
  duplicates: { path: string; position: Position }[]
): void {
  if (isMap(node)) {
    const seen = new Set<string>()
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue
      const key = String(pair.key.value)
      const childPath = path === '' ? key : `${path}.${key}`
      const range = pair.key.range
      const position = range ? at(range[0]) : undefined
      if (seen.has(key) && position) duplicates.push({ path: childPath, position })
      seen.add(key)
      if (position) positions[childPath] = position
      mapNodes(pair.value, childPath, at, positions, duplicates)
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const childPath = `${path}[${String(index)}]`
      const range =
        isAlias(item) || isScalar(item) || isMap(item) || isSeq(item) ? item.range : null
      if (range) positions[childPath] = at(range[0])
      mapNodes(item, childPath, at, positions, duplicates)
    })
  }
}

/** Text of a top-level scalar as written in the file (so "version: 1.10" stays "1.10"). */
function rawScalar(source: string, node: unknown): string | undefined {
  if (!isScalar(node) || !node.range) return undefined
  if (typeof node.value !== 'number') return undefined
  const raw = source.slice(node.range[0], node.range[1]).trim()
  return /^[-+.\w]+$/.test(raw) ? raw : undefined
}

/** A file that cannot be mapped at all: one error, no metadata. */
function refused(file: string, field: string, message: string, fix: string): Parsed {
  return { hints: {}, problems: [{ severity: 'error', file, field, message, fix }] }
}

/**
 * Map a CITATION.cff file onto Zenodo legacy metadata. Returns the metadata (without it when the
 * file is not YAML or not a CFF mapping), hints (version, date-released), every problem, and where
 * each field sits (CFF paths such as "authors[1].orcid", plus the Zenodo names whose CFF
 * counterpart is named differently: "upload_type", "related_identifiers[3]", "contributors[0]").
 */
export function parseCitationCff(content: string, file: string): Parsed {
  const source = content.replace(/^\uFEFF/, '')
  const lineCounter = new LineCounter()
  const doc = parseDocument(source, {
    keepSourceTokens: true,
    prettyErrors: true,
    lineCounter,
    uniqueKeys: false
  })
  if (doc.errors.length > 0) {
    return { hints: {}, problems: [yamlErrorProblem(doc.errors[0], file)] }
  }
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  let value: unknown
  try {
    value = doc.toJS()
  } catch (error) {
    return refused(
      file,
      'YAML syntax',
      `the file cannot be read as YAML: ${(error as Error).message}`,
      `simplify the file (no aliases that expand to huge values); check it with a CFF validator such as ${VALIDATOR}`
    )
  }
  if (!isObject(value) || value instanceof Date) {
    const empty = value === null || value === undefined
    return refused(
      file,
      '(file)',
      empty
        ? 'the file is empty'
        : `is ${describeYaml(value)}, not the "key: value" mapping of a citation file (it is not in the Citation File Format)`,
      CFF_FIX
    )
  }

  if (!Object.keys(value).some(key => key in CFF_KEYS)) {
    const keys = Object.keys(value)
    const found = keys.slice(0, 3).map(k => `"${k}"`)
    return refused(
      file,
      '(file)',
      `is not a Citation File Format file: it has none of the CFF keys (found ${found.join(', ')}${keys.length > 3 ? ', ...' : ''})`,
      CFF_FIX
    )
  }
  const positions: Positions = {}
  const duplicates: { path: string; position: Position }[] = []
  mapNodes(doc.contents, '', at, positions, duplicates)
  const context: Context = { file, problems: [], positions }
  for (const d of duplicates) {
    context.problems.push({
      severity: 'warning',
      file,
      field: d.path,
      message: `the key "${d.path.slice(d.path.lastIndexOf('.') + 1)}" appears more than once in the same mapping; only the last value is used`,
      fix: 'remove the repeated key',
      ...d.position
    })
  }
  const topNode = (key: string): unknown =>
    isMap(doc.contents) ? doc.contents.get(key, true) : undefined
  return mapCff(value, source, topNode, context)
}

function mapCff(
  cff: Json,
  source: string,
  topNode: (key: string) => unknown,
  context: Context
): Parsed {
  const metadata: ZenodoMetadata = {}
  const hints: MetadataHints = {}

  if (cff['cff-version'] === undefined) {
    report(
      context,
      'warning',
      'cff-version',
      'is missing, so this may not be a Citation File Format file',
      'add "cff-version: 1.2.0" as the first line'
    )
  }

  mapTitle(cff, context, metadata)
  mapAuthors(cff, context, metadata)
  mapAbstract(cff, context, metadata)
  mapKeywords(cff, context, metadata)
  mapLicense(cff, context, metadata)

  const type = text(cff.type)
  if (type !== undefined && type !== 'software' && type !== 'dataset') {
    report(
      context,
      'warning',
      'type',
      `"${type}" is not a CFF type (software or dataset), so the upload type "software" is used`,
      'write "type: software" or "type: dataset"'
    )
  }
  metadata.upload_type = type === 'dataset' ? 'dataset' : 'software'
  if (context.positions.type) context.positions.upload_type = context.positions.type

  const version = rawScalar(source, topNode('version')) ?? text(cff.version)
  if (version !== undefined) hints.version = version
  else if (cff.version !== undefined && cff.version !== null) {
    report(
      context,
      'warning',
      'version',
      `must be text such as "1.2.0", not ${describeYaml(cff.version)}; it is ignored`,
      'write "version: 1.2.0"'
    )
  }
  mapDate(cff, context, hints)

  const related = mapRelated(cff, context)
  if (related.length > 0) metadata.related_identifiers = related

  const contributors = mapContacts(cff, context)
  if (contributors.length > 0) metadata.contributors = contributors

  for (const key of Object.keys(cff)) {
    if (key in CFF_KEYS) continue
    const suggestion = closest(key, CFF_TOP_LEVEL_KEYS)
    report(
      context,
      'warning',
      key,
      `"${key}" is not a Citation File Format key, so it is not used for Zenodo${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      suggestion
        ? `rename "${key}" to "${suggestion}"`
        : `remove "${key}" (CFF 1.2.0 keys: ${CFF_TOP_LEVEL_KEYS.join(', ')})`
    )
  }
  return { metadata, hints, problems: context.problems, positions: context.positions }
}

/** A note for fixes when preferred-citation has the key that is missing at the top level. */
function onlyInPreferredCitation(cff: Json, key: string): string {
  const preferred = cff['preferred-citation']
  return isObject(preferred) && preferred[key] !== undefined
    ? ` at the top level of the file (preferred-citation describes the paper to cite, not this ${cff.type === 'dataset' ? 'data set' : 'software'})`
    : ''
}

function mapTitle(cff: Json, context: Context, metadata: ZenodoMetadata): void {
  if (cff.title === undefined || cff.title === null || cff.title === '') {
    // Zenodo's GitHub integration lays the CFF mapping over the release defaults, so the record
    // gets the default title "<owner>/<repo>: <tag>" (the release defaults give the same).
    report(
      context,
      'warning',
      'title',
      'is missing, so the release is published under its default title ("<owner>/<repo>: <tag>"), as Zenodo\'s GitHub integration does',
      `add a line such as "title: My software" (the name of the software or data set)${onlyInPreferredCitation(cff, 'title')}`
    )
    return
  }
  const title = text(cff.title)
  if (title === undefined) {
    report(
      context,
      'error',
      'title',
      `must be text, not ${describeYaml(cff.title)}`,
      'write the title on one line, e.g. title: "My software"'
    )
    return
  }
  metadata.title = title
}

const AUTHOR_FIX =
  'write each author as "- family-names: Doe" with "given-names: Jane" below it, or "- name: Example Consortium" for an organisation'

/** The Zenodo name of a CFF person or entity: "Family, Given, Suffix", an entity's name, or alias. */
export function cffName(person: Json): string | undefined {
  const family = [text(person['name-particle']), text(person['family-names'])]
    .filter(part => part !== undefined)
    .join(' ')
  const given = text(person['given-names'])
  const suffix = text(person['name-suffix'])
  if (family !== '') return [family, given, suffix].filter(part => part !== undefined).join(', ')
  if (given !== undefined) return suffix !== undefined ? `${given} ${suffix}` : given
  const name = text(person.name)
  if (name !== undefined) return name
  return text(person.alias)
}

/** "https://orcid.org/0000-0002-1825-0097" -> "0000-0002-1825-0097"; other text unchanged. */
export function bareOrcid(value: string): string {
  return value
    .trim()
    .replace(/^(?:https?:\/\/)?(?:www\.)?orcid\.org\//i, '')
    .replace(/\/+$/, '')
}

function toPerson(entry: Json): Creator | undefined {
  const name = cffName(entry)
  if (name === undefined) return undefined
  const creator: Creator = { name }
  const affiliation = text(entry.affiliation)
  if (affiliation !== undefined) creator.affiliation = affiliation
  const orcid = text(entry.orcid)
  if (orcid !== undefined) creator.orcid = bareOrcid(orcid)
  return creator
}

function mapAuthors(cff: Json, context: Context, metadata: ZenodoMetadata): void {
  const authors = cff.authors
  if (authors === undefined || authors === null) {
    // Zenodo's GitHub integration lays the CFF mapping over the release defaults, whose creators
    // are the repository's contributors; so does the action.
    report(
      context,
      'warning',
      'authors',
      "is missing, so the creators are the repository's contributors (as Zenodo's GitHub integration does)",
      `add "authors:" with at least one entry${onlyInPreferredCitation(cff, 'authors')}; ${AUTHOR_FIX}`
    )
    return
  }
  if (!Array.isArray(authors)) {
    report(
      context,
      'error',
      'authors',
      `must be a list, not ${describeYaml(authors)}`,
      `write every author as a list entry starting with "- "; ${AUTHOR_FIX}`
    )
    return
  }
  if (authors.length === 0) {
    report(
      context,
      'error',
      'authors',
      'is an empty list; Zenodo needs at least one creator',
      `add at least one author; ${AUTHOR_FIX}`
    )
    return
  }
  // One creator per author, in order: validation maps creators[i] back to authors[i]. When an
  // author cannot be used the creators are left out (so no index is shifted); the error stops
  // the release.
  const creators: Creator[] = []
  let usable = true
  for (const [index, author] of authors.entries()) {
    const field = `authors[${String(index)}]`
    if (!isObject(author)) {
      usable = false
      report(
        context,
        'error',
        field,
        `must be a mapping of name fields, not ${describeYaml(author)}${typeof author === 'string' ? ` ("${author}")` : ''}`,
        AUTHOR_FIX
      )
      continue
    }
    const creator = toPerson(author)
    if (creator === undefined) {
      usable = false
      report(
        context,
        'error',
        field,
        'has no name: none of family-names, given-names, name or alias is given',
        AUTHOR_FIX
      )
      continue
    }
    creators.push(creator)
  }
  if (usable) metadata.creators = creators
}

function mapAbstract(cff: Json, context: Context, metadata: ZenodoMetadata): void {
  if (cff.abstract === undefined || cff.abstract === null) return
  const abstract = text(cff.abstract)
  if (abstract === undefined) {
    if (typeof cff.abstract === 'string') return
    // as a .zenodo.json description of another type: left out with a warning, never a refusal
    report(
      context,
      'warning',
      'abstract',
      `must be text, not ${describeYaml(cff.abstract)}; it is left out, and the record keeps the release's default description`,
      'write the abstract as text, e.g. "abstract: >-" followed by indented lines'
    )
    return
  }
  metadata.description = textToHtml(abstract)
  if (context.positions.abstract) context.positions.description = context.positions.abstract
}

function mapKeywords(cff: Json, context: Context, metadata: ZenodoMetadata): void {
  const keywords = cff.keywords
  if (keywords === undefined || keywords === null) return
  if (!Array.isArray(keywords)) {
    const parts = typeof keywords === 'string' ? keywords.split(/[,;]/).map(s => s.trim()) : []
    report(
      context,
      'error',
      'keywords',
      `must be a list, not ${describeYaml(keywords)}`,
      `write every keyword as a list entry starting with "- "${parts.length > 0 ? `, e.g. keywords: [${parts.filter(p => p !== '').join(', ')}]` : ''}`
    )
    return
  }
  const out: string[] = []
  keywords.forEach((keyword, index) => {
    const value = text(keyword)
    if (value === undefined) {
      report(
        context,
        'error',
        `keywords[${String(index)}]`,
        `must be text, not ${describeYaml(keyword)}`,
        'write each keyword as text after "- "'
      )
      return
    }
    out.push(value)
  })
  if (out.length === keywords.length) metadata.keywords = out
}

function mapLicense(cff: Json, context: Context, metadata: ZenodoMetadata): void {
  const license = cff.license
  if (license === undefined || license === null) {
    const url = text(cff['license-url'])
    const fromUrl = url === undefined ? undefined : licenseFromUrl(url)
    if (fromUrl !== undefined) {
      metadata.license = fromUrl
      report(
        context,
        'warning',
        'license-url',
        `is the page of the license ${fromUrl}, so the license ${fromUrl} is used (Zenodo takes a license id, not a URL)`,
        `write "license: ${fromUrl}"`
      )
      return
    }
    if (cff['license-url'] !== undefined) {
      report(
        context,
        'warning',
        'license-url',
        'cannot be used by Zenodo, which takes a license id, not a URL; without "license" Zenodo applies its default license',
        'add "license" with the SPDX id of the license, e.g. "license: MIT"'
      )
    }
    return
  }
  if (Array.isArray(license)) {
    // An empty list gives no license, as a CITATION.cff without "license" does: the deposit API
    // then applies the repository's license (release defaults) or Zenodo's default license
    // (docs/zenodo-api.md, "Sources of the metadata checks"). Nothing there refuses it.
    if (license.length === 0) {
      report(
        context,
        'warning',
        'license',
        "is an empty list, so CITATION.cff gives no license: the repository's license is used if GitHub knows it, else Zenodo's default (CC-BY-4.0, or CC0-1.0 for a dataset)",
        'write one SPDX license id, e.g. "license: MIT"'
      )
      return
    }
    const ids = license.map(text).filter(id => id !== undefined)
    if (ids.length === 0) {
      report(
        context,
        'error',
        'license',
        'is a list with no license id in it',
        'write one SPDX license id, e.g. "license: MIT"'
      )
      return
    }
    metadata.license = ids[0]
    if (ids.length > 1) {
      report(
        context,
        'warning',
        'license',
        `Zenodo takes one license; using ${ids[0]}; the others are dropped: ${ids.slice(1).join(', ')}`,
        `list only the license Zenodo should show first, or write it as one id, e.g. "license: ${ids[0]}"`
      )
    }
    return
  }
  const id = text(license)
  if (id === undefined) {
    report(
      context,
      'error',
      'license',
      `must be an SPDX license id, not ${describeYaml(license)}`,
      'write one SPDX license id, e.g. "license: MIT"'
    )
    return
  }
  const fromUrl = licenseFromUrl(id)
  if (fromUrl !== undefined) {
    metadata.license = fromUrl
    report(
      context,
      'warning',
      'license',
      `"${id}" is the URL of a license page; the license ${fromUrl} is used (Zenodo takes a license id, not a URL)`,
      `write "license: ${fromUrl}"`
    )
    return
  }
  metadata.license = id
}

function mapDate(cff: Json, context: Context, hints: MetadataHints): void {
  const released = cff['date-released']
  if (released === undefined || released === null) return
  const date =
    released instanceof Date && !Number.isNaN(released.getTime())
      ? released.toISOString().slice(0, 10)
      : text(released)?.replace(/^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}.*$/, '$1')
  if (date !== undefined && isCalendarDate(date)) {
    hints.date = date
    if (context.positions['date-released']) {
      context.positions.publication_date = context.positions['date-released']
    }
    return
  }
  report(
    context,
    'warning',
    'date-released',
    `${date !== undefined ? `"${date}"` : describeYaml(released)} is not a date of the form YYYY-MM-DD that exists, so it is ignored (the release date is used)`,
    'write the date as YYYY-MM-DD, e.g. "date-released: 2024-05-31" (month 01-12)'
  )
}

function referenceResourceType(type: unknown): string | undefined {
  const id = typeof type === 'string' ? REFERENCE_TYPES[type] : undefined
  return id !== undefined && RESOURCE_TYPE_IDS.includes(id) ? id : undefined
}

/**
 * related_identifiers from the CFF fields that name other things:
 * - doi and identifiers of type doi: the DOI of the work in general (usually the concept DOI of
 *   all versions), so this version "isVersionOf" it; never metadata.doi, which Zenodo would take
 *   as this version's own DOI;
 * - identifiers of type swh: the archived source, "isIdenticalTo"; of type url: "isSupplementTo";
 * - repository-code, repository, repository-artifact: "isSupplementTo";
 * - url (the homepage or documentation): "isDocumentedBy", unless the same URL is already listed
 *   (often the homepage is the repository);
 * - preferred-citation (usually the paper describing the software, which the software
 *   supplements): "isSupplementTo"; references: "cites"; by DOI, else by URL, else skipped.
 *   Entries naming the software's own DOI are skipped.
 * The same identifier with the same relation is listed once.
 */
function mapRelated(cff: Json, context: Context): RelatedIdentifier[] {
  const related: RelatedIdentifier[] = []
  const seen = new Set<string>()
  const own = new Set<string>()
  const identifiers_ = new Set<string>()
  // Zenodo's own GitHub integration ignores these CFF keys, so an identifier Zenodo would refuse
  // (a placeholder such as "pending-zenodo-upload", a Software Heritage id) is skipped with a
  // warning instead of failing the release.
  const add = (entry: RelatedIdentifier, from: string): void => {
    const checked = checkRelatedIdentifier(entry.identifier)
    if (!checked.ok) {
      report(
        context,
        'warning',
        from,
        checked.reason === 'swh'
          ? `"${entry.identifier}" is a Software Heritage id, which Zenodo does not accept as a related identifier, so it is not linked`
          : `"${entry.identifier}" is not an identifier Zenodo recognises (Zenodo would refuse it), so it is not linked`,
        checked.reason === 'swh'
          ? 'nothing to do: Software Heritage archives the release on its own; or link "https://archive.softwareheritage.org/<swh id>" as a url'
          : 'write the real DOI or URL once it exists (a placeholder such as "pending-zenodo-upload" can be removed)'
      )
      return
    }
    const linked: RelatedIdentifier = {
      ...entry,
      identifier: checked.identifier,
      scheme: checked.scheme
    }
    const key = `${linked.identifier.toLowerCase()}\u0000${linked.relation.toLowerCase()}`
    if (seen.has(key)) return
    seen.add(key)
    identifiers_.add(linked.identifier.toLowerCase())
    const position = positionOf(context, from)
    if (position) context.positions[`related_identifiers[${String(related.length)}]`] = position
    related.push(linked)
  }
  const listed = (identifier: string): boolean => identifiers_.has(identifier.toLowerCase())

  const doi = text(cff.doi)
  if (doi !== undefined) {
    own.add(bareDoi(doi).toLowerCase())
    add({ identifier: bareDoi(doi), relation: 'isVersionOf', scheme: 'doi' }, 'doi')
  } else if (cff.doi !== undefined && cff.doi !== null) {
    report(
      context,
      'warning',
      'doi',
      `must be a DOI such as 10.5281/zenodo.1234, not ${describeYaml(cff.doi)}; it is ignored`,
      'write "doi: 10.5281/zenodo.1234"'
    )
  }

  const identifiers = cff.identifiers
  if (Array.isArray(identifiers)) {
    identifiers.forEach((entry, index) => {
      const field = `identifiers[${String(index)}]`
      const value = isObject(entry) ? text(entry.value) : undefined
      const type = isObject(entry) ? text(entry.type) : undefined
      if (value === undefined) {
        report(
          context,
          'warning',
          field,
          'has no "value", so it is ignored',
          'give each identifier a "type" (doi, url, swh or other) and a "value"'
        )
        return
      }
      if (type === 'doi') {
        own.add(bareDoi(value).toLowerCase())
        add({ identifier: bareDoi(value), relation: 'isVersionOf', scheme: 'doi' }, field)
      } else if (type === 'swh') {
        add({ identifier: value, relation: 'isIdenticalTo', scheme: 'swh' }, field)
      } else if (type === 'url') {
        add({ identifier: value, relation: 'isSupplementTo', scheme: 'url' }, field)
      } else if (checkRelatedIdentifier(value).ok) {
        // type "other" (or none): linked when Zenodo detects its scheme (arXiv, URN, handle, ISBN, ...)
        add({ identifier: value, relation: 'isIdenticalTo' }, field)
      } else {
        report(
          context,
          'warning',
          field,
          `an identifier of type "${type ?? '(none)'}" (${value}) has no scheme Zenodo recognises, so it is not linked`,
          'remove it, or write it as a DOI, URL, arXiv id, URN, handle or ISBN if it is one'
        )
      }
    })
  } else if (identifiers !== undefined && identifiers !== null) {
    report(
      context,
      'warning',
      'identifiers',
      `must be a list, not ${describeYaml(identifiers)}; it is ignored`,
      'write each identifier as a list entry: "- type: doi" with "value: 10.5281/zenodo.1234" below it'
    )
  }

  for (const key of ['repository-code', 'repository', 'repository-artifact']) {
    const url = text(cff[key])
    if (url !== undefined) add({ identifier: url, relation: 'isSupplementTo', scheme: 'url' }, key)
  }
  const homepage = text(cff.url)
  if (homepage !== undefined && !listed(homepage)) {
    add({ identifier: homepage, relation: 'isDocumentedBy', scheme: 'url' }, 'url')
  }

  const cite = (entry: unknown, relation: string, field: string): void => {
    if (!isObject(entry)) return
    const resourceType = referenceResourceType(entry.type)
    const entryDoi = text(entry.doi)
    if (entryDoi !== undefined) {
      if (own.has(bareDoi(entryDoi).toLowerCase())) return
      add(
        {
          identifier: bareDoi(entryDoi),
          relation,
          scheme: 'doi',
          ...(resourceType ? { resource_type: resourceType } : {})
        },
        field
      )
      return
    }
    const url = text(entry.url)
    if (url !== undefined && !listed(url)) {
      add(
        {
          identifier: url,
          relation,
          scheme: 'url',
          ...(resourceType ? { resource_type: resourceType } : {})
        },
        field
      )
    }
  }
  const preferred = cff['preferred-citation']
  if (isObject(preferred)) cite(preferred, 'isSupplementTo', 'preferred-citation')
  else if (preferred !== undefined && preferred !== null) {
    report(
      context,
      'warning',
      'preferred-citation',
      `must be a reference (a mapping with type, title, authors and doi), not ${describeYaml(preferred)}; it is ignored`,
      'write preferred-citation as a mapping, e.g. "type: article", "title: ...", "authors: [...]" and "doi: ..." indented below it'
    )
  }
  const references = cff.references
  if (Array.isArray(references)) {
    references.forEach((entry, index) => {
      cite(entry, 'cites', `references[${String(index)}]`)
    })
  } else if (references !== undefined && references !== null) {
    report(
      context,
      'warning',
      'references',
      `must be a list of references, not ${describeYaml(references)}; it is ignored`,
      'write each reference as a list entry starting with "- type: ..."'
    )
  }
  return related
}

function mapContacts(cff: Json, context: Context): Contributor[] {
  const contact = cff.contact
  if (contact === undefined || contact === null) return []
  if (!Array.isArray(contact)) {
    report(
      context,
      'warning',
      'contact',
      `must be a list of people or organisations, not ${describeYaml(contact)}; it is ignored`,
      'write each contact as a list entry, e.g. "- family-names: Doe" with "given-names: Jane"'
    )
    return []
  }
  const contributors: Contributor[] = []
  contact.forEach((entry, index) => {
    const field = `contact[${String(index)}]`
    const person = isObject(entry) ? toPerson(entry) : undefined
    if (person === undefined) {
      report(
        context,
        'warning',
        field,
        `${isObject(entry) ? 'has no name' : `is ${describeYaml(entry)}${typeof entry === 'string' ? ` ("${entry}")` : ''}, not a person or organisation`}, so it is not listed as a contact person`,
        'write the contact as "- name: The Example Team" (with "email: ..." below it) or with family-names and given-names'
      )
      return
    }
    const position = positionOf(context, field)
    if (position) context.positions[`contributors[${String(contributors.length)}]`] = position
    contributors.push({ ...person, type: 'ContactPerson' })
  })
  return contributors
}
