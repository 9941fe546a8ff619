/**
 * What the action learns from GitHub: the triggering event, the release (from the event
 * payload, or looked up by tag for workflow_dispatch and tag pushes), the repository, and the
 * contributors who become the default creators. A release that cannot be looked up (other than
 * "there is none") stops the run before anything is written to Zenodo; contributors that cannot
 * be read fall back as Zenodo's own integration does, with a warning. Every GitHub refusal is
 * named as GitHub's and, for 401/403/404, points at the job's `permissions:`.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { ActionError } from '../errors.js'
import { logSafe } from '../format.js'
import { GITHUB_PERMISSIONS_HINT } from '../http.js'
import type { ReleaseInfo, RepoInfo } from '../metadata/defaults.js'
import type { Creator } from '../metadata/types.js'

/** An asset attached to the GitHub release. */
export interface ReleaseAsset {
  id: number
  name: string
  size: number
  /** API URL of the asset (download with Accept: application/octet-stream). */
  url: string
}

export interface ReleaseContext {
  eventName: string
  repo: RepoInfo
  release: ReleaseInfo
  /** Whether a GitHub release exists for the tag (from the event or the API). */
  hasRelease: boolean
  /** The commit the release points at. */
  commit: string
  assets: ReleaseAsset[]
}

const RELEASE_ACTIONS = ['published', 'released', 'created', 'prereleased']
const MAX_CREATORS = 30

type Octokit = ReturnType<typeof github.getOctokit>

interface PayloadRelease {
  id?: number
  tag_name?: string
  name?: string | null
  body?: string | null
  published_at?: string | null
  created_at?: string | null
  html_url?: string
  author?: { login?: string } | null
  assets?: { id: number; name: string; size: number; url: string }[]
}

/** Creates the GitHub API client, or undefined when there is no token to call it with. */
export function githubClient(token: string): Octokit | undefined {
  if (!token) return undefined
  return github.getOctokit(token)
}

/**
 * Reads the event and, where needed, the GitHub API. `versionInput` is the version input: on
 * workflow_dispatch it names the tag whose release is used.
 */
export async function loadReleaseContext(
  octokit: Octokit | undefined,
  versionInput: string
): Promise<ReleaseContext> {
  const ctx = github.context
  const { owner, repo } = repoName()
  const payloadRepo = ctx.payload.repository as
    { description?: string | null; license?: { spdx_id?: string } | null } | undefined
  const repoInfo: RepoInfo = {
    owner,
    repo,
    description: payloadRepo?.description ?? null,
    spdxLicense: normalizeSpdx(payloadRepo?.license?.spdx_id),
    serverUrl: ctx.serverUrl || 'https://github.com'
  }
  if (!payloadRepo && octokit) await fillRepoFromApi(octokit, repoInfo)

  let payloadRelease: PayloadRelease | undefined
  let tag: string
  if (ctx.eventName === 'release') {
    const action = ctx.payload.action ?? ''
    if (!RELEASE_ACTIONS.includes(action)) {
      throw new ActionError(
        `This action publishes on release events of type ${RELEASE_ACTIONS.join(', ')}; this one is "${action}". Use "on: release: types: [published]" in the workflow.`
      )
    }
    payloadRelease = ctx.payload.release as PayloadRelease
    tag = payloadRelease.tag_name ?? ''
  } else if (ctx.eventName === 'workflow_dispatch') {
    tag = versionInput || refName(ctx.ref)
  } else if (ctx.eventName === 'push' && ctx.ref.startsWith('refs/tags/')) {
    tag = refName(ctx.ref)
  } else if (versionInput) {
    // Any other event (a branch push, pull_request, schedule, a CI self-test) publishes only the
    // tag the version input names explicitly, never the branch.
    tag = versionInput
  } else if (ctx.eventName === 'push') {
    throw new ActionError(
      `On push events this action publishes tags only, and ${logSafe(ctx.ref)} is not a tag. Use "on: push: tags: ['v*']", a release event, or workflow_dispatch, or name the tag in the version input.`
    )
  } else {
    throw new ActionError(
      `This action runs on release, workflow_dispatch and tag push events, not on "${logSafe(ctx.eventName)}", unless the version input names the tag to publish.`
    )
  }
  if (!tag) throw new ActionError('Could not tell which tag to publish: give the version input.')

  if (!payloadRelease && octokit) payloadRelease = await releaseByTag(octokit, owner, repo, tag)
  if (ctx.eventName !== 'release') {
    core.info(
      payloadRelease
        ? `Using the GitHub release for tag ${logSafe(tag)}.`
        : `No GitHub release found for tag ${logSafe(tag)}; the record is described from the tag and the repository.`
    )
  }

  const release: ReleaseInfo = {
    tag,
    name: payloadRelease?.name ?? null,
    body: payloadRelease?.body ?? null,
    publishedAt: payloadRelease?.published_at ?? payloadRelease?.created_at ?? null,
    htmlUrl: payloadRelease?.html_url,
    authorLogin: payloadRelease?.author?.login ?? undefined
  }
  const assets = (payloadRelease?.assets ?? []).map(a => ({
    id: a.id,
    name: a.name,
    size: a.size,
    url: a.url
  }))
  return {
    eventName: ctx.eventName,
    repo: repoInfo,
    release,
    hasRelease: payloadRelease !== undefined,
    commit: ctx.sha,
    assets
  }
}

/**
 * The default creators: the repository's contributors (users, by contributions, at most 30), as
 * Zenodo's own integration does; the release author (or the repository owner) when the API
 * cannot be reached.
 */
export async function loadCreators(
  octokit: Octokit | undefined,
  repo: RepoInfo,
  release: ReleaseInfo
): Promise<Creator[]> {
  const fallback = [{ name: release.authorLogin || repo.owner }]
  if (!octokit) return fallback
  try {
    const { data } = await octokit.rest.repos.listContributors({
      owner: repo.owner,
      repo: repo.repo,
      per_page: 100
    })
    const users = data
      .filter(c => c.type === 'User' && c.login && !c.login.endsWith('[bot]'))
      .sort((a, b) => b.contributions - a.contributions)
      .slice(0, MAX_CREATORS)
    if (users.length === 0) return fallback
    const names = await Promise.all(users.map(u => displayName(octokit, u.login as string)))
    return names.map(name => ({ name }))
  } catch (e) {
    core.warning(
      `Could not read the repository's contributors from GitHub (${describe(e)}); using ${logSafe(fallback[0].name)} as the creator. Add creators to .zenodo.json or CITATION.cff to set them yourself.${hint(e)}`
    )
    return fallback
  }
}

async function displayName(octokit: Octokit, login: string): Promise<string> {
  try {
    const { data } = await octokit.rest.users.getByUsername({ username: login })
    return data.name?.trim() || login
  } catch {
    return login
  }
}

async function releaseByTag(
  octokit: Octokit,
  owner: string,
  repo: string,
  tag: string
): Promise<PayloadRelease | undefined> {
  try {
    const { data } = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })
    return data
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined
    throw new ActionError(
      `GitHub refused to look up the release for tag ${logSafe(tag)} (${describe(e)}); nothing was written to Zenodo.${hint(e)}`
    )
  }
}

async function fillRepoFromApi(octokit: Octokit, info: RepoInfo): Promise<void> {
  try {
    const { data } = await octokit.rest.repos.get({ owner: info.owner, repo: info.repo })
    info.description = data.description
    info.spdxLicense = normalizeSpdx(data.license?.spdx_id)
  } catch (e) {
    core.debug(`Could not read the repository from GitHub: ${describe(e)}`)
  }
}

function repoName(): { owner: string; repo: string } {
  const full = process.env.GITHUB_REPOSITORY
  if (!full || !full.includes('/')) {
    throw new ActionError(
      'GITHUB_REPOSITORY is not set: this action runs inside a GitHub Actions workflow.'
    )
  }
  return github.context.repo
}

function refName(ref: string): string {
  return ref.replace(/^refs\/(tags|heads)\//, '')
}

/** GitHub says NOASSERTION for licenses it cannot identify. */
function normalizeSpdx(spdx: string | null | undefined): string | null {
  return spdx && spdx !== 'NOASSERTION' ? spdx : null
}

/** "GitHub answered 403: Resource not accessible by integration", one line, safe to log. */
function describe(e: unknown): string {
  const status = (e as { status?: number }).status
  const message = e instanceof Error ? e.message : String(e)
  const text = status ? `GitHub answered ${String(status)}: ${message}` : message
  const flat = logSafe(text.replace(/\s+/g, ' ').trim())
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat
}

/** For a refusal (401/403/404): what to check in the workflow. */
function hint(e: unknown): string {
  const status = (e as { status?: number }).status
  return status === 401 || status === 403 || status === 404 ? ` ${GITHUB_PERMISSIONS_HINT}.` : ''
}
