/**
 * Merging the metadata layers. Precedence, lowest first: release defaults < metadata file <
 * version input (or tag) < `metadata` input. Fields replace each other whole (a shallow update,
 * as Zenodo does), except related_identifiers, whose entries are added to the default link to
 * the release tree.
 */
import type { Problem } from '../errors.js'
import type { Positions } from './json-syntax.js'
import type { MetadataSource } from './source.js'
import type { RelatedIdentifier, ZenodoMetadata } from './types.js'
import { inspectZenodoMetadata } from './zenodo-json.js'

/** Origin names used in messages. */
export const ORIGIN = {
  defaults: 'release defaults',
  input: 'the metadata input',
  version: 'the version input'
} as const

/** What buildMetadata merges. */
export interface BuildArgs {
  defaults: ZenodoMetadata
  source?: MetadataSource
  /** The version input, else the tag; undefined when neither (then the source's hints.version). */
  version?: string
  /** The release date if the release gives one (then the source's hints.date, else the defaults). */
  date?: string
  /** The `metadata` action input, already JSON-parsed. */
  inputMetadata?: ZenodoMetadata
  /** Where the input's fields sit in its text (problems about them get a line and column). */
  inputPositions?: Positions
}

/** The merged metadata, where each top-level field came from, and warnings about the merge. */
export interface BuildResult {
  metadata: ZenodoMetadata
  /**
   * Top-level field -> where its value came from ('release defaults', '.zenodo.json',
   * 'CITATION.cff', 'the metadata input', 'the version input'). Entries of related_identifiers
   * whose origin differs from the field's have their own key, e.g. "related_identifiers[2]".
   */
  origins: Record<string, string>
  /**
   * Warnings about the merge, and the shape problems of the `metadata` input (unknown keys,
   * wrong types: the same checks as for .zenodo.json).
   */
  problems: Problem[]
  /** File name -> where its fields sit (for validateMetadata's line numbers). */
  positions: Partial<Record<string, Positions>>
}

const RELATED = 'related_identifiers'

/**
 * Key of BuildResult.origins naming a metadata file that could not be read: validation then
 * makes no claim that a field is absent from it (such as "no license is given").
 */
export const UNREAD = '(unreadable file)'

function isEmptyValue(value: unknown): boolean {
  return (
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  )
}

/** Lay one layer over the metadata, field by field (related_identifiers excepted). */
function layer(
  metadata: ZenodoMetadata,
  origins: Record<string, string>,
  values: ZenodoMetadata,
  origin: string,
  problems: Problem[]
): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || key === RELATED) continue
    const current = metadata[key]
    if (isEmptyValue(value) && current !== undefined && !isEmptyValue(current)) {
      problems.push({
        severity: 'warning',
        file: origin,
        field: key,
        message: `"${key}" is empty, so the value from ${origins[key] ?? ORIGIN.defaults} is kept`,
        fix: `remove the empty "${key}", or give it a value`
      })
      continue
    }
    metadata[key] = value
    origins[key] = origin
  }
}

function relatedKey(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object') return undefined
  const { identifier, relation } = entry as Partial<RelatedIdentifier>
  if (typeof identifier !== 'string' || typeof relation !== 'string') return undefined
  return `${identifier.trim()}\u0000${relation.trim().toLowerCase()}`
}

/**
 * related_identifiers: the file's entries first (so their indexes match the file), then the
 * metadata input's, then the default link to the release tree; duplicates (same identifier and
 * relation) are kept once.
 */
function mergeRelated(
  layers: { values?: unknown; origin: string }[],
  metadata: ZenodoMetadata,
  origins: Record<string, string>,
  problems: Problem[]
): void {
  const merged: unknown[] = []
  const entryOrigins: string[] = []
  const seen = new Set<string>()
  let fieldOrigin: string | undefined
  for (const { values, origin } of layers) {
    if (values === undefined) continue
    if (!Array.isArray(values)) {
      problems.push({
        severity: 'error',
        file: origin,
        field: RELATED,
        message: 'must be a list of objects',
        fix: 'write "related_identifiers": [{"identifier": "10.1234/example", "relation": "isSupplementTo"}]'
      })
      continue
    }
    if (values.length > 0 && fieldOrigin === undefined) fieldOrigin = origin
    for (const entry of values) {
      const key = relatedKey(entry)
      if (key !== undefined && seen.has(key)) continue
      if (key !== undefined) seen.add(key)
      merged.push(entry)
      entryOrigins.push(origin)
    }
  }
  if (merged.length === 0) {
    delete metadata.related_identifiers
    return
  }
  metadata[RELATED] = merged as RelatedIdentifier[]
  const top = fieldOrigin ?? ORIGIN.defaults
  origins[RELATED] = top
  entryOrigins.forEach((origin, index) => {
    if (origin !== top) origins[`${RELATED}[${String(index)}]`] = origin
  })
}

/** Versions that differ only by a leading "v" ("v1.2" and "1.2") are the same. */
function sameVersion(a: string, b: string): boolean {
  const strip = (v: string): string => v.trim().replace(/^v(?=\d)/i, '')
  return strip(a) === strip(b)
}

function setVersion(
  args: BuildArgs,
  metadata: ZenodoMetadata,
  origins: Record<string, string>,
  problems: Problem[]
): void {
  const source = args.source
  const fileVersion = source?.metadata.version
  if (args.version !== undefined) {
    if (
      source &&
      typeof fileVersion === 'string' &&
      fileVersion.trim() !== '' &&
      fileVersion !== args.version
    ) {
      problems.push({
        severity: 'warning',
        file: source.file,
        field: 'version',
        message: `says version "${fileVersion}", but the release is published as version "${args.version}" (from the version input or the tag)`,
        fix: `remove "version" from ${source.file} (the release tag is used), or set the action's version input to "${fileVersion}"`
      })
    }
    const hinted = source?.hints.version
    if (
      source &&
      fileVersion === undefined &&
      hinted !== undefined &&
      !sameVersion(hinted, args.version)
    ) {
      problems.push({
        severity: 'warning',
        file: source.file,
        field: 'version',
        message: `says version "${hinted}", but the release is published as version "${args.version}"`,
        fix: `update "version" in ${source.file} for this release`
      })
    }
    metadata.version = args.version
    origins.version = ORIGIN.version
    return
  }
  if (source && fileVersion === undefined && source.hints.version !== undefined) {
    metadata.version = source.hints.version
    origins.version = source.file
  }
}

function setDate(
  args: BuildArgs,
  metadata: ZenodoMetadata,
  origins: Record<string, string>,
  problems: Problem[]
): void {
  const source = args.source
  const fileDate = source?.metadata.publication_date
  if (source && typeof fileDate === 'string' && fileDate.trim() !== '') {
    if (args.date !== undefined && args.date !== fileDate) {
      problems.push({
        severity: 'warning',
        file: source.file,
        field: 'publication_date',
        message: `sets publication_date "${fileDate}", which replaces the release date ${args.date}`,
        fix: `remove "publication_date" from ${source.file} to use the date of each release`
      })
    }
    return
  }
  if (args.date !== undefined) {
    metadata.publication_date = args.date
    origins.publication_date = ORIGIN.defaults
  } else if (source?.hints.date !== undefined) {
    metadata.publication_date = source.hints.date
    origins.publication_date = source.file
  }
}

/**
 * The `metadata` input goes through the same shape checks as .zenodo.json: unknown keys are
 * warned about and dropped, fields of the wrong type are reported and left out.
 */
function checkedInput(
  value: ZenodoMetadata,
  problems: Problem[],
  positions: Positions = {}
): ZenodoMetadata | undefined {
  const inspected = inspectZenodoMetadata(value, ORIGIN.input, {
    position: key => positions[key],
    raw: () => undefined
  })
  problems.push(...inspected.problems)
  return inspected.metadata
}

/** Merge release defaults, the metadata file, the version and the `metadata` input. */
export function buildMetadata(args: BuildArgs): BuildResult {
  const problems: Problem[] = []
  const metadata: ZenodoMetadata = {}
  const origins: Record<string, string> = {}
  layer(metadata, origins, args.defaults, ORIGIN.defaults, problems)
  if (args.source) layer(metadata, origins, args.source.metadata, args.source.file, problems)
  setVersion(args, metadata, origins, problems)
  setDate(args, metadata, origins, problems)
  const input = args.inputMetadata
    ? checkedInput(args.inputMetadata, problems, args.inputPositions)
    : undefined
  if (input) layer(metadata, origins, input, ORIGIN.input, problems)
  mergeRelated(
    [
      { values: args.source?.metadata[RELATED], origin: args.source?.file ?? '' },
      { values: input?.[RELATED], origin: ORIGIN.input },
      { values: args.defaults[RELATED], origin: ORIGIN.defaults }
    ],
    metadata,
    origins,
    problems
  )
  if (args.source?.unreadable === true) origins[UNREAD] = args.source.file
  const positions: Partial<Record<string, Positions>> = args.source?.positions
    ? { [args.source.file]: args.source.positions }
    : {}
  if (args.inputPositions) positions[ORIGIN.input] = args.inputPositions
  return { metadata, origins, problems, positions }
}
