/**
 * Release assets (release-assets: true): each asset attached to the GitHub release is streamed
 * to disk (never held in memory) and then uploaded like any other file.
 */
import * as core from '@actions/core'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { LocalFile } from '../files/plan.js'
import type { ReleaseAsset } from './release.js'
import { HttpClient } from '../http.js'
import { USER_AGENT } from '../version.js'

/** Downloads every asset into dir; returns them as files to upload under their asset names. */
export async function downloadReleaseAssets(
  assets: ReleaseAsset[],
  githubToken: string,
  dir: string
): Promise<LocalFile[]> {
  if (!assets.length) {
    core.info('The GitHub release has no assets to upload.')
    return []
  }
  await mkdir(dir, { recursive: true })
  const http = new HttpClient({ userAgent: USER_AGENT })
  const files: LocalFile[] = []
  for (const asset of assets) {
    const dest = join(dir, `${asset.id}`)
    await mkdir(dest, { recursive: true })
    const path = join(dest, asset.name)
    const { size } = await http.download(asset.url, path, {
      headers: {
        accept: 'application/octet-stream',
        ...(githubToken ? { authorization: `Bearer ${githubToken}` } : {})
      }
    })
    core.info(`Downloaded release asset ${asset.name} (${size} bytes).`)
    files.push({ path, name: asset.name, size, origin: 'release-asset' })
  }
  return files
}
