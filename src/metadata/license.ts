/**
 * Zenodo's license matching rule, exactly as src/data/zenodo-licenses.json "about" describes it:
 * the value (a string, or {"id": ...}) is trimmed and lower-cased, replaced through `aliases` if
 * listed there (then lower-cased again), and must then be a key of `legacy_to_rdm`.
 */
import licenses from '../data/zenodo-licenses.json' with { type: 'json' }
import { closest } from './suggest.js'

const aliases: Record<string, string> = licenses.aliases
const legacyToRdm: Record<string, string> = licenses.legacy_to_rdm
const knownKeys = Object.keys(legacyToRdm)

/** The outcome of matching a license value the way Zenodo does. */
export type LicenseMatch =
  | { ok: true; key: string; rdmId: string }
  | { ok: false; reason: 'shape'; value: unknown }
  | { ok: false; reason: 'unknown'; value: string; suggestion?: string }

/** The string a license value carries: the string itself, or the `id` of an object. */
export function licenseString(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const id = (value as Record<string, unknown>).id
    if (typeof id === 'string') return id
  }
  return undefined
}

/** The `legacy_to_rdm` key Zenodo resolves a license string to, or undefined when it rejects it. */
export function licenseKey(license: string): string | undefined {
  const lowered = license.trim().toLowerCase()
  const aliased = (aliases[lowered] ?? lowered).toLowerCase()
  return Object.hasOwn(legacyToRdm, aliased) ? aliased : undefined
}

/** Whether Zenodo accepts this license value (string or {"id": ...}). */
export function isAcceptedLicense(value: unknown): boolean {
  return matchLicense(value).ok
}

/** Match a license value (string or {"id": ...}) the way Zenodo does. */
export function matchLicense(value: unknown): LicenseMatch {
  const text = licenseString(value)
  if (text === undefined) return { ok: false, reason: 'shape', value }
  const key = licenseKey(text)
  if (key !== undefined) return { ok: true, key, rdmId: legacyToRdm[key] }
  return { ok: false, reason: 'unknown', value: text, suggestion: suggestLicense(text) }
}

/**
 * An accepted license id close to a rejected value: the last segment of a URL
 * (".../licenses/BSD-3-Clause"), free text ("BSD 3-Clause License"), or a near miss.
 */
export function suggestLicense(value: string): string | undefined {
  const attempts: string[] = []
  let text = value.trim()
  const urlMatch =
    /^[a-z]+:\/\/[^/]+\/(?:.*\/)?([^/?#]+?)(?:\.(?:html?|php|txt))?\/?(?:[?#].*)?$/i.exec(text)
  if (urlMatch) {
    text = urlMatch[1]
    attempts.push(text)
  }
  const words = text
    .replace(/\b(the|licen[cs]e|version|v(?=\d))\b/gi, ' ')
    .replace(/[()]/g, ' ')
    .trim()
    .replace(/\s+/g, '-')
  attempts.push(words, words.replace(/-(\d)$/, '-$1.0'), `${words}-only`)
  for (const attempt of attempts) {
    const key = licenseKey(attempt)
    if (key !== undefined) return spdxSpelling(attempt, key)
  }
  const near = closest(words, [...knownKeys, ...Object.keys(aliases)])
  return near === undefined ? undefined : spdxSpelling(near, licenseKey(near) ?? near)
}

/** Prefer the user's own spelling when it resolves to the same key (keeps "BSD-3-Clause" cased). */
function spdxSpelling(attempt: string, key: string): string {
  return attempt.toLowerCase() === key ? attempt : key
}

const LICENSE_PAGE =
  /^https?:\/\/(?:www\.)?(?:spdx\.org\/licenses|opensource\.org\/licenses?)\/([^/?#]+?)(?:\.(?:html?|php|txt|json))?\/?(?:[?#].*)?$/i

/**
 * The license id of the URL of an SPDX or OSI license page ("https://spdx.org/licenses/MIT.html",
 * "https://opensource.org/licenses/Apache-2.0", "https://opensource.org/license/mit/"), when
 * Zenodo accepts that id; undefined for any other URL.
 */
export function licenseFromUrl(value: string): string | undefined {
  const match = LICENSE_PAGE.exec(value.trim())
  if (!match) return undefined
  const id = decodeURIComponent(match[1])
  return licenseKey(id) !== undefined ? id : undefined
}
