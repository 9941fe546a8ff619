/**
 * The action, as its description says: read the settings and plan the release (read-only),
 * then, unless this is a dry run, carry the plan out on Zenodo; finally set the outputs and
 * write the job summary. A failed run writes its problems into the summary.
 */
import * as core from '@actions/core'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionError, ValidationError, formatProblem } from './errors.js'
import { logSafe } from './format.js'
import { execute } from './execute.js'
import { depositionOutputs, setOutputs, writeFailureSummary, writeSummary } from './outputs.js'
import { plan } from './plan.js'
import { reportDryRun } from './report.js'
import { blockedMessage } from './target.js'
import { writeBackStep } from './cite/steps.js'
import { releaseDate } from './plan.js'

/** Runs the action; every failure ends in core.setFailed with a message meant for the user. */
export async function run(): Promise<void> {
  const scratch = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'zenodo-release-'))
  try {
    const planned = await plan(scratch)
    const service = planned.rdm?.service ?? 'Zenodo'
    if (planned.target.kind === 'blocked')
      throw new ActionError(blockedMessage(planned.target, service))
    if (planned.settings.dryRun) {
      await core.group('Dry run', () => reportDryRun(planned))
      return
    }
    const outcome = await execute(planned, scratch)
    const outputs =
      'outputs' in outcome
        ? outcome.outputs
        : depositionOutputs(outcome.deposition, planned.settings.zenodoUrl, outcome.state)
    setOutputs(outputs)
    const { settings } = planned
    const updatedFiles =
      outcome.state === 'published' && (settings.updateCitationFile || settings.updateReadmeBadge)
        ? await core.group('Write back', () =>
            writeBackStep({
              workspace: settings.workspace,
              updateCitationFile: settings.updateCitationFile,
              updateReadmeBadge: settings.updateReadmeBadge,
              zenodoUrl: settings.zenodoUrl,
              conceptDoi: outputs['concept-doi'],
              doi: outputs.doi,
              version: planned.version,
              ...releaseDate(planned.metadata)
            })
          )
        : []
    core.setOutput('updated-files', JSON.stringify(updatedFiles))
    // DOIs and links come from Zenodo's answer: written log-safe like any server text.
    core.info(
      logSafe(
        outcome.state === 'published'
          ? `Published ${outputs.doi}${outputs['concept-doi'] ? ` (concept ${outputs['concept-doi']})` : ''}: ${outputs['record-url']}`
          : `Draft ${outputs['record-id']} is ready for review (reserved DOI ${outputs.doi}): ${outputs['record-url']}`
      )
    )
    await writeSummary(outputs, {
      title: planned.metadata.title ?? '',
      note: outcome.note,
      newConcept: outcome.newConcept && outcome.state === 'published',
      updatedFiles,
      service,
      warnings: [
        ...planned.problems.filter(p => p.severity === 'warning').map(formatProblem),
        ...planned.softwareHeritage
      ]
    })
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    core.setFailed(message)
    if (!(e instanceof ActionError) && e instanceof Error && e.stack) core.debug(e.stack)
    const failed = e instanceof ValidationError ? e : undefined
    await writeFailureSummary(message, failed?.problems ?? [], failed?.service).catch(
      (w: unknown) => {
        core.debug(`Could not write the job summary: ${String(w)}`)
      }
    )
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
