/**
 * Communities named in the metadata are asked to include the record when it is published, and
 * a repository skips one it does not have: Zenodo's legacy publish without an error
 * (docs/zenodo-api.md, "Funding ... Communities"), InvenioRDM's inclusion request with an error
 * after the record is out (docs/inveniordm-api.md). So before anything is written each
 * identifier is looked up (GET /api/communities/{identifier}, read-only, both APIs); one the
 * repository does not have is a warning, never an error, since the repository itself publishes
 * the record without it. A lookup that fails for another reason is left alone (logged at debug
 * level) and the rest are not looked up: it never holds up a release.
 */
import * as core from '@actions/core'
import type { Problem } from '../errors.js'
import { logSafe } from '../format.js'

/** At most this many identifiers are looked up (one request each). */
const MAX_LOOKUPS = 20

/** A community named in the metadata, as planning found it (`id` when looked up). */
export interface PlannedCommunity {
  slug: string
  id?: string
}

/**
 * Resolves with the community's id, or undefined when the repository has no such community
 * (404); rejects for any other failure.
 */
export type CommunityLookup = (identifier: string) => Promise<string | undefined>

/**
 * Looks up each distinct identifier (blanks skipped): `planned` are the communities to ask at
 * publish (with their id when found, without it when not looked up), `problems` a warning for
 * each one the repository does not have. `file` names where the communities came from,
 * `service` the repository in messages, `site` its address (for the fix).
 */
export async function lookUpCommunities(
  identifiers: string[],
  lookup: CommunityLookup,
  o: { file: string; service: string; site: string }
): Promise<{ planned: PlannedCommunity[]; problems: Problem[] }> {
  const planned: PlannedCommunity[] = []
  const problems: Problem[] = []
  const slugs = [...new Set(identifiers.map(i => i.trim()).filter(i => i !== ''))]
  let looking = true
  for (const [n, slug] of slugs.entries()) {
    if (looking && n === MAX_LOOKUPS) {
      core.info(
        `Only the first ${String(MAX_LOOKUPS)} communities were looked up; the others are asked at publish unchecked.`
      )
      looking = false
    }
    if (!looking) {
      planned.push({ slug })
      continue
    }
    let id: string | undefined
    try {
      id = await lookup(slug)
    } catch (e) {
      // The repository is unwell (its retries are used up): the rest are not looked up either.
      core.debug(`Looking up community ${logSafe(slug)} failed: ${logSafe((e as Error).message)}`)
      looking = false
      planned.push({ slug })
      continue
    }
    if (id !== undefined) {
      core.info(`Community ${logSafe(slug)} exists; it is asked to include the record at publish.`)
      planned.push({ slug, id })
      continue
    }
    problems.push({
      severity: 'warning',
      file: o.file,
      field: 'communities',
      message: `${o.service} has no community "${slug}", so the record would be published without it`,
      fix: `use the identifier at the end of the community's address (${o.site}/communities/<identifier>), or remove it`
    })
  }
  return { planned, problems }
}
