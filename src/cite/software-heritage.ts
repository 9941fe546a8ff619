/**
 * Software Heritage eligibility of a Zenodo record.
 *
 * Zenodo forwards a published record to Software Heritage only when all of these hold
 * (Zenodo's invenio-swh service and config, see README "Software Heritage"):
 * resource type software; exactly one file; its extension zip, tar, tar.gz, tar.bz2
 * or tar.lzma (not .tgz); at most 100 MiB; record and files fully open.
 * Zenodo says nothing when a record does not qualify, so the action warns instead.
 */

/** At most this many bytes (100 MiB). */
export const SWH_MAX_BYTES = 100 * 1024 * 1024

/** Archive extensions Software Heritage accepts through Zenodo, longest first. */
export const SWH_EXTENSIONS = ['.tar.lzma', '.tar.bz2', '.tar.gz', '.tar', '.zip'] as const

export type SwhRule = 'software' | 'one-file' | 'extension' | 'size' | 'open'

export interface SwhRecord {
  /** Legacy upload_type ("software") or an RDM resource type id ("software", "software-computationalnotebook"). */
  resourceType: string
  /** Legacy access_right: open, embargoed, restricted, closed. */
  accessRight: string
  /** The files the record will hold once published, inherited ones included. */
  files: { name: string; size: number }[]
}

export interface SwhFailure {
  rule: SwhRule
  /** Which rule fails, and how to fix it: one sentence for a warning. */
  message: string
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** Every Software Heritage rule the record fails, in the order above; [] when it qualifies. */
export function softwareHeritageFailures(record: SwhRecord): SwhFailure[] {
  const failures: SwhFailure[] = []
  const type = record.resourceType.trim().toLowerCase()
  if (type !== 'software' && !type.startsWith('software-')) {
    failures.push({
      rule: 'software',
      message: `Software Heritage: the resource type is "${record.resourceType}", not software. Set upload_type to "software" if this is software`
    })
  }
  if (record.files.length !== 1) {
    const names = record.files.map(f => f.name).join(', ')
    failures.push({
      rule: 'one-file',
      message:
        record.files.length === 0
          ? 'Software Heritage: the record has no file; it needs exactly one archive of the source code. Upload the source archive'
          : `Software Heritage: the record holds ${String(record.files.length)} files (${names}), and only a record with exactly one file is forwarded. Upload only the source archive: keep manifest.json inside the archive and attach release binaries elsewhere (or in a separate record)`
    })
  }
  if (record.files.length === 1) {
    const file = record.files[0]
    const name = file.name.toLowerCase()
    if (!SWH_EXTENSIONS.some(ext => name.endsWith(ext))) {
      failures.push({
        rule: 'extension',
        message: name.endsWith('.tgz')
          ? `Software Heritage: "${file.name}" ends in .tgz, which Software Heritage does not take. Name it .tar.gz instead`
          : `Software Heritage: "${file.name}" is not a .zip, .tar, .tar.gz, .tar.bz2 or .tar.lzma archive. Upload the source code as a .zip or .tar.gz archive`
      })
    }
    if (file.size > SWH_MAX_BYTES) {
      failures.push({
        rule: 'size',
        message: `Software Heritage: "${file.name}" is ${mib(file.size)}, more than the 100 MiB Software Heritage takes from Zenodo. Leave large data and binaries out of the source archive`
      })
    }
  }
  if (record.accessRight.trim().toLowerCase() !== 'open') {
    failures.push({
      rule: 'open',
      message: `Software Heritage: the access right is "${record.accessRight}", and only a fully open record and files are forwarded. Set access_right to "open" to have Software Heritage archive it`
    })
  }
  return failures
}

/**
 * The warnings the action gives: the failed rules of a software record. A record of
 * another type is not meant for Software Heritage, so it gets none.
 */
export function softwareHeritageWarnings(record: SwhRecord): string[] {
  const failures = softwareHeritageFailures(record)
  if (failures.some(f => f.rule === 'software')) return []
  return failures.map(f => f.message)
}
