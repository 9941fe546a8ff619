/**
 * A dry run's report: the Plan in words, in the log and the job summary, with the outputs known
 * without writing. Reads files to hash them; never calls Zenodo.
 */
import * as core from '@actions/core'
import { hashFile } from './files/hash.js'
import { logSafe } from './format.js'
import { filesTable, md, plannedOutputs, setOutputs, type FileOutput } from './outputs.js'
import type { Plan } from './plan.js'
import { blockedMessage, type TargetPlan } from './target.js'
import { describeConcept } from './zenodo/find-concept.js'

/** Archive members listed one by one in a dry run's summary (the log lists them all). */
const MAX_SUMMARY_MEMBERS = 200

/** What a real run would do with the deposition, in words. */
export function describeTarget(
  target: TargetPlan<number | string>,
  keepPreviousFiles: boolean,
  service = 'Zenodo'
): string {
  switch (target.kind) {
    case 'published':
      return `publish nothing new: this release is already published as record ${String(target.recordId)}`
    case 'adopt':
      return `reuse the unpublished draft ${String(target.draftId)} (${target.why})`
    case 'new-version':
      return `make a new version of concept ${target.conceptId}${keepPreviousFiles ? ', keeping the files of the previous version' : ', replacing the files of the previous version'}`
    case 'create':
      return 'create a new deposition (a new concept)'
    case 'blocked':
      return `stop before any write: ${blockedMessage(target, service)}`
  }
}

/** Logs the plan, sets the outputs known without writing, and writes the summary. */
export async function reportDryRun(plan: Plan): Promise<void> {
  const { settings, target, files: filePlan, archiveName, metadata } = plan
  const service = plan.rdm?.service ?? 'Zenodo'
  const action = describeTarget(target, settings.keepPreviousFiles, service)
  // On InvenioRDM the record body is what would be sent (and communities would be asked).
  const shown = plan.rdm
    ? { ...plan.rdm.mapped.body, communities: plan.rdm.mapped.communities }
    : metadata
  const files: FileOutput[] = []
  for (const f of filePlan.uploads) {
    const d = await hashFile(f.path)
    files.push({ name: f.name, size: d.size, md5: d.md5 })
  }
  const members = filePlan.archiveMembers
  const repoUrl = `https://github.com/${plan.release.repo.owner}/${plan.release.repo.repo}`
  const concept = plan.conceptChoice ? describeConcept(plan.conceptChoice, repoUrl) : ''
  const citing = [
    ...(settings.citeInArchive && plan.cited.length
      ? [
          `The archived ${plan.cited.join(' and ')} would carry the version DOI Zenodo reserves for the draft (the workspace files are not changed).`
        ]
      : []),
    ...(settings.updateCitationFile
      ? ['After publishing, CITATION.cff in the workspace would get the concept DOI.']
      : []),
    ...(settings.updateReadmeBadge
      ? ['After publishing, README.md in the workspace would get the concept-DOI badge.']
      : [])
  ]
  const conceptId = 'conceptId' in target ? target.conceptId : ''
  const conceptDoi = ('conceptDoi' in target ? target.conceptDoi : undefined) ?? ''
  const summary = [
    `## Dry run: nothing was written to ${service}`,
    '',
    ...(concept ? [`Concept: ${md(concept)}`] : []),
    '',
    target.kind === 'published'
      ? `The action would ${action} on ${settings.zenodoUrl}, and output its DOIs.`
      : `The action would ${action} on ${settings.zenodoUrl}, upload the files below${members.length ? ` and the archive ${archiveName} (${String(members.length)} files${settings.manifest ? `, with manifest.json ${settings.manifestUpload ? 'inside and beside it' : 'inside'}` : ''})` : ''}, and ${settings.publish ? 'publish it' : 'leave it as a draft'}.`,
    '',
    ...(plan.softwareHeritage.length
      ? ['### Software Heritage', '', ...plan.softwareHeritage.map(w => `- ${md(w)}`), '']
      : []),
    ...(citing.length ? ['### Citation', '', ...citing.map(c => `- ${md(c)}`), ''] : []),
    '### Files',
    '',
    filesTable(files),
    ...(members.length
      ? [
          `### Archive ${archiveName}`,
          '',
          ...members
            .slice(0, MAX_SUMMARY_MEMBERS)
            .map(m => `- ${m.archivePath} (${String(m.size)} bytes)`),
          ...(members.length > MAX_SUMMARY_MEMBERS
            ? [`- … and ${String(members.length - MAX_SUMMARY_MEMBERS)} more files`]
            : []),
          ''
        ]
      : []),
    '### Metadata',
    '',
    '```json',
    JSON.stringify(shown, null, 2),
    '```',
    ''
  ]
  core.info(logSafe(`Plan: ${action}.`))
  if (concept) core.info(logSafe(concept))
  for (const w of plan.softwareHeritage) core.info(logSafe(w))
  for (const c of citing) core.info(logSafe(c))
  core.info(`Metadata:\n${JSON.stringify(shown, null, 2).split('\n').map(logSafe).join('\n')}`)
  for (const f of files) core.info(`File ${logSafe(f.name)}: ${String(f.size)} bytes, md5 ${f.md5}`)
  for (const m of members)
    core.info(`Archive member ${logSafe(m.archivePath)}: ${String(m.size)} bytes`)
  setOutputs(plannedOutputs(settings.zenodoUrl, conceptDoi, conceptId, files))
  core.setOutput('updated-files', '[]')
  await core.summary.addRaw(summary.join('\n')).write()
}
