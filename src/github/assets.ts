/**
 * Release assets (release-assets: true): each asset attached to the GitHub release is streamed
 * to disk (never held in memory) and then uploaded like any other file. An asset's name comes
 * from whoever attached it: it is reduced to a safe base name (no directories, no "..") so
 * nothing is ever written outside the scratch folder, and a name with control characters is
 * refused before anything is downloaded.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { mkdir } from 'node:fs/promises'
import { join, relative, resolve, isAbsolute } from 'node:path'
import { ActionError } from '../errors.js'
import type { LocalFile } from '../files/plan.js'
import { hasControlChars, logSafe } from '../format.js'
import type { ReleaseAsset } from './release.js'
import { HttpClient } from '../http.js'
import { USER_AGENT } from '../version.js'

/**
 * The last path segment of an asset name ("../../x" -> "x", "a\\b" -> "b"); undefined when
 * nothing usable is left ("", ".", "..").
 */
export function safeAssetName(name: string): string | undefined {
  const base = name.split(/[/\\]/).pop()?.trim() ?? ''
  return base === '' || base === '.' || base === '..' ? undefined : base
}

/** Downloads every asset into dir; returns them as files to upload under their safe names. */
export async function downloadReleaseAssets(
  assets: ReleaseAsset[],
  githubToken: string,
  dir: string
): Promise<LocalFile[]> {
  if (!assets.length) {
    core.info('The GitHub release has no assets to upload.')
    return []
  }
  const named = assets.map(asset => ({ asset, name: checkedName(asset.name) }))
  await mkdir(dir, { recursive: true })
  const root = resolve(dir)
  // the GitHub token goes to the GitHub API's origin only, whatever origin an asset URL names
  const http = new HttpClient({
    userAgent: USER_AGENT,
    service: 'GitHub',
    authOrigin: github.context.apiUrl
  })
  const files: LocalFile[] = []
  for (const { asset, name } of named) {
    const path = resolve(root, String(asset.id), name)
    const rel = relative(root, path)
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new ActionError(
        `Release asset "${logSafe(asset.name)}" would be written outside ${root}.`
      )
    }
    if (name !== asset.name) {
      core.warning(
        `Release asset "${logSafe(asset.name)}" is uploaded as "${logSafe(name)}": Zenodo file names are base names.`
      )
    }
    await mkdir(join(root, String(asset.id)), { recursive: true })
    const { size } = await http.download(asset.url, path, {
      headers: {
        accept: 'application/octet-stream',
        ...(githubToken ? { authorization: `Bearer ${githubToken}` } : {})
      }
    })
    core.info(`Downloaded release asset ${logSafe(name)} (${String(size)} bytes).`)
    files.push({ path, name, size, origin: 'release-asset' })
  }
  return files
}

/** The asset's safe base name; a name with control characters or no usable base is refused. */
function checkedName(name: string): string {
  const base = safeAssetName(name)
  if (hasControlChars(name) || base === undefined) {
    throw new ActionError(
      `The release asset "${logSafe(name)}" has a name that cannot be a file name on Zenodo (${base === undefined ? 'nothing is left of it as a base name' : 'it holds control characters'}); nothing was written to Zenodo. Rename the asset on the GitHub release, or set release-assets to false.`
    )
  }
  return base
}
