/**
 * The action, in the order of its spec:
 * settings -> release -> metadata -> files -> (everything checked; nothing written yet)
 * -> archive -> deposition -> upload -> metadata -> publish -> outputs and summary.
 */
import * as core from '@actions/core'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildArchive, type BuiltArchive } from './archive/build.js'
import { parseConcept } from './zenodo/concept.js'
import {
  discardDraft,
  isPublished,
  openDeposition,
  publishDeposition,
  type ReleaseIdentity,
  type Target
} from './zenodo/deposition.js'
import { ActionError, ValidationError, formatProblem, type Problem } from './errors.js'
import { planFiles, resolveArchiveName, type FilePlan, type LocalFile } from './files/plan.js'
import {
  githubClient,
  loadCreators,
  loadReleaseContext,
  type ReleaseContext
} from './github/release.js'
import { hashFile } from './files/hash.js'
import { HttpClient, type TokenSource } from './http.js'
import { buildMetadata } from './metadata/build.js'
import { releaseDefaults, releaseTreeUrl } from './metadata/defaults.js'
import { readMetadataSource } from './metadata/source.js'
import type { ZenodoMetadata } from './metadata/types.js'
import { renderMetadataForLog } from './metadata/log-render.js'
import { normalizeForZenodo, validateMetadata } from './metadata/validate.js'
import { OAuthToken, StaticToken } from './zenodo/oauth.js'
import {
  depositionOutputs,
  filesTable,
  plannedOutputs,
  setOutputs,
  writeSummary,
  type FileOutput
} from './outputs.js'
import { downloadReleaseAssets } from './github/assets.js'
import { getSettings, type Settings } from './settings.js'
import { uploadFile, type UploadResult } from './zenodo/upload.js'
import { ZenodoClient, type Deposition } from './zenodo/client.js'
import { USER_AGENT } from './version.js'

/** Runs the action; every failure ends in core.setFailed with a message meant for the user. */
export async function run(): Promise<void> {
  const scratch = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'zenodo-release-'))
  try {
    await publishRelease(scratch)
  } catch (e) {
    core.setFailed(e instanceof Error ? e.message : String(e))
    if (!(e instanceof ActionError) && e instanceof Error && e.stack) core.debug(e.stack)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

async function publishRelease(scratch: string): Promise<void> {
  const settings = await core.group('Settings', async () => getSettings())
  const conceptId = settings.concept ? parseConcept(settings.concept) : undefined
  const octokit = githubClient(settings.githubToken)

  const release = await core.group('Release', () => loadRelease(settings, octokit))
  const version = settings.version || release.release.tag
  // How reruns recognise this release on Zenodo: its version and the link to its source tree,
  // which the metadata always carries (buildMetadata keeps the default link whatever else is given).
  const identity: ReleaseIdentity = { link: releaseTreeUrl(release.release, release.repo), version }
  const { metadata, problems: metadataProblems } = await core.group('Metadata', () =>
    prepareMetadata(settings, release, octokit, identity)
  )

  const archiveName = resolveArchiveName(settings.archiveName, {
    owner: release.repo.owner,
    repo: release.repo.repo,
    tag: release.release.tag,
    version
  })
  const plan = await core.group('Files', async () => {
    const extra = settings.releaseAssets
      ? await downloadReleaseAssets(release.assets, settings.githubToken, join(scratch, 'assets'))
      : []
    return planFiles({
      workspace: settings.workspace,
      files: settings.files,
      archive: settings.archive,
      archiveName,
      manifest: settings.manifest,
      ifNoFilesFound: settings.ifNoFilesFound,
      extra
    })
  })
  const problems = [...metadataProblems, ...plan.problems, ...publishableProblems(settings, plan)]
  reportProblems(problems)
  if (problems.some(p => p.severity === 'error')) throw new ValidationError(problems)

  const sleep = scaledSleep(settings.timeScale)
  const http = new HttpClient({
    auth: tokenSource(settings, sleep),
    userAgent: USER_AGENT,
    policy: { sleep }
  })
  const client = new ZenodoClient({ apiUrl: settings.apiUrl, http })
  const uploadNames = new Set(plan.uploads.map(f => f.name))
  if (plan.archiveMembers.length) {
    uploadNames.add(archiveName)
    if (settings.manifest) uploadNames.add('manifest.json')
  }

  if (settings.dryRun) {
    await core.group('Dry run', () =>
      dryRun({
        settings,
        client,
        conceptId,
        identity,
        metadata,
        plan,
        archiveName,
        uploadNames,
        sleep
      })
    )
    return
  }

  const archive = plan.archiveMembers.length
    ? await core.group(`Archive ${archiveName}`, () =>
        buildArchive({
          members: plan.archiveMembers,
          name: archiveName,
          outDir: join(scratch, 'archive'),
          manifest: settings.manifest
            ? {
                repository: `${release.repo.owner}/${release.repo.repo}`,
                tag: release.release.tag,
                commit: release.commit
              }
            : undefined
        })
      )
    : undefined
  const uploads = [...plan.uploads, ...archiveFiles(archive)]

  const target = await core.group('Deposition', () =>
    openDeposition(client, {
      conceptId,
      identity,
      metadata,
      keepPreviousFiles: settings.keepPreviousFiles,
      uploadNames,
      sleep
    })
  )

  let final: Deposition
  if (target.kind === 'already-published') {
    final = target.deposition
  } else {
    final = await completeDeposition(settings, client, http, target, uploads, metadata, sleep)
  }

  const state = isPublished(final) ? 'published' : 'draft'
  const outputs = depositionOutputs(final, settings.zenodoUrl, state)
  setOutputs(outputs)
  core.info(
    state === 'published'
      ? `Published ${outputs.doi} (concept ${outputs['concept-doi']}): ${outputs['record-url']}`
      : `Draft ${final.id} is ready for review (reserved DOI ${outputs.doi}): ${outputs['record-url']}`
  )
  await writeSummary(
    outputs,
    String(metadata.title ?? ''),
    target.kind === 'already-published'
      ? 'This release was already published by an earlier run; nothing new was published.'
      : undefined
  )
}

async function loadRelease(
  settings: Settings,
  octokit: ReturnType<typeof githubClient>
): Promise<ReleaseContext> {
  const ctx = await loadReleaseContext(octokit, settings.version)
  core.info(
    `Repository ${ctx.repo.owner}/${ctx.repo.repo}, tag ${ctx.release.tag} (${ctx.eventName} event).`
  )
  return ctx
}

async function prepareMetadata(
  settings: Settings,
  release: ReleaseContext,
  octokit: ReturnType<typeof githubClient>,
  identity: ReleaseIdentity
): Promise<{ metadata: ZenodoMetadata; problems: Problem[] }> {
  const { source, problems } = await readMetadataSource(settings.workspace, settings.metadataFile)
  if (source) core.info(`Reading metadata from ${source.file}.`)
  const needCreators = !source?.metadata.creators?.length && !settings.metadata?.creators
  const creators = needCreators ? await loadCreators(octokit, release.repo, release.release) : []
  const defaults = releaseDefaults(release.release, release.repo, creators)
  const built = buildMetadata({
    defaults,
    source,
    version: identity.version,
    date: release.release.publishedAt ? release.release.publishedAt.slice(0, 10) : undefined,
    inputMetadata: settings.metadata
  })
  const metadata = built.metadata
  const all = [
    ...problems,
    ...built.problems,
    ...validateMetadata(metadata, built.origins, built.positions)
  ]
  core.debug(`Final metadata: ${renderMetadataForLog(metadata)}`)
  return { metadata: normalizeForZenodo(metadata), problems: all }
}

/** What publish needs of the files, checked before anything is written. */
function publishableProblems(settings: Settings, plan: FilePlan): Problem[] {
  const nothing = plan.uploads.length === 0 && plan.archiveMembers.length === 0
  if (!nothing || !settings.publish || settings.dryRun) return []
  if (settings.concept && settings.keepPreviousFiles) return []
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

/** Waits ms scaled by the time scale (1 in real use). */
function scaledSleep(scale: number): (ms: number) => Promise<void> {
  return ms => new Promise(resolve => setTimeout(resolve, ms * scale))
}

function tokenSource(settings: Settings, sleep: (ms: number) => Promise<void>): TokenSource {
  if (settings.token) return new StaticToken(settings.token)
  const oauth = settings.oauth as NonNullable<Settings['oauth']>
  const anonymous = new HttpClient({ userAgent: USER_AGENT, policy: { sleep } })
  return new OAuthToken(anonymous, `${settings.zenodoUrl}/oauth/token`, oauth)
}

function archiveFiles(archive: BuiltArchive | undefined): LocalFile[] {
  if (!archive) return []
  return archive.manifestFile ? [archive.file, archive.manifestFile] : [archive.file]
}

/** Upload, set the metadata and publish; a failure discards the draft this run made or adopted. */
async function completeDeposition(
  settings: Settings,
  client: ZenodoClient,
  http: HttpClient,
  target: Target,
  uploads: LocalFile[],
  metadata: ZenodoMetadata,
  sleep: (ms: number) => Promise<void>
): Promise<Deposition> {
  const id = target.deposition.id
  try {
    const bucket = target.deposition.links?.bucket ?? (await client.getDeposition(id)).links?.bucket
    if (!bucket) throw new ActionError(`Zenodo gave no bucket link for deposition ${id}.`)
    const results = await core.group(`Upload ${uploads.length} file(s)`, () =>
      uploadAll(http, bucket, uploads, settings.concurrency)
    )
    const draft = await core.group('Metadata on Zenodo', async () => {
      const dep = await client.updateMetadata(id, metadata)
      verifyFiles(dep, results)
      return dep
    })
    if (!settings.publish) return draft
    return await core.group('Publish', () => publishDeposition(client, id, { sleep }))
  } catch (e) {
    if (target.owned) await discardDraft(client, target)
    throw e
  }
}

/** Uploads with at most `concurrency` files in flight. */
async function uploadAll(
  http: HttpClient,
  bucket: string,
  files: LocalFile[],
  concurrency: number
): Promise<UploadResult[]> {
  const results: UploadResult[] = new Array(files.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++
      const f = files[i]
      results[i] = await uploadFile(http, bucket, f)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker))
  return results
}

/** Every uploaded file is on Zenodo with the md5 we computed. */
function verifyFiles(dep: Deposition, results: UploadResult[]): void {
  const held = new Map((dep.files ?? []).map(f => [f.filename, f.checksum.replace(/^md5:/, '')]))
  const wrong = results.filter(r => held.get(r.name) !== r.md5)
  if (wrong.length) {
    throw new ActionError(
      `Zenodo does not hold ${wrong.map(r => `${r.name} (md5 ${r.md5})`).join(', ')} as uploaded; nothing was published.`
    )
  }
}

/** What a real run would do with the deposition, in words. */
function plannedAction(target: Target, keepPreviousFiles: boolean): string {
  const id = target.deposition.id
  switch (target.kind) {
    case 'already-published':
      return `publish nothing new: this release is already published as record ${id}`
    case 'adopted-draft':
      return `reuse the unpublished draft ${id} of this release left by an earlier run`
    case 'new-version':
      return `make a new version of concept ${target.deposition.conceptrecid ?? ''}${keepPreviousFiles ? ', keeping the files of the previous version' : ', replacing the files of the previous version'}`
    case 'created':
      return 'create a new deposition'
  }
}

/** Archive members listed one by one in a dry run's summary (the log lists them all). */
const MAX_SUMMARY_MEMBERS = 200

async function dryRun(o: {
  settings: Settings
  client: ZenodoClient
  conceptId?: number
  identity: ReleaseIdentity
  metadata: ZenodoMetadata
  plan: FilePlan
  archiveName: string
  uploadNames: Set<string>
  sleep: (ms: number) => Promise<void>
}): Promise<void> {
  // The same resolution as a real run (an earlier publish or draft of this release is found),
  // with read-only calls only.
  const target = await openDeposition(o.client, {
    conceptId: o.conceptId,
    identity: o.identity,
    metadata: o.metadata,
    keepPreviousFiles: o.settings.keepPreviousFiles,
    uploadNames: o.uploadNames,
    dryRun: true,
    sleep: o.sleep
  })
  const dep = target.deposition
  const conceptDoi = dep.conceptdoi ?? ''
  const conceptRecordId = dep.conceptrecid ? String(dep.conceptrecid) : ''
  const action = plannedAction(target, o.settings.keepPreviousFiles)
  const files: FileOutput[] = []
  for (const f of o.plan.uploads) {
    const d = await hashFile(f.path)
    files.push({ name: f.name, size: d.size, md5: d.md5 })
  }
  const members = o.plan.archiveMembers
  const summaryLines = [
    `## Dry run: nothing was written to Zenodo`,
    '',
    target.kind === 'already-published'
      ? `The action would ${action} on ${o.settings.zenodoUrl}, and output its DOIs.`
      : `The action would ${action} on ${o.settings.zenodoUrl}, upload the files below${members.length ? ` and the archive ${o.archiveName} (${members.length} files${o.settings.manifest ? ', with manifest.json' : ''})` : ''}, and ${o.settings.publish ? 'publish it' : 'leave it as a draft'}.`,
    '',
    '### Files',
    '',
    filesTable(files),
    ...(members.length
      ? [
          `### Archive ${o.archiveName}`,
          '',
          ...members.slice(0, MAX_SUMMARY_MEMBERS).map(m => `- ${m.archivePath} (${m.size} bytes)`),
          ...(members.length > MAX_SUMMARY_MEMBERS
            ? [`- … and ${members.length - MAX_SUMMARY_MEMBERS} more files`]
            : []),
          ''
        ]
      : []),
    '### Metadata',
    '',
    '```json',
    JSON.stringify(o.metadata, null, 2),
    '```',
    ''
  ]
  core.info(`Plan: ${action}.`)
  core.info(`Metadata:\n${JSON.stringify(o.metadata, null, 2)}`)
  for (const f of files) core.info(`File ${f.name}: ${f.size} bytes, md5 ${f.md5}`)
  for (const m of members) core.info(`Archive member ${m.archivePath}: ${m.size} bytes`)
  setOutputs(plannedOutputs(o.settings.zenodoUrl, conceptDoi, conceptRecordId, files))
  await core.summary.addRaw(summaryLines.join('\n')).write()
}
