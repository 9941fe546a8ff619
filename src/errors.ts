/**
 * Typed errors shared by every module. An ActionError carries a message meant for the
 * user (no stack trace is printed for it); a ValidationError carries every problem found
 * in the user's input so they can all be reported together before anything is written.
 */
import { logSafe } from './format.js'

export class ActionError extends Error {
  override name = 'ActionError'
}

export type Severity = 'error' | 'warning'

/** One problem with the user's input: which file, which field, what is wrong, how to fix it. */
export interface Problem {
  severity: Severity
  /** The file the value came from (".zenodo.json", "CITATION.cff", "the metadata input", "action input"). */
  file: string
  /** Path of the field, e.g. "metadata.creators[0].orcid" or "creators[0].orcid". */
  field: string
  /** What is wrong, e.g. 'ORCID "1234" is not of the form 0000-0000-0000-000X'. */
  message: string
  /** How to fix it, e.g. 'write the 16-digit ORCID iD such as "0000-0002-1825-0097"'. */
  fix: string
  /** 1-based position in the file, when known (JSON syntax errors, YAML errors). */
  line?: number
  column?: number
}

/**
 * One line: `<file>: <field>: <message>. Fix: <fix>`, the file with its line and column when
 * known (`.zenodo.json:3:5`, or in words for what is not a file: `the metadata input, line 3,
 * column 5`). Fields and messages may quote the user's text (a key of .zenodo.json, a file name),
 * so control characters are escaped (logSafe): the line can never be split into one the runner
 * would read as a workflow command.
 */
export function formatProblem(p: Problem): string {
  return logSafe(`${where(p)}: ${p.field}: ${p.message}. Fix: ${p.fix}`)
}

function where(p: Problem): string {
  if (p.line === undefined) return p.file
  const line = String(p.line)
  const column = p.column === undefined ? undefined : String(p.column)
  if (/^[\w.\-/]+$/.test(p.file)) return `${p.file}:${line}${column ? `:${column}` : ''}`
  return `${p.file}, line ${line}${column ? `, column ${column}` : ''}`
}

export class ValidationError extends ActionError {
  override name = 'ValidationError'
  /** service: the repository's name in messages ("Zenodo", "the repository at <host>"). */
  constructor(
    readonly problems: Problem[],
    readonly service = 'Zenodo'
  ) {
    const errors = problems.filter(p => p.severity === 'error')
    super(
      `${String(errors.length)} problem${errors.length === 1 ? '' : 's'} found before anything was written to ${service}:\n` +
        errors.map(p => `  - ${formatProblem(p)}`).join('\n')
    )
  }
}
