/**
 * GET /api/communities/{slug} on Zenodo without the native API switched on (the `rdm` option
 * has its own): a community Zenodo has answers 200 with its id and slug, any other 404, as
 * InvenioRDM's communities resource does (docs/inveniordm-api.md). The legacy deposit API
 * takes `communities: [{identifier}]` in metadata and, at publish, skips one it cannot include
 * without an error (docs/zenodo-api.md); this lookup is how a client can tell beforehand.
 */
import { createHash } from 'node:crypto'
import type { Env } from './context.js'
import { apiError, json, type Reply } from './http-util.js'

export function communityReply(env: Env, slug: string): Reply {
  const known = env.opts.communities ?? ['zenodo']
  if (!known.includes(slug)) {
    throw apiError(404, 'The persistent identifier does not exist.')
  }
  // A stable UUID-shaped id per slug.
  const h = createHash('md5').update(slug).digest('hex')
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
  return json(200, {
    id,
    slug,
    metadata: { title: slug },
    links: {
      self: `${env.store.apiUrl}/communities/${id}`,
      self_html: `${env.store.url}/communities/${slug}`
    }
  })
}
