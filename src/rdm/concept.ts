/**
 * Finding a release's record on an InvenioRDM repository, read-only: the `concept` input (the
 * parent's id or DOI, or any version's id, DOI or URL) resolved to the parent and its latest
 * version; discovery by the repository link through the token owner's records
 * (/api/user/records); and the parent's unpublished draft, if any. Sources:
 * https://inveniordm.docs.cern.ch/reference/rest_api_drafts_records/ (records, versions, user
 * records); docs/inveniordm-api.md "Behaviours" 9 and 10.
 */
import { ActionError } from '../errors.js'
import { HttpError } from '../http.js'
import type { RdmClient, RdmRecord } from './client.js'

/** What the `concept` input names. */
export type RecordRef = { kind: 'id'; id: string } | { kind: 'doi'; doi: string }

/** A parent (concept) as found: its id, DOI if minted, latest published version, open draft. */
export interface FoundConcept {
  parentId: string
  /** Absent on instances that mint no parent DOI. */
  parentDoi?: string
  /** The latest published version; absent when only a first draft exists. */
  latest?: RdmRecord
  /** The parent's unpublished draft (a first version's or a new version's), if any. */
  draft?: RdmRecord
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * Parses the `concept` input: a record or parent id ("abcde-12345", "1234567"), a DOI (bare,
 * doi:, or a doi.org URL), or a URL of the repository's record page (/records/<id>,
 * /api/records/<id>, /uploads/<id>). Throws naming the input and the accepted forms.
 */
export function parseRecordRef(value: string): RecordRef {
  const v = value.trim()
  const doi = v.replace(/^doi:\s*/i, '').replace(/^https?:\/\/(dx\.)?doi\.org\//i, '')
  if (/^10\.\d{4,9}\/\S+$/.test(doi)) return { kind: 'doi', doi: decodeURIComponent(doi) }
  if (ID.test(v) && !v.includes('.')) return { kind: 'id', id: v }
  let url: URL | undefined
  try {
    url = new URL(v)
  } catch {
    url = undefined
  }
  if (url && /^https?:$/.test(url.protocol)) {
    const m = /\/(?:api\/)?(?:records|uploads)\/([A-Za-z0-9._-]+)(?:\/|$)/.exec(url.pathname)
    if (m) return { kind: 'id', id: m[1] }
  }
  throw new ActionError(
    `Input 'concept': "${value}" is not a record id, DOI, DOI URL or record URL. Use e.g. abcde-12345, 10.22002/abcde-12345, https://doi.org/10.22002/abcde-12345 or https://<repository>/records/abcde-12345.`
  )
}

/**
 * Resolves the `concept` input to its parent, latest version and open draft. A version id gives
 * its parent; an id that is no record is tried as a parent id; a DOI is looked up among the
 * token owner's records, as a version's or the parent's DOI. Throws an ActionError when nothing
 * of the token owner's matches.
 */
export async function resolveConcept(client: RdmClient, value: string): Promise<FoundConcept> {
  const ref = parseRecordRef(value)
  let hit: RdmRecord | undefined
  if (ref.kind === 'id') {
    hit = await recordOrUndefined(client, ref.id)
    hit ??= await firstUserRecord(client, `parent.id:"${ref.id}"`)
    hit ??= await firstUserRecord(client, `id:"${ref.id}"`)
  } else {
    hit =
      (await firstUserRecord(client, `pids.doi.identifier:"${ref.doi}"`)) ??
      (await firstUserRecord(client, `parent.pids.doi.identifier:"${ref.doi}"`))
  }
  if (!hit?.parent.id) {
    throw new ActionError(
      `Input 'concept': "${value}" names no record of this token's owner on the repository. Give the id or DOI of a record you own (its page, or any version's).`
    )
  }
  return conceptOf(client, hit.parent.id)
}

/** The parent's latest published version and its open draft (from /api/user/records). */
export async function conceptOf(client: RdmClient, parentId: string): Promise<FoundConcept> {
  let latest: RdmRecord | undefined
  let draft: RdmRecord | undefined
  for await (const r of client.userRecords(
    { q: `parent.id:"${parentId}"`, allVersions: true },
    10
  )) {
    if (r.parent.id !== parentId) continue
    if (r.is_draft && !r.is_published) draft ??= r
    else if (!r.is_draft && (!latest || (r.versions?.index ?? 0) > (latest.versions?.index ?? 0))) {
      latest = r
    }
  }
  if (latest) {
    // the search is eventually consistent: the record's own latest-version link is authoritative
    latest = await client.getLatestVersion(latest.id)
  }
  const parentDoi = (latest ?? draft)?.parent.pids?.doi?.identifier
  return {
    parentId,
    ...(parentDoi ? { parentDoi } : {}),
    ...(latest ? { latest } : {}),
    ...(draft ? { draft } : {})
  }
}

async function recordOrUndefined(client: RdmClient, id: string): Promise<RdmRecord | undefined> {
  try {
    return await client.getRecord(id)
  } catch (e) {
    if (e instanceof HttpError && e.status === 404) return undefined
    throw e
  }
}

async function firstUserRecord(client: RdmClient, q: string): Promise<RdmRecord | undefined> {
  const page = await client.searchUserRecords({ q, size: 1, allVersions: true })
  return page.hits[0]
}
