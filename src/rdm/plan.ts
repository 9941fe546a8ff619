/**
 * The InvenioRDM side of planning, read-only: the release's metadata as an InvenioRDM record body
 * (the merged legacy metadata mapped as Zenodo maps it, or an InvenioRDM-shaped metadata file
 * taken as it is), checked against what publish requires and against the repository's own
 * vocabularies (GET /api/vocabularies/<type>), and the target (src/rdm/target.ts). Every problem
 * is found here, before the first write, naming the file, the field and the fix.
 */
import * as core from '@actions/core'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Problem } from '../errors.js'
import { HttpError, type HttpClient } from '../http.js'
import { descriptionHtmlProblem } from '../metadata/description-html.js'
import { CITATION_FILE } from '../metadata/source.js'
import type { ZenodoMetadata } from '../metadata/types.js'
import type { Settings } from '../settings.js'
import { lookUpCommunities, type PlannedCommunity } from '../zenodo/communities.js'
import type { PlannedUpload, ReleaseIdentity } from '../target.js'
import { RdmClient } from './client.js'
import {
  fromRdmFile,
  isRdmShaped,
  legacyToRdm,
  publishProblems,
  type MappedRecord
} from './metadata.js'
import { resolveRdmTarget, type RdmResolution } from './target.js'
import { validateAgainstInstance } from './vocabularies.js'

/** What an InvenioRDM run carries from planning to execute. */
export interface RdmPlan extends RdmResolution {
  client: RdmClient
  /** The record body to save, and the communities to ask for inclusion. */
  mapped: MappedRecord
  /** The file the metadata came from (for problems). */
  file: string
  /** How the repository is named in messages ("Zenodo", or "the repository at <host>"). */
  service: string
  /**
   * The communities to ask at publish, looked up while planning: `id` when found; without it
   * when the lookup failed for another reason than 404 (asked again at publish). Those the
   * repository does not have are left out, with a warning.
   */
  communities?: PlannedCommunity[]
}

/** An InvenioRDM-shaped metadata file, read as it is (api rdm only). */
export interface RdmShapedFile {
  file: string
  json: Record<string, unknown>
}

/** The hosts of Zenodo, named "Zenodo" in messages; any other is "the repository at <host>". */
const ZENODO_HOSTS = new Set(['zenodo.org', 'sandbox.zenodo.org'])

/** How messages name the repository at this URL. */
export function repositoryName(zenodoUrl: string): string {
  const host = new URL(zenodoUrl).host
  return ZENODO_HOSTS.has(host) ? 'Zenodo' : `the repository at ${host}`
}

/**
 * The metadata file when it is already InvenioRDM-shaped (taken as it is, the legacy pipeline
 * skipped); undefined for a .zenodo.json in the legacy shape, a CITATION.cff, or no file.
 */
export async function readRdmShapedFile(settings: Settings): Promise<RdmShapedFile | undefined> {
  const path = join(settings.workspace, settings.metadataFile)
  try {
    if (!(await stat(path)).isFile()) return undefined
  } catch {
    return undefined
  }
  let json: unknown
  try {
    json = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''))
  } catch {
    return undefined // the legacy reader reports the syntax error with its line and column
  }
  if (!isRdmShaped(json)) return undefined
  return { file: settings.metadataFile, json: json as Record<string, unknown> }
}

/**
 * The few fields of an InvenioRDM-shaped file the rest of the run reads in the legacy model
 * (the summary's title, the version).
 */
export function rdmFileSummary(f: RdmShapedFile, version: string): ZenodoMetadata {
  const meta = isObject(f.json.metadata) ? f.json.metadata : {}
  return {
    title: typeof meta.title === 'string' ? meta.title : '',
    version: typeof meta.version === 'string' ? meta.version : version
  }
}

export interface PlanRdmOptions {
  settings: Settings
  http: HttpClient
  /** The merged legacy metadata (ignored when rdmFile is given). */
  metadata: ZenodoMetadata
  /** Where each legacy field came from (".zenodo.json", "release defaults", ...). */
  origins?: Record<string, string>
  rdmFile?: RdmShapedFile
  identity: ReleaseIdentity
  version: string
  /** YYYY-MM-DD of the release (publication_date when the metadata has none). */
  releaseDate?: string
  planned: () => Promise<PlannedUpload[]>
}

/** Maps and validates the metadata, then resolves the target; problems are returned, not thrown. */
export async function planRdm(o: PlanRdmOptions): Promise<{ plan: RdmPlan; problems: Problem[] }> {
  const { settings } = o
  const client = new RdmClient({ apiUrl: settings.apiUrl, http: o.http })
  const service = repositoryName(settings.zenodoUrl)
  const file = o.rdmFile?.file ?? (await metadataFileName(settings))
  const today = o.releaseDate ?? new Date().toISOString().slice(0, 10)
  const mapped = o.rdmFile
    ? withRelease(fromRdmFile(o.rdmFile.json), o.identity, o.version, today)
    : legacyToRdm(o.metadata, {
        file,
        today,
        // Zenodo's own deserializer sets it; other repositories apply their own default
        ...(service === 'Zenodo' ? { publisher: 'Zenodo' } : {})
      })
  const problems = [
    ...(o.rdmFile && settings.metadata ? [metadataInputOverRdmFile(o.rdmFile.file)] : []),
    ...mapped.problems,
    ...(o.rdmFile ? publishProblems(mapped.body, file) : []),
    ...(o.rdmFile ? rdmDescriptionWarning(mapped.body.metadata.description, file, service) : []),
    ...(await validateAgainstInstance(client, mapped, { file, instance: settings.zenodoUrl }))
  ].map(p => attribute(p, file, o.origins ?? {}))
  core.debug(`InvenioRDM record body: ${JSON.stringify(mapped.body)}`)
  if (problems.some(p => p.severity === 'error')) {
    return { plan: { client, mapped, file, service, target: { kind: 'create' } }, problems }
  }
  const resolution = await resolveRdmTarget(client, {
    concept: settings.concept,
    identity: o.identity,
    repositoryUrl: o.identity.link.replace(/\/tree\/.*$/, ''),
    planned: o.planned
  })
  const communities = await lookUpCommunities(
    mapped.communities,
    async slug => {
      try {
        return (await client.getCommunity(slug)).id
      } catch (e) {
        if (e instanceof HttpError && e.status === 404) return undefined
        throw e
      }
    },
    { file, service, site: settings.zenodoUrl }
  )
  problems.push(...communities.problems)
  return {
    plan: { client, mapped, file, service, communities: communities.planned, ...resolution },
    problems
  }
}

/**
 * An InvenioRDM-shaped file gets what the action adds to every release: the version and
 * publication date when it has none, and the link to the release's tree (its identity).
 */
function withRelease(
  mapped: MappedRecord,
  identity: ReleaseIdentity,
  version: string,
  date: string
): MappedRecord {
  const m = mapped.body.metadata
  if (typeof m.version !== 'string' || !m.version) m.version = version
  if (m.publication_date === undefined) m.publication_date = date
  const related: unknown[] = Array.isArray(m.related_identifiers) ? m.related_identifiers : []
  const has = related.some(
    r =>
      isObject(r) &&
      typeof r.identifier === 'string' &&
      r.identifier.toLowerCase() === identity.link.toLowerCase()
  )
  if (!has) {
    related.push({
      identifier: identity.link,
      scheme: 'url',
      relation_type: { id: 'issupplementto' },
      resource_type: { id: 'software' }
    })
  }
  m.related_identifiers = related
  return mapped
}

/**
 * A problem about a legacy field names the file the field's value came from (the release's
 * defaults or the metadata input rather than the metadata file, when that is where it was set).
 */
function attribute(p: Problem, file: string, origins: Record<string, string>): Problem {
  if (p.file !== file) return p
  const candidates = [p.field, p.field.replace(/\].*$/, ']'), /^[^.[]+/.exec(p.field)?.[0] ?? '']
  const from = candidates.map(c => origins[c]).find(Boolean)
  return from && from !== file ? { ...p, file: from } : p
}

/**
 * The HTML of an InvenioRDM-shaped file's description that the repository's sanitizer drops (a
 * legacy-shaped description is checked with the rest of the legacy metadata, in src/plan.ts).
 */
function rdmDescriptionWarning(description: unknown, file: string, service: string): Problem[] {
  if (typeof description !== 'string') return []
  const problem = descriptionHtmlProblem(description, {
    file,
    field: 'metadata.description',
    service
  })
  return problem ? [problem] : []
}

/** The metadata input holds legacy fields, which cannot be laid over an InvenioRDM-shaped file. */
function metadataInputOverRdmFile(file: string): Problem {
  return {
    severity: 'error',
    file: 'action input',
    field: 'metadata',
    message: `holds Zenodo (legacy) metadata fields, which cannot be laid over ${file}, an InvenioRDM-shaped file taken as it is`,
    fix: `write those fields into ${file} in InvenioRDM's shape, or remove the metadata input`
  }
}

/** The file the legacy metadata came from: the metadata file, else CITATION.cff, else the inputs. */
async function metadataFileName(settings: Settings): Promise<string> {
  for (const name of [settings.metadataFile, CITATION_FILE]) {
    try {
      if ((await stat(join(settings.workspace, name))).isFile()) return name
    } catch {
      // not there
    }
  }
  return 'action input'
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
