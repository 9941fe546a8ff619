/**
 * Which deposition a release goes into, as rules over plain records: a release's identity, when
 * a draft is provably this action's own leftover, and which of two runs of one release goes on.
 * Nothing here speaks HTTP: the legacy deposit API (src/zenodo/deposition.ts) is one source of
 * these records, and an InvenioRDM client can be another.
 */

/** How a release is recognised on the server: the link to its source tree at its tag. */
export interface ReleaseIdentity {
  /** e.g. https://github.com/owner/repo/tree/v1.2.0 (compared case-insensitively) */
  link: string
}

/** A file a record or draft holds. */
export interface EntryFile {
  name: string
  /** Bare md5 hex. */
  md5: string
}

/** A record or draft, as the rules need to see it (whatever wire format it came from). */
export interface Entry {
  id: number
  /** The concept (parent) id; '' when unknown. */
  conceptId: string
  published: boolean
  title: string
  /** The page where a person sees and edits it. */
  pageUrl: string
  /** Every related identifier's value (the release link is one of them). */
  relatedLinks: string[]
  /** Metadata as the server shows it (compared between a draft and the version it copies). */
  metadata: Record<string, unknown>
  files: EntryFile[]
}

/** A file this run would upload: its name, and its md5 when known before the upload. */
export interface PlannedUpload {
  name: string
  md5?: string
}

/**
 * Where the release goes; decided read-only, carried out by execute(). Ids are numbers on the
 * legacy deposit API and strings ("abcde-12345") on InvenioRDM's native API.
 */
export type TargetPlan<Id extends number | string = number> =
  | { kind: 'create' }
  | {
      kind: 'new-version'
      conceptId: string
      conceptDoi?: string
      /** The latest published version, which the new draft is built from. */
      latestId: Id
    }
  | {
      kind: 'adopt'
      draftId: Id
      conceptId: string
      /** The latest published version when the draft is a new version of a concept. */
      latestId?: Id
      /** Why the draft is this action's own (for the log). */
      why: string
    }
  | { kind: 'published'; recordId: Id; conceptId: string; conceptDoi?: string }
  | { kind: 'blocked'; reason: string; draft: { id: Id; title: string; pageUrl: string } }

/** Normalises a link for comparison: no trailing slash, lower case. */
function normLink(link: string): string {
  return link.trim().replace(/\/+$/, '').toLowerCase()
}

/** True when the entry carries this release's identity (its tree link). */
export function carriesIdentity(entry: Pick<Entry, 'relatedLinks'>, id: ReleaseIdentity): boolean {
  const want = normLink(id.link)
  return entry.relatedLinks.some(l => normLink(l) === want)
}

/** Metadata fields a new-version copy changes by itself (or a run sets), ignored when comparing. */
const COPY_FIELDS = new Set(['version', 'publication_date', 'doi', 'prereserve_doi'])

function withoutCopyFields(m: Record<string, unknown>): string {
  const keys = Object.keys(m)
    .filter(k => !COPY_FIELDS.has(k) && m[k] !== undefined)
    .sort()
  return JSON.stringify(keys.map(k => [k, m[k]]))
}

/** True when the draft's metadata is the previous version's, but for what a new version changes. */
export function sameAsPrevious(draft: Entry, previous: Entry | undefined): boolean {
  return (
    previous !== undefined &&
    withoutCopyFields(draft.metadata) === withoutCopyFields(previous.metadata)
  )
}

/** The files of a draft that neither the previous version nor this release's uploads explain. */
export function foreignFiles(
  draft: Entry,
  previous: Entry | undefined,
  planned: PlannedUpload[]
): EntryFile[] {
  const inherited = new Set((previous?.files ?? []).map(f => `${f.name}\n${f.md5}`))
  const uploads = new Map(planned.map(p => [p.name, p.md5]))
  return draft.files.filter(f => {
    if (inherited.has(`${f.name}\n${f.md5}`)) return false
    if (!uploads.has(f.name)) return true
    const md5 = uploads.get(f.name)
    return md5 !== undefined && md5 !== f.md5
  })
}

/** Whether an unpublished draft is provably this action's own leftover, and why (or why not). */
export function judgeDraft(
  draft: Entry,
  o: { identity: ReleaseIdentity; previous?: Entry; planned: PlannedUpload[] }
): { owned: true; why: string } | { owned: false; why: string } {
  const foreign = foreignFiles(draft, o.previous, o.planned)
  if (foreign.length) {
    return {
      owned: false,
      why: `it holds file${foreign.length === 1 ? '' : 's'} that neither the previous version nor this release has (${foreign
        .slice(0, 5)
        .map(f => f.name)
        .join(', ')}${foreign.length > 5 ? ', …' : ''})`
    }
  }
  if (carriesIdentity(draft, o.identity))
    return { owned: true, why: 'it is a draft of this release' }
  if (sameAsPrevious(draft, o.previous)) {
    return { owned: true, why: 'it is an untouched new-version copy of the previous version' }
  }
  return {
    owned: false,
    why: o.previous
      ? 'its metadata differs from the previous version and does not name this release'
      : 'it does not name this release'
  }
}

/** The message when a person's draft stands in the way: what it is, and how to go on. */
export function blockedMessage(
  b: Extract<TargetPlan<number | string>, { kind: 'blocked' }>,
  service = 'Zenodo'
): string {
  return `${service.charAt(0).toUpperCase()}${service.slice(1)} holds an unpublished draft that this action did not make: ${typeof b.draft.id === 'number' ? 'deposition' : 'draft'} ${String(b.draft.id)} "${b.draft.title}" (${b.draft.pageUrl}); ${b.reason}. Nothing was changed. Publish or discard that draft on ${service}, then run this release again.`
}

/**
 * Of several runs of one release, which goes on: a published version of the release wins;
 * otherwise the draft with the lowest id. Returns the winner's id, or undefined when `ownId`
 * goes on.
 */
export function rivalWinner(
  ownId: number,
  rivals: Pick<Entry, 'id' | 'published'>[]
): { id: number; published: boolean } | undefined {
  const others = rivals.filter(r => r.id !== ownId)
  const published = others.find(r => r.published)
  if (published) return { id: published.id, published: true }
  const lower = others
    .filter(r => r.id < ownId)
    .sort((a, b) => a.id - b.id)
    .at(0)
  return lower ? { id: lower.id, published: false } : undefined
}
