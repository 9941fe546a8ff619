/**
 * The action's outputs and its job summary, computed from the deposition Zenodo holds at the
 * end of the run. Nothing secret goes into either.
 */
import * as core from '@actions/core'
import type { Deposition } from './zenodo/client.js'
import { formatBytes } from './format.js'
import { formatProblem, type Problem } from './errors.js'
import { badgeImageUrl, markdownBadge } from './cite/readme-badge.js'

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
  const doi = dep.doi || dep.metadata.prereserve_doi?.doi || ''
  const conceptId = dep.conceptrecid ?? ''
  const conceptDoi = dep.conceptdoi || (doi && conceptId ? doi.replace(/\d+$/, conceptId) : '')
  const files = (dep.files ?? []).map(f => ({
    name: f.filename,
    size: f.filesize,
    md5: f.checksum.replace(/^md5:/, '')
  }))
  const recordUrl =
    state === 'published'
      ? dep.links.record_html || dep.links.html || `${zenodoUrl}/records/${String(dep.id)}`
      : dep.links.html || `${zenodoUrl}/deposit/${String(dep.id)}`
  return assembleOutputs({
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
  return assembleOutputs({
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

/** The outputs from what a run learnt (both APIs). */
export function assembleOutputs(v: {
  doi: string
  conceptDoi: string
  id: string
  conceptId: string
  recordUrl: string
  zenodoUrl: string
  state: RunState
  files: FileOutput[]
}): Outputs {
  // The same badge the README write-back puts in (src/cite/readme-badge.ts).
  const badgeUrl = v.conceptDoi ? badgeImageUrl(v.conceptDoi, v.zenodoUrl) : ''
  return {
    doi: v.doi,
    'doi-url': v.doi ? `https://doi.org/${v.doi}` : '',
    'concept-doi': v.conceptDoi,
    'record-id': v.id,
    'concept-record-id': v.conceptId,
    'record-url': v.recordUrl,
    'badge-url': badgeUrl,
    'badge-markdown': badgeUrl ? markdownBadge(v.conceptDoi, v.zenodoUrl) : '',
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

/** What the summary of a real run says besides the outputs. */
export interface SummaryContext {
  title: string
  /** e.g. why nothing new was published. */
  note?: string
  /** True when this run made a new record (concept): the summary says how to continue it. */
  newConcept?: boolean
  /** Workspace files the write-back changed (update-citation-file, update-readme-badge). */
  updatedFiles?: string[]
  /** The repository's name in headings; default "Zenodo". */
  service?: string
  /** The warnings of the run's plan, one line each (already formatted). */
  warnings?: string[]
}

/** At most this many warnings are listed in the summary (the log has them all). */
const SUMMARY_WARNINGS = 30

function doiLink(doi: string): string {
  return doi ? `[${md(doi)}](https://doi.org/${doi})` : '—'
}

/** The job summary of a real run: DOIs as links, the badge, the record link, the files. */
export async function writeSummary(outputs: Outputs, ctx: SummaryContext): Promise<void> {
  await core.summary.addRaw(summaryMarkdown(outputs, ctx)).write()
}

/** The summary's markdown (no table has an empty header row). */
export function summaryMarkdown(outputs: Outputs, ctx: SummaryContext): string {
  const files = JSON.parse(outputs.files) as FileOutput[]
  const on = ctx.service ?? 'Zenodo'
  const heading =
    outputs.state === 'published' ? `Published on ${on}` : `Draft on ${on} (not published)`
  const parts = [`## ${heading}: ${md(ctx.title)}\n`]
  if (ctx.note) parts.push(`${md(ctx.note)}\n`)
  parts.push(
    [
      '| Identifier | Value |',
      '| --- | --- |',
      `| DOI (this version) | ${doiLink(outputs.doi)} |`,
      `| Concept DOI (all versions) | ${doiLink(outputs['concept-doi'])} |`,
      `| Record | [${outputs['record-url']}](${outputs['record-url']}) |`,
      ...(outputs['badge-url'] ? [`| Badge | ${outputs['badge-markdown']} |`] : [])
    ].join('\n') + '\n'
  )
  if (ctx.newConcept && outputs['concept-doi']) {
    parts.push(
      `This release made a new ${on === 'Zenodo' ? 'Zenodo ' : ''}record (concept DOI ${doiLink(outputs['concept-doi'])}). Later releases of this repository continue it by themselves (the action finds it among your records by the repository link); to name it explicitly, give the action \`concept: ${outputs['concept-doi']}\`.\n`
    )
  }
  if (outputs['badge-markdown']) {
    parts.push(
      `Badge for your README (the concept DOI always points at the latest version):\n\n\`\`\`markdown\n${outputs['badge-markdown']}\n\`\`\`\n`
    )
  }
  if (ctx.updatedFiles?.length) {
    parts.push(
      `Written into the workspace for a following commit step: ${ctx.updatedFiles.map(f => `\`${f.replace(/`/g, "'")}\``).join(', ')}.\n`
    )
  }
  if (ctx.warnings?.length) {
    const shown = ctx.warnings.slice(0, SUMMARY_WARNINGS).map(w => `- ${md(w)}`)
    const more = ctx.warnings.length - shown.length
    if (more > 0) shown.push(`- … and ${String(more)} more (see the log)`)
    parts.push(`### Warnings\n\n${shown.join('\n')}\n`)
  }
  parts.push('### Files\n', filesTable(files))
  return parts.join('\n')
}

/** The job summary of a failed run: the problems found, or the error. */
export async function writeFailureSummary(
  message: string,
  problems: Problem[],
  service = 'Zenodo'
): Promise<void> {
  const errors = problems.filter(p => p.severity === 'error')
  const lines = [`## ${service === 'Zenodo' ? 'Zenodo release' : 'Release'} failed\n`]
  if (errors.length) {
    lines.push(
      `${String(errors.length)} problem${errors.length === 1 ? '' : 's'} found before anything was written to ${service}:\n`,
      ...errors.map(p => `- ${md(formatProblem(p))}`),
      ''
    )
  } else {
    lines.push('```text', message.replace(/`{3,}/g, "'''"), '```', '')
  }
  await core.summary.addRaw(lines.join('\n')).write()
}
