/**
 * Which concept a release continues when the `concept` input is empty, read from the token
 * owner's deposition list (every version, bounded pages): the rules are in ./discovery.ts.
 * The list read here is handed on to resolveTarget, which would otherwise read it again.
 */
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
import { logSafe } from '../format.js'
import type { Deposition } from './client.js'
import type { ReadOnlyZenodo } from './deposition.js'
import {
  collectPages,
  decideConcept,
  describeCandidate,
  type ConceptCandidate,
  type RepositoryRef
} from './discovery.js'

/** Pages of 100 read at most (the same bound as the release-identity search). */
export const DISCOVERY_PAGES = 10

/** How the run chose its concept; the dry run and the log say it in words (describeConcept). */
export type ConceptChoice =
  | { kind: 'input'; value: string }
  | { kind: 'new' }
  | { kind: 'found'; candidate: ConceptCandidate }
  | { kind: 'none'; complete: boolean; draftOnly: string[] }

/** True for `concept: new` (any case). */
export function isNewConcept(value: string): boolean {
  return value.trim().toLowerCase() === 'new'
}

/**
 * Reads the user's depositions and decides. One linking concept is returned as `found`; none as
 * `none`; more than one stops the run here, before any write, naming every candidate.
 */
export async function findConcept(
  client: ReadOnlyZenodo,
  repository: RepositoryRef
): Promise<{ choice: ConceptChoice; listed: Deposition[] }> {
  const c = await collectPages(
    (page, size) => client.listDepositions({ page, size, sort: 'mostrecent', allVersions: true }),
    { pageSize: 100, maxPages: DISCOVERY_PAGES }
  )
  const repo = `https://github.com/${repository.owner}/${repository.repo}`
  const decision = decideConcept(c.items, repository)
  if (decision.kind === 'many') {
    // one line per candidate; each candidate's text (a title a person typed) is made log-safe
    throw new ActionError(
      `Input 'concept' is empty, and ${String(decision.candidates.length)} Zenodo concepts among your depositions link ${repo}:\n${decision.candidates
        .map(d => `  - ${logSafe(describeCandidate(d))}`)
        .join(
          '\n'
        )}\nNothing was written. Set the concept input to the one this release continues (e.g. concept: ${decision.candidates.at(0)?.conceptDoi ?? decision.candidates.at(0)?.conceptRecId ?? ''}), or to new for a new record.`
    )
  }
  const choice: ConceptChoice =
    decision.kind === 'one'
      ? { kind: 'found', candidate: decision.candidate }
      : { kind: 'none', complete: c.complete, draftOnly: decision.draftOnlyConcepts }
  core.info(logSafe(describeConcept(choice, repo)))
  return { choice, listed: c.items }
}

/** The choice in words, for the log and the dry run. */
export function describeConcept(choice: ConceptChoice, repo: string): string {
  switch (choice.kind) {
    case 'input':
      return `Concept from the concept input: ${choice.value}.`
    case 'new':
      return 'A new concept (concept: new).'
    case 'found': {
      const c = choice.candidate
      return `Continuing concept ${c.conceptRecId}${c.conceptDoi ? ` (${c.conceptDoi})` : ''} "${c.title}", latest version ${c.latestVersion ?? '(no version)'} (record ${String(c.latestId)}): found among your depositions by its link ${c.matchedLink}.`
    }
    case 'none':
      return `No concept among your depositions links ${repo}, so this release makes a new concept.${choice.complete ? '' : ` The search was cut short after ${String(DISCOVERY_PAGES * 100)} depositions: if this repository already has a record, set the concept input.`}${choice.draftOnly.length ? ` (Unpublished drafts of concept ${choice.draftOnly.join(', ')} link it, but a concept with no published version cannot get a new version.)` : ''}`
  }
}
