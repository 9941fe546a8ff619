/**
 * Concept discovery: with `concept` left empty, find the Zenodo concept (all versions of
 * one record) that already holds this repository's releases, so a new release continues
 * it instead of forking a second record.
 *
 * A version links the repository when one of its related identifiers is
 * https://github.com/<owner>/<repo> or https://github.com/<owner>/<repo>/tree/<ref>, as
 * this action and Zenodo's GitHub integration write them (isSupplementTo, zenodo-rdm
 * site/zenodo_rdm/github/release.py). The deposition list holds the token owner's own
 * depositions, drafts and published, each with its related identifiers, and records made
 * by Zenodo's GitHub integration belong to the user who enabled it. Links are compared
 * without regard to case, http/https or www., a trailing slash, or a .git suffix;
 * octo-org/octo-repo-extra is not octo-org/octo-repo.
 *
 * Pure: the caller pages through GET /deposit/depositions (collectPages) and passes the
 * items; nothing here talks to Zenodo.
 */

/** The fields of a deposition list item this module reads (src/zenodo/client.ts Deposition fits). */
export interface ListedDeposition {
  id: number | string
  /** A string in Zenodo's answers; numbers are accepted too. */
  conceptrecid?: string | number
  conceptdoi?: string
  doi?: string
  title?: string
  submitted?: boolean
  state?: string
  metadata?: {
    title?: string
    version?: string
    related_identifiers?: { identifier?: string; relation?: string }[]
  }
}

export interface RepositoryRef {
  owner: string
  repo: string
}

export interface ConceptCandidate {
  conceptRecId: string
  /** The concept DOI, as Zenodo gave it or derived from a version DOI's prefix. */
  conceptDoi?: string
  /** The latest published version's title. */
  title: string
  /** The latest published version's `version` (e.g. the tag), when it has one. */
  latestVersion?: string
  /** The latest published version's record id: where a new version is made from. */
  latestId: number
  /** The related identifier, as written, by which this concept was found. */
  matchedLink: string
}

export type ConceptDecision =
  | { kind: 'none'; draftOnlyConcepts: string[] }
  | { kind: 'one'; candidate: ConceptCandidate; matchedLink: string }
  | { kind: 'many'; candidates: ConceptCandidate[] }

const GITHUB_LINK =
  /^(?:https?:\/\/)?(?:www\.)?github\.com\/([^/\s]+)\/([^/\s]+?)(?:\.git)?(?:\/tree\/(\S+?))?\/*$/i

/** The repository a related identifier links (owner/repo lower-cased), or undefined. */
export function linkedRepository(identifier: string): string | undefined {
  const m = GITHUB_LINK.exec(identifier.trim())
  if (!m?.[1] || !m[2]) return undefined
  return `${m[1]}/${m[2]}`.toLowerCase()
}

function published(item: ListedDeposition): boolean {
  return item.submitted === true || item.state === 'done' || item.conceptdoi !== undefined
}

function numericId(item: ListedDeposition): number {
  return typeof item.id === 'number' ? item.id : Number(item.id)
}

/** The link in `item` to `repo`, if any. */
function linkTo(item: ListedDeposition, repo: string): string | undefined {
  for (const r of item.metadata?.related_identifiers ?? []) {
    if (typeof r.identifier === 'string' && linkedRepository(r.identifier) === repo)
      return r.identifier
  }
  return undefined
}

/** The concept DOI: Zenodo's, else the prefix of a version DOI with the concept id. */
function conceptDoiOf(items: ListedDeposition[], conceptRecId: string): string | undefined {
  for (const i of items) if (i.conceptdoi) return i.conceptdoi
  for (const i of items) {
    const m = /^(10\.\d+\/zenodo\.)\d+$/i.exec(i.doi ?? '')
    if (m?.[1]) return `${m[1]}${conceptRecId}`
  }
  return undefined
}

/**
 * Group the list by concept and decide. A concept counts when one of its versions
 * (published or draft) links the repository and at least one version is published: a
 * concept that is only an unpublished draft cannot get a new version, so it is named
 * in `draftOnlyConcepts` instead.
 */
export function decideConcept(
  items: ListedDeposition[],
  repository: RepositoryRef
): ConceptDecision {
  const repo = `${repository.owner}/${repository.repo}`.toLowerCase()
  const byConcept = new Map<string, ListedDeposition[]>()
  const seen = new Set<string>()
  for (const item of items) {
    if (item.conceptrecid === undefined || String(item.conceptrecid).trim() === '') continue
    const key = String(item.id)
    if (seen.has(key)) continue // pages of an eventually consistent list can overlap
    seen.add(key)
    const concept = String(item.conceptrecid).trim()
    const group = byConcept.get(concept) ?? []
    group.push(item)
    byConcept.set(concept, group)
  }

  const candidates: ConceptCandidate[] = []
  const draftOnlyConcepts: string[] = []
  for (const [conceptRecId, group] of byConcept) {
    // The link of the newest published version that has one, else of a draft.
    const versions = group.filter(published).sort((a, b) => numericId(b) - numericId(a))
    const link = [...versions, ...group].map(i => linkTo(i, repo)).find(l => l !== undefined)
    if (link === undefined) continue
    const latest = versions.at(0)
    if (!latest) {
      draftOnlyConcepts.push(conceptRecId)
      continue
    }
    const conceptDoi = conceptDoiOf(versions, conceptRecId)
    const version = latest.metadata?.version
    candidates.push({
      conceptRecId,
      ...(conceptDoi === undefined ? {} : { conceptDoi }),
      title: latest.metadata?.title ?? latest.title ?? '',
      ...(version === undefined ? {} : { latestVersion: version }),
      latestId: numericId(latest),
      matchedLink: link
    })
  }
  candidates.sort(
    (a, b) =>
      Number(a.conceptRecId) - Number(b.conceptRecId) ||
      a.conceptRecId.localeCompare(b.conceptRecId)
  )

  const first = candidates.at(0)
  if (candidates.length === 0 || !first) return { kind: 'none', draftOnlyConcepts }
  if (candidates.length === 1)
    return { kind: 'one', candidate: first, matchedLink: first.matchedLink }
  return { kind: 'many', candidates }
}

/** One line per candidate: for the error that asks to set `concept`, and the dry run's plan. */
export function describeCandidate(c: ConceptCandidate): string {
  const parts = [`concept ${c.conceptRecId}`]
  if (c.conceptDoi) parts.push(`DOI ${c.conceptDoi}`)
  parts.push(`"${c.title}"`)
  parts.push(`latest version ${c.latestVersion ?? '(no version)'} (record ${String(c.latestId)})`)
  parts.push(`linked by ${c.matchedLink}`)
  return parts.join(', ')
}

export interface CollectOptions {
  /** Items asked per page (Zenodo: at most 100). */
  pageSize: number
  /** Pages read at most: the bound on requests. */
  maxPages: number
}

export interface Collected<T> {
  items: T[]
  pages: number
  /** False when maxPages was reached on a full page: there may be more. */
  complete: boolean
}

/**
 * Page through a list (pages numbered from 1) with `fetchPage`, at most `maxPages`
 * requests, stopping at the first page shorter than `pageSize`.
 */
export async function collectPages<T>(
  fetchPage: (page: number, size: number) => Promise<T[]>,
  opts: CollectOptions
): Promise<Collected<T>> {
  if (!Number.isInteger(opts.pageSize) || opts.pageSize < 1)
    throw new RangeError('pageSize must be a positive integer')
  if (!Number.isInteger(opts.maxPages) || opts.maxPages < 1)
    throw new RangeError('maxPages must be a positive integer')
  const items: T[] = []
  for (let page = 1; page <= opts.maxPages; page++) {
    const got = await fetchPage(page, opts.pageSize)
    items.push(...got)
    if (got.length < opts.pageSize) return { items, pages: page, complete: true }
  }
  return { items, pages: opts.maxPages, complete: false }
}
