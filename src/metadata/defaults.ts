/**
 * The metadata Zenodo's own GitHub integration derives from a release (see "GitHub integration"
 * in zenodo-api.md); a metadata file and the action inputs are laid over it.
 */
import { renderMarkdown, textToHtml } from './markdown.js'
import { isAcceptedLicense } from './license.js'
import type { Creator, ZenodoMetadata } from './types.js'

/** What the action knows about the release being published. */
export interface ReleaseInfo {
  tag: string
  name?: string | null
  body?: string | null
  /** ISO timestamp */
  publishedAt?: string | null
  htmlUrl?: string
  authorLogin?: string
}

/** What the action knows about the repository. */
export interface RepoInfo {
  owner: string
  repo: string
  description?: string | null
  spdxLicense?: string | null
  /** e.g. https://github.com */
  serverUrl: string
}

/** The description used when neither the release nor the repository has one. */
export const NO_DESCRIPTION = 'No description provided.'

function todayIso(): string {
  return new Date().toISOString().slice(0, 10)
}

function describeRelease(release: ReleaseInfo, repo: RepoInfo): string {
  if (release.body && release.body.trim() !== '') return renderMarkdown(release.body)
  if (repo.description && repo.description.trim() !== '') {
    return textToHtml(repo.description)
  }
  return NO_DESCRIPTION
}

/** The URL of the repository tree at the release tag (the default related identifier). */
export function releaseTreeUrl(release: ReleaseInfo, repo: RepoInfo): string {
  const server = repo.serverUrl.replace(/\/+$/, '')
  return `${server}/${repo.owner}/${repo.repo}/tree/${release.tag}`
}

/**
 * Metadata as Zenodo's GitHub integration would build it from the release: title
 * "<owner>/<repo>: <name or tag>", version = tag, description from the release notes (else the
 * repository description), publication date of the release, software, open access, the
 * repository's license when Zenodo accepts it, and a link to the tree at the tag.
 */
export function releaseDefaults(
  release: ReleaseInfo,
  repo: RepoInfo,
  creators: Creator[],
  today: string = todayIso()
): ZenodoMetadata {
  const name = release.name && release.name.trim() !== '' ? release.name.trim() : release.tag
  const published = release.publishedAt ? release.publishedAt.slice(0, 10) : ''
  const metadata: ZenodoMetadata = {
    title: `${repo.owner}/${repo.repo}: ${name}`,
    upload_type: 'software',
    description: describeRelease(release, repo),
    creators,
    publication_date: /^\d{4}-\d{2}-\d{2}$/.test(published) ? published : today,
    access_right: 'open',
    version: release.tag,
    related_identifiers: [
      {
        identifier: releaseTreeUrl(release, repo),
        relation: 'isSupplementTo',
        resource_type: 'software',
        scheme: 'url'
      }
    ]
  }
  if (repo.spdxLicense && isAcceptedLicense(repo.spdxLicense)) metadata.license = repo.spdxLicense
  return metadata
}
