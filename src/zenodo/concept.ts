/**
 * Turns the `concept` input (a concept DOI, DOI URL, record URL, concept record id, or any
 * version's id or DOI) into the Zenodo record id to resolve the latest version from.
 */
import { ActionError } from '../errors.js'

/** Zenodo DOI prefixes: production and sandbox. */
const ZENODO_DOI = /^10\.(5281|5072)\/zenodo\.(\d+)$/i

/** Parses the concept input; throws an ActionError naming the input when it is none of the accepted forms. */
export function parseConcept(value: string): number {
  const v = value.trim()
  if (/^\d+$/.test(v)) return positive(Number(v), value)

  const doi = v.replace(/^doi:\s*/i, '').replace(/^https?:\/\/(dx\.)?doi\.org\//i, '')
  const doiMatch = ZENODO_DOI.exec(decodeURIComponent(doi))
  if (doiMatch) return positive(Number(doiMatch[2]), value)
  if (/^10\.\d{4,}\//.test(doi)) {
    throw new ActionError(
      `Input 'concept': "${value}" is not a Zenodo DOI (Zenodo DOIs start with 10.5281/zenodo.). A record with an external DOI cannot get new versions on Zenodo; give the Zenodo concept DOI or record id instead.`
    )
  }

  let url: URL | undefined
  try {
    url = new URL(v)
  } catch {
    url = undefined
  }
  if (url && /^https?:$/.test(url.protocol)) {
    const record = /\/(?:records?|deposit|uploads)\/(\d+)(?:\/|$)/.exec(url.pathname)
    if (record) return positive(Number(record[1]), value)
    const doiPath = /\/doi\/(10\.\d+\/zenodo\.\d+)/i.exec(decodeURIComponent(url.pathname))
    if (doiPath) return parseConcept(doiPath[1])
  }
  throw new ActionError(
    `Input 'concept': "${value}" is not a Zenodo concept DOI, DOI URL, record URL or record id. Use e.g. 10.5281/zenodo.1234567, https://doi.org/10.5281/zenodo.1234567, https://zenodo.org/records/1234567 or 1234567.`
  )
}

function positive(n: number, value: string): number {
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ActionError(`Input 'concept': "${value}" does not hold a valid Zenodo record id.`)
  }
  return n
}
