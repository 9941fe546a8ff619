/**
 * Communities named in legacy metadata (`communities: [{identifier}]`) are asked to include the
 * record when it is published, and Zenodo skips one it cannot include without an error
 * (docs/zenodo-api.md, "Funding ... Communities"): a misspelt identifier means a record that is
 * quietly in no community. Before anything is written, each identifier is looked up
 * (GET /api/communities/{identifier}, read-only); one Zenodo does not have is a warning, never
 * an error, since Zenodo itself publishes the record without it. A lookup that fails for another
 * reason is left alone (logged at debug level), and the rest are not looked up: it never holds
 * up a release.
 */
import * as core from '@actions/core'
import type { Problem } from '../errors.js'
import { logSafe } from '../format.js'
import type { ZenodoMetadata } from '../metadata/types.js'
import type { ReadOnlyZenodo } from './deposition.js'

/** At most this many identifiers are looked up (one request each). */
const MAX_LOOKUPS = 20

/**
 * Warnings for the communities in `metadata` that Zenodo does not have. `origin` names the file
 * the communities came from, `site` is Zenodo's address (for the fix).
 */
export async function unknownCommunities(
  client: Pick<ReadOnlyZenodo, 'communityExists'>,
  metadata: ZenodoMetadata,
  origin: string,
  site: string
): Promise<Problem[]> {
  const problems: Problem[] = []
  const seen = new Set<string>()
  for (const c of metadata.communities ?? []) {
    const id = typeof c.identifier === 'string' ? c.identifier.trim() : ''
    if (!id || seen.has(id)) continue
    if (seen.size === MAX_LOOKUPS) {
      core.info(
        `Only the first ${String(MAX_LOOKUPS)} communities were looked up; the others are asked at publish unchecked.`
      )
      break
    }
    seen.add(id)
    let exists: boolean
    try {
      exists = await client.communityExists(id)
    } catch (e) {
      // Zenodo is unwell (its retries are used up): the rest are not looked up either.
      core.debug(`Looking up community ${logSafe(id)} failed: ${logSafe((e as Error).message)}`)
      break
    }
    if (exists) {
      core.info(`Community ${logSafe(id)} exists; it is asked to include the record at publish.`)
      continue
    }
    problems.push({
      severity: 'warning',
      file: origin,
      field: 'communities',
      message: `Zenodo has no community "${id}"; it skips it at publish without an error, so the record would be in no such community`,
      fix: `use the identifier at the end of the community's address (${site}/communities/<identifier>), or remove it`
    })
  }
  return problems
}
