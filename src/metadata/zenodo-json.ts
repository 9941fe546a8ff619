/**
 * Reading .zenodo.json: JSON syntax (with line and column), the legacy shape Zenodo expects,
 * unknown keys (which Zenodo silently drops) and common type mistakes, each reported as a Problem
 * that names the file, the field and the fix.
 */
import type { Problem } from '../errors.js'
import { readJson, type KeySpan, type Position, type Positions } from './json-syntax.js'
import { ELEMENT_KEYS, KEY_ALIASES, LEGACY_FIELDS, type FieldShape } from './legacy-fields.js'
import { closest } from './suggest.js'
import type { ZenodoMetadata } from './types.js'

type Json = Record<string, unknown>

/** Where a top-level key is in the source text, and the raw text of its value. */
export interface SourceMap {
  position(key: string): { line: number; column: number } | undefined
  raw(key: string): string | undefined
}

const NO_SOURCE: SourceMap = { position: () => undefined, raw: () => undefined }

const LEGACY_EXAMPLE =
  '{"title": "My software", "upload_type": "software", "creators": [{"name": "Doe, Jane", ' +
  '"affiliation": "Example University", "orcid": "0000-0002-1825-0097"}], "license": "MIT", ' +
  '"keywords": ["example"]}'

/**
 * Parse a .zenodo.json text into legacy metadata, with every problem found, and where each
 * field sits in the file (field path such as "creators[2].orcid" -> line and column).
 */
export function parseZenodoJson(
  text: string,
  file: string
): { metadata?: ZenodoMetadata; problems: Problem[]; positions?: Positions } {
  const read = readJson(text, file)
  const recovered = read.value
  if (recovered === null || typeof recovered !== 'object' || Array.isArray(recovered)) {
    if (read.problems.length > 0) return { problems: read.problems }
  }
  const result = inspectZenodoMetadata(
    recovered,
    file,
    sourceMap(read.text, read.scan.topLevel, read.position)
  )
  return {
    metadata: result.metadata,
    problems: [...read.problems, ...result.problems],
    positions: read.positions
  }
}

function sourceMap(
  text: string,
  topLevel: Map<string, KeySpan>,
  at: (offset: number) => Position
): SourceMap {
  return {
    position: key => {
      const span = topLevel.get(key)
      return span ? at(span.keyOffset) : undefined
    },
    raw: key => {
      const span = topLevel.get(key)
      return span ? text.slice(span.valueStart, span.valueEnd) : undefined
    }
  }
}

/**
 * Check an already-parsed value against the legacy .zenodo.json shape (also usable for the
 * `metadata` action input). Fields with a type error are reported and left out of the result;
 * unknown keys are reported (Zenodo drops them) and left out too.
 */
export function inspectZenodoMetadata(
  value: unknown,
  file: string,
  source: SourceMap = NO_SOURCE
): { metadata?: ZenodoMetadata; problems: Problem[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      problems: [
        {
          severity: 'error',
          file,
          field: '(top level)',
          message: `is ${describeJson(value)}, but Zenodo expects one JSON object of metadata fields`,
          fix: `write an object such as ${LEGACY_EXAMPLE}`
        }
      ]
    }
  }
  const object = value as Json
  // Another shape is read on as legacy metadata, as Zenodo reads it: Zenodo drops what it does not
  // know and refuses only what its legacy schema refuses, so the run says so and goes on.
  const shapeProblem = foreignShape(object, file)
  const problems: Problem[] = shapeProblem ? [shapeProblem] : []
  const metadata: ZenodoMetadata = {}
  const unknown: string[] = []
  for (const [key, fieldValue] of Object.entries(object)) {
    const shape = LEGACY_FIELDS[key]
    const where = source.position(key)
    if (shape === undefined) {
      unknown.push(key)
      problems.push(unknownKeyWarning(key, file, where))
      continue
    }
    const checked = checkField(key, fieldValue, shape, file, source)
    problems.push(...checked.problems.map(p => ({ ...p, ...where })))
    if (checked.keep) metadata[key] = checked.value
  }
  const known = Object.keys(object).length - unknown.length
  if (unknown.length >= 3 && unknown.length > known) {
    // Zenodo reads such a file anyway, dropping what it does not know: a warning, not a refusal.
    problems.unshift({
      severity: 'warning',
      file,
      field: '(top level)',
      message: `this is not Zenodo's legacy metadata format (the .zenodo.json format): most keys (${unknown.slice(0, 6).join(', ')}${unknown.length > 6 ? ', ...' : ''}) are not Zenodo deposit fields, and Zenodo silently ignores them (the record gets the release defaults for them)`,
      fix: `rewrite it with Zenodo's legacy deposit fields, e.g. ${LEGACY_EXAMPLE}`
    })
  }
  return { metadata, problems }
}

function describeJson(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** An InvenioRDM record, a deposit API body or another export instead of legacy metadata. */
function foreignShape(object: Json, file: string): Problem | undefined {
  const creators: unknown[] = Array.isArray(object.creators) ? object.creators : []
  const inner = isObject(object.metadata) ? object.metadata : undefined
  const innerCreators: unknown[] = inner && Array.isArray(inner.creators) ? inner.creators : []
  const rdmCreators = [...creators, ...innerCreators].some(c => isObject(c) && 'person_or_org' in c)
  const rdmType =
    isObject(object.resource_type) || (inner !== undefined && isObject(inner.resource_type))
  const rdmTopLevel = ['access', 'pids', 'files', 'parent'].some(k => isObject(object[k]))
  if (rdmCreators || rdmType || (inner !== undefined && rdmTopLevel)) {
    return {
      severity: 'warning',
      file,
      field: rdmCreators ? 'creators[].person_or_org' : inner ? 'metadata' : 'resource_type',
      message:
        'this is the new InvenioRDM record format (metadata.resource_type, creators[].person_or_org, ...); ' +
        'Zenodo reads .zenodo.json in its legacy deposit format only and silently ignores these fields (the record gets the release defaults for them; with api: rdm this file is taken as it is)',
      fix:
        'use the legacy fields at the top level: "upload_type": "software" instead of resource_type, ' +
        `creators as [{"name": "Doe, Jane", "affiliation": "...", "orcid": "..."}], "license": "MIT"; e.g. ${LEGACY_EXAMPLE}`
    }
  }
  if (inner !== undefined) {
    return {
      severity: 'warning',
      file,
      field: 'metadata',
      message:
        'the fields are wrapped in "metadata" (the shape of an API request body); ' +
        'Zenodo reads the fields of .zenodo.json at the top level and ignores everything inside "metadata" (the record gets the release defaults instead)',
      fix: 'move the fields inside "metadata" to the top level of the file and remove the "metadata" wrapper'
    }
  }
  return undefined
}

function suggestKey(key: string, candidates: readonly string[]): string | undefined {
  const alias = KEY_ALIASES[key.toLowerCase()]
  if (alias !== undefined && candidates.includes(alias)) return alias
  return closest(key, candidates)
}

/** Fixes for unknown keys whose content belongs in a legacy field of another shape. */
const SPECIAL_FIXES: Readonly<Partial<Record<string, string>>> = {
  resource_type:
    'use "upload_type" (e.g. "software"), plus "publication_type" or "image_type" for a subtype',
  // Zenodo's deposit API reads only keywords as subjects (docs/zenodo-api.md).
  subjects:
    'write the terms into "keywords" (the only subjects Zenodo\'s deposit API reads), or remove "subjects"'
}

/** Messages for keys that look like legacy fields but that Zenodo's deposit API does not read. */
const SPECIAL_MESSAGES: Readonly<Partial<Record<string, string>>> = {
  subjects:
    "is not read by Zenodo's deposit API (it makes subjects from keywords only), so Zenodo silently drops it; it will not appear on the record"
}

function unknownKeyWarning(
  key: string,
  file: string,
  where: { line: number; column: number } | undefined
): Problem {
  const special = SPECIAL_FIXES[key]
  const suggestion = special ? undefined : suggestKey(key, Object.keys(LEGACY_FIELDS))
  return {
    severity: 'warning',
    file,
    field: key,
    message:
      SPECIAL_MESSAGES[key] ??
      `"${key}" is not a Zenodo metadata field; Zenodo silently drops it${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
    fix:
      special ??
      (suggestion
        ? `rename "${key}" to "${suggestion}"`
        : `remove "${key}", or move its content into a Zenodo field such as "notes"`),
    ...where
  }
}

interface Checked {
  keep: boolean
  value?: unknown
  problems: Problem[]
}

function typeError(file: string, field: string, message: string, fix: string): Checked {
  return { keep: false, problems: [{ severity: 'error', file, field, message, fix }] }
}

function checkField(
  key: string,
  value: unknown,
  shape: FieldShape,
  file: string,
  source: SourceMap
): Checked {
  if (value === null) {
    return {
      keep: false,
      problems: [
        {
          severity: 'warning',
          file,
          field: key,
          message: `"${key}" is null, so it is ignored`,
          fix: `remove "${key}" or give it a value`
        }
      ]
    }
  }
  switch (shape) {
    case 'string':
      return checkString(key, value, file, source)
    case 'license':
      return checkLicenseShape(key, value, file)
    case 'people':
    case 'objects':
      return checkObjectList(key, value, file)
    case 'strings':
      return checkStringList(key, value, file)
    case 'object':
      return isObject(value)
        ? { keep: true, value, problems: [] }
        : typeError(
            file,
            key,
            `must be an object, not ${describeJson(value)}`,
            `write "${key}" as {...}`
          )
    case 'any':
      return { keep: true, value, problems: [] }
  }
}

function checkString(key: string, value: unknown, file: string, source: SourceMap): Checked {
  if (typeof value === 'string') return { keep: true, value, problems: [] }
  if (typeof value === 'number') {
    const raw = source.raw(key) ?? String(value)
    const text = /^-?[\d.eE+-]+$/.test(raw) ? raw : String(value)
    return {
      keep: true,
      value: text,
      problems: [
        {
          severity: 'warning',
          file,
          field: key,
          message: `"${key}" is a number (${text}), not a string; it is used as the text "${text}"`,
          fix: `write it in quotes: "${key}": "${text}"`
        }
      ]
    }
  }
  const fix =
    key === 'description' || key === 'notes' || key === 'method'
      ? `write "${key}" as one string (HTML such as <p>...</p> is allowed)`
      : `write "${key}" as a string in double quotes`
  // Zenodo's create and PUT drop a text field of another type without a word; only a field that
  // publish requires (the title) then makes publish fail (docs/zenodo-api.md, "Publish").
  if (!REQUIRED_AT_PUBLISH.has(key)) {
    return {
      keep: false,
      problems: [
        {
          severity: 'warning',
          file,
          field: key,
          message: `must be a string, not ${describeJson(value)}; Zenodo silently drops it, so the record keeps the release's default ${key} (if any)`,
          fix
        }
      ]
    }
  }
  return typeError(file, key, `must be a string, not ${describeJson(value)}`, fix)
}

/** Text fields Zenodo's publish cannot do without: dropping one of them makes publish fail. */
const REQUIRED_AT_PUBLISH = new Set(['title'])

function checkLicenseShape(key: string, value: unknown, file: string): Checked {
  if (typeof value === 'string') return { keep: true, value, problems: [] }
  if (isObject(value) && typeof value.id === 'string') return { keep: true, value, problems: [] }
  return typeError(
    file,
    key,
    `must be a license id string or an object with an "id", not ${describeJson(value)}${Array.isArray(value) ? ' (Zenodo takes exactly one license)' : ''}`,
    'write one license id, e.g. "license": "MIT" or "license": {"id": "CC-BY-4.0"}'
  )
}

const ELEMENT_EXAMPLES: Readonly<Record<string, string>> = {
  creators:
    '{"name": "Doe, Jane", "affiliation": "Example University", "orcid": "0000-0002-1825-0097"}',
  contributors: '{"name": "Doe, Jane", "type": "Editor"}',
  thesis_supervisors: '{"name": "Doe, Jane"}',
  related_identifiers: '{"identifier": "10.1234/example", "relation": "isSupplementTo"}',
  communities: '{"identifier": "my-community"}',
  grants: '{"id": "10.13039/501100000780::777541"}',
  locations: '{"place": "Geneva, Switzerland", "lat": 46.2, "lon": 6.1}',
  dates: '{"start": "2024-01-01", "end": "2024-12-31", "type": "Collected"}'
}

function elementFix(key: string, element: unknown): string {
  const example = ELEMENT_EXAMPLES[key] ?? '{...}'
  if (typeof element === 'string') {
    const field = key === 'communities' ? 'identifier' : key === 'grants' ? 'id' : 'name'
    if (key === 'related_identifiers') {
      return `write each entry as an object, e.g. {"identifier": ${JSON.stringify(element)}, "relation": "isSupplementTo"}`
    }
    return `write each entry as an object, e.g. {"${field}": ${JSON.stringify(element)}}`
  }
  return `write each entry as an object, e.g. ${example}`
}

function checkObjectList(key: string, value: unknown, file: string): Checked {
  const example = ELEMENT_EXAMPLES[key] ?? '{...}'
  if (isObject(value)) {
    return typeError(
      file,
      key,
      `must be a list of objects, not a single object`,
      `put the object in square brackets: "${key}": [${example}]`
    )
  }
  if (!Array.isArray(value)) {
    return typeError(
      file,
      key,
      `must be a list of objects, not ${describeJson(value)}`,
      `write "${key}": [${example}]`
    )
  }
  const problems: Problem[] = []
  value.forEach((element, index) => {
    if (!isObject(element)) {
      problems.push({
        severity: 'error',
        file,
        field: `${key}[${String(index)}]`,
        message: `must be an object, not ${describeJson(element)}${typeof element === 'string' ? ` (${JSON.stringify(element)})` : ''}`,
        fix: elementFix(key, element)
      })
    }
  })
  const errors = problems.filter(p => p.severity === 'error')
  if (errors.length > 3) {
    const first = errors[0]
    return {
      keep: false,
      problems: [
        {
          ...first,
          field: key,
          message: `${String(errors.length)} of the ${String(value.length)} entries are not objects (the first is ${first.field})`
        }
      ]
    }
  }
  if (errors.length > 0) return { keep: false, problems }
  return { keep: true, value, problems: unknownElementKeys(key, value as Json[], file) }
}

function unknownElementKeys(key: string, elements: Json[], file: string): Problem[] {
  const allowed = ELEMENT_KEYS[key]
  if (allowed === undefined) return []
  const found = new Map<string, number[]>()
  elements.forEach((element, index) => {
    for (const k of Object.keys(element)) {
      if (allowed.includes(k)) continue
      const indexes = found.get(k)
      if (indexes) indexes.push(index)
      else found.set(k, [index])
    }
  })
  return [...found].map(([k, indexes]) => {
    const suggestion = suggestKey(k, allowed)
    const count = indexes.length
    return {
      severity: 'warning' as const,
      file,
      field: `${key}[${String(indexes[0])}].${k}`,
      message: `"${k}" is not read by Zenodo in ${key}${count > 1 ? ` (found in ${String(count)} entries)` : ''}, so it is dropped${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      fix: suggestion
        ? `rename "${k}" to "${suggestion}"`
        : `remove "${k}"; ${key} entries take only ${allowed.map(a => `"${a}"`).join(', ')}`
    }
  })
}

function checkStringList(key: string, value: unknown, file: string): Checked {
  if (typeof value === 'string') {
    const parts = value
      .split(/[,;]/)
      .map(s => s.trim())
      .filter(s => s.length > 0)
    return typeError(
      file,
      key,
      `must be a list of strings, not one string`,
      `write "${key}": ${JSON.stringify(parts.length > 0 ? parts : ['first', 'second'])}`
    )
  }
  if (!Array.isArray(value)) {
    return typeError(
      file,
      key,
      `must be a list of strings, not ${describeJson(value)}`,
      `write "${key}": ["first", "second"]`
    )
  }
  const bad = value.findIndex(v => typeof v !== 'string')
  if (bad >= 0) {
    return typeError(
      file,
      `${key}[${String(bad)}]`,
      `must be a string, not ${describeJson(value[bad])}`,
      `write every entry of "${key}" as a string in double quotes`
    )
  }
  return { keep: true, value, problems: [] }
}
