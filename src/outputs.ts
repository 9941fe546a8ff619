/**
 * The action's outputs and its job summary, computed from the deposition Zenodo holds at the
 * end of the run. Nothing secret goes into either.
 */
import * as core from '@actions/core'
import type { Deposition } from './zenodo/client.js'
import { formatBytes } from './format.js'

export type RunState = 'published' | 'draft' | 'dry-run'

export interface FileOutput {
  name: string
  size: number
  md5: string
}

export interface Outputs {
  doi: string
  'doi-url': string
  'concept-doi': string
  'record-id': string
  'concept-record-id': string
  'record-url': string
  'badge-url': string
  'badge-markdown': string
  state: RunState
  files: string
}

/** The outputs for a published deposition or a draft. */
export function depositionOutputs(dep: Deposition, zenodoUrl: string, state: RunState): Outputs {
  const doi = dep.doi || dep.metadata?.prereserve_doi?.doi || ''
  const conceptId = dep.conceptrecid ? String(dep.conceptrecid) : ''
  const conceptDoi = dep.conceptdoi || (doi && conceptId ? doi.replace(/\d+$/, conceptId) : '')
  const files = (dep.files ?? []).map(f => ({
    name: f.filename,
    size: f.filesize,
    md5: f.checksum.replace(/^md5:/, '')
  }))
  const recordUrl =
    state === 'published'
      ? dep.links?.record_html || dep.links?.html || `${zenodoUrl}/records/${dep.id}`
      : dep.links?.html || `${zenodoUrl}/deposit/${dep.id}`
  return assemble({
    doi,
    conceptDoi,
    id: dep.id ? String(dep.id) : '',
    conceptId,
    recordUrl,
    zenodoUrl,
    state,
    files
  })
}

/** Outputs of a dry run: what is known without writing (the concept, when one was given). */
export function plannedOutputs(
  zenodoUrl: string,
  conceptDoi: string,
  conceptId: string,
  files: FileOutput[]
): Outputs {
  return assemble({
    doi: '',
    conceptDoi,
    id: '',
    conceptId,
    recordUrl: '',
    zenodoUrl,
    state: 'dry-run',
    files
  })
}

function assemble(v: {
  doi: string
  conceptDoi: string
  id: string
  conceptId: string
  recordUrl: string
  zenodoUrl: string
  state: RunState
  files: FileOutput[]
}): Outputs {
  const badgeUrl = v.conceptDoi ? `${v.zenodoUrl}/badge/doi/${v.conceptDoi}.svg` : ''
  return {
    doi: v.doi,
    'doi-url': v.doi ? `https://doi.org/${v.doi}` : '',
    'concept-doi': v.conceptDoi,
    'record-id': v.id,
    'concept-record-id': v.conceptId,
    'record-url': v.recordUrl,
    'badge-url': badgeUrl,
    'badge-markdown': badgeUrl ? `[![DOI](${badgeUrl})](https://doi.org/${v.conceptDoi})` : '',
    state: v.state,
    files: JSON.stringify(v.files)
  }
}

/** Sets every output. */
export function setOutputs(outputs: Outputs): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}

/** Escapes text for a markdown table cell or line. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#]/g, c => `\\${c}`).replace(/\r?\n/g, ' ')
}

/** Markdown table of files with sizes and md5. */
export function filesTable(files: FileOutput[]): string {
  if (!files.length) return '_No files._\n'
  const rows = files.map(f => `| ${md(f.name)} | ${formatBytes(f.size)} | \`${f.md5}\` |`)
  return ['| File | Size | MD5 |', '| --- | ---: | --- |', ...rows].join('\n') + '\n'
}

/** The job summary of a real run: DOIs as links, the badge, the record link, the files. */
export async function writeSummary(outputs: Outputs, title: string, note?: string): Promise<void> {
  const files = JSON.parse(outputs.files) as FileOutput[]
  const heading =
    outputs.state === 'published' ? 'Published on Zenodo' : 'Draft on Zenodo (not published)'
  const doiLink = (doi: string): string => (doi ? `[${doi}](https://doi.org/${doi})` : '—')
  const parts = [`## ${heading}: ${md(title)}\n`]
  if (note) parts.push(`${md(note)}\n`)
  parts.push(
    [
      '| | |',
      '| --- | --- |',
      `| DOI | ${doiLink(outputs.doi)} |`,
      `| Concept DOI (all versions) | ${doiLink(outputs['concept-doi'])} |`,
      `| Record | [${outputs['record-url']}](${outputs['record-url']}) |`,
      ...(outputs['badge-url'] ? [`| Badge | ${outputs['badge-markdown']} |`] : [])
    ].join('\n') + '\n'
  )
  if (outputs['badge-markdown']) {
    parts.push(
      `Badge for your README (the concept DOI always points at the latest version):\n\n\`\`\`markdown\n${outputs['badge-markdown']}\n\`\`\`\n`
    )
  }
  parts.push('### Files\n', filesTable(files))
  await core.summary.addRaw(parts.join('\n')).write()
}
