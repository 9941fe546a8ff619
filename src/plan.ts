/**
 * Everything a run decides before it writes: settings, the release, the metadata, the files, and
 * where on Zenodo the release goes. Only read-only calls reach Zenodo from here (resolveTarget
 * takes the ReadOnlyZenodo view of the client); a dry run renders the returned Plan and stops.
 */
import * as core from '@actions/core'
import { join } from 'node:path'
import { ValidationError, formatProblem, type Problem } from './errors.js'
import { logSafe } from './format.js'
import { planFiles, resolveArchiveName, MANIFEST_NAME, type FilePlan } from './files/plan.js'
import { hashFile } from './files/hash.js'
import { downloadReleaseAssets } from './github/assets.js'
import {
  githubClient,
  loadCreators,
  loadReleaseContext,
  type ReleaseContext
} from './github/release.js'
import { HttpClient, type TokenSource } from './http.js'
import { buildMetadata, ORIGIN, type BuildResult } from './metadata/build.js'
import { descriptionHtmlProblem } from './metadata/description-html.js'
import { releaseDefaults, releaseTreeUrl } from './metadata/defaults.js'
import { renderMetadataForLog } from './metadata/log-render.js'
import { readMetadataSource } from './metadata/source.js'
import type { ZenodoMetadata } from './metadata/types.js'
import { normalizeForZenodo, validateMetadata } from './metadata/validate.js'
import { getSettings, type Settings } from './settings.js'
import type { PlannedUpload, ReleaseIdentity, TargetPlan } from './target.js'
import { ZenodoClient } from './zenodo/client.js'
import { lookUpCommunities } from './zenodo/communities.js'
import { parseConcept } from './zenodo/concept.js'
import { resolveTarget } from './zenodo/deposition.js'
import {
  describeConcept,
  findConcept,
  isNewConcept,
  type ConceptChoice
} from './zenodo/find-concept.js'
import {
  finalRecordFiles,
  previewCitedMembers,
  softwareHeritageCheck,
  type RecordFile
} from './cite/steps.js'
import { OAuthToken, StaticToken } from './zenodo/oauth.js'
import {
  planRdm,
  rdmFileSummary,
  readRdmShapedFile,
  repositoryName,
  type RdmPlan
} from './rdm/plan.js'
import { USER_AGENT } from './version.js'

/** The connection to Zenodo a run uses (planning calls only its read-only methods). */
export interface Connection {
  http: HttpClient
  client: ZenodoClient
  sleep: (ms: number) => Promise<void>
}

/** What a run will do, decided without writing anything. */
export interface Plan {
  settings: Settings
  release: ReleaseContext
  /** How the release is recognised on Zenodo: its tree link (version and title do not matter). */
  identity: ReleaseIdentity
  version: string
  metadata: ZenodoMetadata
  files: FilePlan
  archiveName: string
  /** Every name this run uploads (files, the archive and its manifest). */
  uploadNames: Set<string>
  /** Numbers are the legacy API's ids; strings InvenioRDM's (then `rdm` is set). */
  target: TargetPlan | TargetPlan<string>
  /** The InvenioRDM side of the plan, when settings.api is 'rdm' (src/rdm/plan.ts). */
  rdm?: RdmPlan
  /** Warnings (errors stop planning with a ValidationError). */
  problems: Problem[]
  connection: Connection
  /**
   * How the concept was chosen on the legacy API: the input, `new`, or found among the user's
   * depositions (on InvenioRDM, src/rdm/target.ts finds the record and logs how).
   */
  conceptChoice?: ConceptChoice
  /** Why the record will not go to Software Heritage (empty when it will, or is not software). */
  softwareHeritage: string[]
  /** Archive members whose archived copy will carry the version DOI (cite-in-archive). */
  cited: string[]
}

/** Reads and checks everything, then decides the target with read-only Zenodo calls. */
export async function plan(scratch: string): Promise<Plan> {
  const settings = await core.group('Settings', () => Promise.resolve(getSettings()))
  const newConcept = isNewConcept(settings.concept)
  const conceptId =
    settings.concept && !newConcept && settings.api === 'legacy'
      ? parseConcept(settings.concept)
      : undefined
  const octokit = githubClient(settings.githubToken)

  const release = await core.group('Release', () => loadRelease(settings, octokit))
  const version = settings.version || release.release.tag
  const identity: ReleaseIdentity = { link: releaseTreeUrl(release.release, release.repo) }
  const rdmFile = settings.api === 'rdm' ? await readRdmShapedFile(settings) : undefined
  const {
    metadata,
    problems: metadataProblems,
    origins
  } = await core.group('Metadata', async () =>
    rdmFile
      ? { metadata: rdmFileSummary(rdmFile, version), problems: [], origins: {} }
      : prepareMetadata(settings, release, octokit, version)
  )

  const archiveName = resolveArchiveName(settings.archiveName, {
    owner: release.repo.owner,
    repo: release.repo.repo,
    tag: release.release.tag,
    version
  })
  const files = await core.group('Files', async () => {
    const extra = settings.releaseAssets
      ? await downloadReleaseAssets(release.assets, settings.githubToken, join(scratch, 'assets'))
      : []
    const planned = await planFiles({
      workspace: settings.workspace,
      files: settings.files,
      archive: settings.archive,
      archiveName,
      manifest: settings.manifest,
      manifestBeside: settings.manifestUpload,
      ifNoFilesFound: settings.ifNoFilesFound,
      extra
    })
    logMatched(planned, archiveName)
    return planned
  })
  const citing =
    settings.citeInArchive && files.archiveMembers.length
      ? await previewCitedMembers(files.archiveMembers, {
          version,
          ...releaseDate(metadata)
        })
      : { cited: [], problems: [] }
  const problems = [
    ...metadataProblems,
    ...files.problems,
    ...publishableProblems(settings, files),
    ...citing.problems
  ]
  reportProblems(problems)
  if (problems.some(p => p.severity === 'error')) throw new ValidationError(problems)

  const uploadNames = new Set(files.uploads.map(f => f.name))
  if (files.archiveMembers.length) {
    uploadNames.add(archiveName)
    if (settings.manifestUpload) uploadNames.add(MANIFEST_NAME)
  }
  const connection = connect(settings)
  const rdm =
    settings.api === 'rdm'
      ? await core.group(`${repositoryName(settings.zenodoUrl)} (read-only)`, () =>
          planRdm({
            settings,
            http: connection.http,
            metadata,
            origins,
            rdmFile,
            identity,
            version,
            releaseDate: release.release.publishedAt?.slice(0, 10),
            planned: () => plannedUploads(files, uploadNames)
          })
        )
      : undefined
  if (rdm) stopOnProblems(problems, rdm.problems, rdm.plan.service)
  if (!rdm && metadata.communities?.length) {
    const { problems: unknown } = await core.group('Communities (read-only)', () =>
      lookUpCommunities(
        metadata.communities?.map(c => c.identifier) ?? [],
        id => connection.client.communityId(id),
        {
          file: (origins as Partial<Record<string, string>>).communities ?? ORIGIN.defaults,
          service: 'Zenodo',
          site: settings.zenodoUrl
        }
      )
    )
    reportProblems(unknown)
    problems.push(...unknown)
  }
  // On InvenioRDM the record is found (or discovered by its repository link) inside planRdm.
  const legacy = rdm
    ? undefined
    : await core.group('Deposition (read-only)', () =>
        chooseTarget(connection, {
          concept: settings.concept,
          conceptId,
          repo: release.repo,
          identity,
          planned: () => plannedUploads(files, uploadNames)
        })
      )
  const target = rdm ? rdm.plan.target : (legacy as NonNullable<typeof legacy>).target
  const conceptChoice = legacy?.conceptChoice
  const softwareHeritage = await softwareHeritageOfPlan(
    connection,
    settings,
    metadata,
    files,
    archiveName,
    target
  )
  for (const w of softwareHeritage) core.warning(logSafe(w))
  return {
    settings,
    release,
    identity,
    version,
    metadata,
    files,
    archiveName,
    uploadNames,
    target,
    ...(rdm ? { rdm: rdm.plan } : {}),
    problems,
    connection,
    ...(conceptChoice ? { conceptChoice } : {}),
    softwareHeritage,
    cited: citing.cited
  }
}

/**
 * Where the release goes on the legacy API: the concept (the input, `new`, or found among the
 * user's depositions when the input is empty), then resolveTarget over the list discovery read.
 */
async function chooseTarget(
  connection: Connection,
  o: {
    concept: string
    conceptId: number | undefined
    repo: { owner: string; repo: string }
    identity: ReleaseIdentity
    planned: () => Promise<PlannedUpload[]>
  }
): Promise<{ target: TargetPlan; conceptChoice: ConceptChoice }> {
  let choice: ConceptChoice = isNewConcept(o.concept)
    ? { kind: 'new' }
    : { kind: 'input', value: o.concept }
  let listed: Awaited<ReturnType<typeof findConcept>>['listed'] | undefined
  let id = o.conceptId
  if (!o.concept) {
    const found = await findConcept(connection.client, o.repo)
    choice = found.choice
    listed = found.listed
    if (choice.kind === 'found') id = choice.candidate.latestId
  } else {
    core.info(logSafe(describeConcept(choice, `https://github.com/${o.repo.owner}/${o.repo.repo}`)))
  }
  const target = await resolveTarget(connection.client, {
    conceptId: id,
    identity: o.identity,
    planned: o.planned,
    ...(listed ? { listed } : {})
  })
  return { target, conceptChoice: choice }
}

/** The release's date, as metadata carries it (publication_date), for the cited files. */
export function releaseDate(metadata: ZenodoMetadata): { dateReleased?: string } {
  const d = metadata.publication_date
  return typeof d === 'string' && d ? { dateReleased: d } : {}
}

/**
 * Software Heritage's rules over the files the record will hold: this run's uploads, the
 * archive (its size is judged once built), manifest.json when uploaded beside it, and the
 * previous version's files kept by keep-previous-files (read-only).
 */
async function softwareHeritageOfPlan(
  connection: Connection,
  settings: Settings,
  metadata: ZenodoMetadata,
  files: FilePlan,
  archiveName: string,
  target: TargetPlan | TargetPlan<string>
): Promise<string[]> {
  const uploads: RecordFile[] = files.uploads.map(f => ({ name: f.name, size: f.size }))
  if (files.archiveMembers.length) {
    uploads.push({ name: archiveName, size: 0 })
    if (settings.manifestUpload) uploads.push({ name: MANIFEST_NAME, size: 0 })
  }
  if (target.kind === 'published' || target.kind === 'blocked') return []
  let inherited: RecordFile[] = []
  const latestId =
    target.kind === 'new-version' || target.kind === 'adopt' ? target.latestId : undefined
  // the previous version's files are listed through the legacy API (InvenioRDM's new versions
  // start empty; keep-previous-files imports them there)
  if (settings.keepPreviousFiles && typeof latestId === 'number') {
    const previous = await connection.client.listFiles(latestId)
    inherited = previous.map(f => ({ name: f.filename, size: f.filesize }))
  }
  return softwareHeritageCheck(
    {
      resourceType: metadata.upload_type ?? '',
      accessRight: metadata.access_right ?? 'open',
      files: finalRecordFiles(uploads, inherited)
    },
    false
  )
}

/** Reports the repository's problems and stops, before any write, when there is an error. */
function stopOnProblems(problems: Problem[], more: Problem[], service: string): void {
  reportProblems(more)
  problems.push(...more)
  if (problems.some(p => p.severity === 'error')) throw new ValidationError(problems, service)
}

/** The uploads with their md5 (files on disk are hashed; the archive's is known only once built). */
async function plannedUploads(files: FilePlan, names: Set<string>): Promise<PlannedUpload[]> {
  const out: PlannedUpload[] = []
  for (const f of files.uploads) out.push({ name: f.name, md5: (await hashFile(f.path)).md5 })
  for (const name of names) if (!out.some(u => u.name === name)) out.push({ name })
  return out
}

/** The Files group lists what matched: each upload, and the archive's member count. */
function logMatched(files: FilePlan, archiveName: string): void {
  for (const f of files.uploads) core.info(`Upload ${logSafe(f.name)} (${logSafe(f.path)})`)
  if (files.archiveMembers.length) {
    core.info(`Archive ${logSafe(archiveName)}: ${String(files.archiveMembers.length)} file(s)`)
    for (const m of files.archiveMembers) core.debug(`Archive member ${logSafe(m.archivePath)}`)
  }
  if (!files.uploads.length && !files.archiveMembers.length) core.info('No file matched.')
}

async function loadRelease(
  settings: Settings,
  octokit: ReturnType<typeof githubClient>
): Promise<ReleaseContext> {
  const ctx = await loadReleaseContext(octokit, settings.version)
  core.info(
    logSafe(
      `Repository ${ctx.repo.owner}/${ctx.repo.repo}, tag ${ctx.release.tag} (${ctx.eventName} event).`
    )
  )
  return ctx
}

async function prepareMetadata(
  settings: Settings,
  release: ReleaseContext,
  octokit: ReturnType<typeof githubClient>,
  version: string
): Promise<{ metadata: ZenodoMetadata; problems: Problem[]; origins: Record<string, string> }> {
  const { source, problems } = await readMetadataSource(settings.workspace, settings.metadataFile)
  if (source) core.info(`Reading metadata from ${logSafe(source.file)}.`)
  const needCreators = !source?.metadata.creators?.length && !settings.metadata?.creators
  const creators = needCreators ? await loadCreators(octokit, release.repo, release.release) : []
  const defaults = releaseDefaults(release.release, release.repo, creators)
  const built = buildMetadata({
    defaults,
    source,
    version,
    date: release.release.publishedAt ? release.release.publishedAt.slice(0, 10) : undefined,
    inputMetadata: settings.metadata,
    inputPositions: settings.metadataPositions
  })
  const metadata = built.metadata
  const all = [
    ...(settings.metadataWarnings ?? []),
    ...problems,
    ...built.problems,
    ...validateMetadata(metadata, built.origins, built.positions),
    ...descriptionWarning(metadata, built, settings)
  ]
  core.debug(`Final metadata: ${renderMetadataForLog(metadata)}`)
  return { metadata: normalizeForZenodo(metadata), problems: all, origins: built.origins }
}

/**
 * The tags, attributes and link schemes of the description that Zenodo's sanitizer drops (HTML
 * written in .zenodo.json or the metadata input; release notes are rendered to allowed HTML).
 */
function descriptionWarning(
  metadata: ZenodoMetadata,
  built: BuildResult,
  settings: Settings
): Problem[] {
  if (typeof metadata.description !== 'string') return []
  const origins: Partial<Record<string, string>> = built.origins
  const file = origins.description ?? ORIGIN.defaults
  const problem = descriptionHtmlProblem(metadata.description, {
    file,
    // a CITATION.cff abstract is escaped text (markdown.ts textToHtml), but name it as the file does
    field: file.toLowerCase().endsWith('.cff') ? 'abstract' : 'description',
    service: settings.api === 'rdm' ? repositoryName(settings.zenodoUrl) : 'Zenodo',
    ...built.positions[file]?.description
  })
  return problem ? [problem] : []
}

/** What publish needs of the files, checked before anything is written. */
function publishableProblems(settings: Settings, files: FilePlan): Problem[] {
  const nothing = files.uploads.length === 0 && files.archiveMembers.length === 0
  if (!nothing || !settings.publish || settings.dryRun) return []
  if (settings.concept && !isNewConcept(settings.concept) && settings.keepPreviousFiles) return []
  return [
    {
      severity: 'error',
      file: 'action input',
      field: 'files',
      message: 'Zenodo refuses to publish a record without files, and no file was matched',
      fix: 'set files or archive to glob patterns that match the release files (or set publish: false to keep a draft)'
    }
  ]
}

/** Prints every problem as an annotation on the file it is about. */
function reportProblems(problems: Problem[]): void {
  for (const p of problems) {
    const props: core.AnnotationProperties = { title: `${p.file}: ${p.field}` }
    if (/^[\w.\-/]+$/.test(p.file) && p.file !== 'action') {
      props.file = p.file
      if (p.line !== undefined) props.startLine = p.line
      if (p.column !== undefined) props.startColumn = p.column
    }
    if (p.severity === 'error') core.error(formatProblem(p), props)
    else core.warning(formatProblem(p), props)
  }
}

/**
 * The HTTP client and Zenodo client of a run. Every wait is multiplied by the time scale (1 in
 * real use); the wait for an answer too, but never below 5 s.
 */
function connect(settings: Settings): Connection {
  const scale = settings.timeScale
  const sleep = (ms: number): Promise<void> =>
    new Promise(resolve => setTimeout(resolve, ms * scale))
  const http = new HttpClient({
    auth: tokenSource(settings, sleep),
    // The token goes to the configured Zenodo's origin only (issue 8, item 7).
    authOrigin: settings.zenodoUrl,
    ...(settings.api === 'rdm' ? { service: repositoryName(settings.zenodoUrl) } : {}),
    userAgent: USER_AGENT,
    policy: { sleep, ...(scale < 1 ? { headersTimeoutMs: Math.max(5000, 120_000 * scale) } : {}) }
  })
  return { http, client: new ZenodoClient({ apiUrl: settings.apiUrl, http }), sleep }
}

function tokenSource(settings: Settings, sleep: (ms: number) => Promise<void>): TokenSource {
  if (settings.token) return new StaticToken(settings.token)
  const oauth = settings.oauth as NonNullable<Settings['oauth']>
  const anonymous = new HttpClient({ userAgent: USER_AGENT, policy: { sleep } })
  return new OAuthToken(anonymous, `${settings.zenodoUrl}/oauth/token`, oauth)
}
