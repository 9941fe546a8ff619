/**
 * The only module that reads the action's inputs. It turns them into one typed Settings object
 * and throws an ActionError naming the input for every bad value, before anything else runs.
 */
import * as core from '@actions/core'
import { ActionError, ValidationError, type Problem } from './errors.js'
import { hasControlChars } from './format.js'
import { ORIGIN } from './metadata/build.js'
import { readJson, type Positions } from './metadata/json-syntax.js'
import type { ZenodoMetadata } from './metadata/types.js'
import { repositoryName } from './rdm/plan.js'

export type IfNoFilesFound = 'error' | 'warn' | 'ignore'

/** Which API a run speaks: Zenodo's legacy deposit API, or InvenioRDM's native REST API. */
export type Api = 'legacy' | 'rdm'

export interface OAuthSettings {
  clientId: string
  clientSecret: string
  refreshToken: string
}

export interface Settings {
  /** Zenodo personal access token; '' when OAuth is used. */
  token: string
  oauth?: OAuthSettings
  /** Base URL of the Zenodo instance, without a trailing slash, e.g. https://zenodo.org */
  zenodoUrl: string
  /** zenodoUrl + '/api' */
  apiUrl: string
  sandbox: boolean
  /** The api input resolved: auto is legacy for zenodo.org and sandbox.zenodo.org, else rdm. */
  api: Api
  concept: string
  files: string[]
  archive: string[]
  archiveName: string
  /** manifest.json at the archive root. */
  manifest: boolean
  /** manifest.json uploaded beside the archive too (manifest: upload); off by default (Software Heritage). */
  manifestUpload: boolean
  /** The archived CITATION.cff/codemeta.json carry the version DOI (cite-in-archive). */
  citeInArchive: boolean
  /** After a publish, CITATION.cff in the workspace gets the concept DOI (update-citation-file). */
  updateCitationFile: boolean
  /** After a publish, README.md gets the concept-DOI badge (update-readme-badge). */
  updateReadmeBadge: boolean
  metadataFile: string
  metadata?: ZenodoMetadata
  /** Where the fields of the metadata input sit: line and column within the input's text. */
  metadataPositions?: Positions
  /** Warnings about the metadata input's JSON (a key repeated in one object). */
  metadataWarnings?: Problem[]
  /** The version input ('' when not given). */
  version: string
  publish: boolean
  keepPreviousFiles: boolean
  ifNoFilesFound: IfNoFilesFound
  githubToken: string
  dryRun: boolean
  releaseAssets: boolean
  concurrency: number
  /** The repository checkout (GITHUB_WORKSPACE, else the working directory). */
  workspace: string
  /**
   * Multiplies every wait (retry backoff, rate-limit waits, read-back pauses). 1 in real use;
   * the project's own end-to-end tests set ZENODO_RELEASE_TIME_SCALE to run in milliseconds.
   */
  timeScale: number
}

const PRODUCTION_URL = 'https://zenodo.org'
const SANDBOX_URL = 'https://sandbox.zenodo.org'

/** Reads every input; throws ActionError naming the first bad input and how to fix it. */
export function getSettings(): Settings {
  const token = input('token')
  const oauth = readOAuth()
  if (!token && !oauth) {
    throw new ActionError(
      "Input 'token' is required: set it to a Zenodo personal access token with the deposit:write and deposit:actions scopes (e.g. token: ${{ secrets.ZENODO_TOKEN }}), or give all three of oauth-client-id, oauth-client-secret and oauth-refresh-token."
    )
  }
  if (token) core.setSecret(token)

  const sandbox = bool('sandbox')
  const zenodoUrl = readZenodoUrl(input('zenodo-url'), sandbox)
  const githubToken = input('github-token')
  if (githubToken) core.setSecret(githubToken)
  const api = readApi(input('api'), zenodoUrl)
  const service = api === 'rdm' ? repositoryName(zenodoUrl) : 'Zenodo'

  return {
    token,
    oauth,
    zenodoUrl,
    apiUrl: `${zenodoUrl}/api`,
    sandbox,
    api,
    concept: input('concept'),
    files: lines('files'),
    archive: lines('archive'),
    archiveName: printable('archive-name') || '{repo}-{version}.zip',
    ...readManifest(input('manifest')),
    citeInArchive: bool('cite-in-archive', true),
    updateCitationFile: bool('update-citation-file'),
    updateReadmeBadge: bool('update-readme-badge'),
    metadataFile: input('metadata-file') || '.zenodo.json',
    ...readMetadataInput(core.getInput('metadata', { trimWhitespace: false }), service),
    version: printable('version'),
    publish: bool('publish', true),
    keepPreviousFiles: bool('keep-previous-files'),
    ifNoFilesFound: readIfNoFilesFound(input('if-no-files-found')),
    githubToken,
    dryRun: bool('dry-run'),
    releaseAssets: bool('release-assets'),
    concurrency: readConcurrency(input('concurrency')),
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    timeScale: readTimeScale(process.env.ZENODO_RELEASE_TIME_SCALE)
  }
}

function input(name: string): string {
  return core.getInput(name).trim()
}

/** An input that becomes a tag, a file name and log lines: no control characters. */
function printable(name: string): string {
  const value = input(name)
  if (hasControlChars(value)) {
    throw new ActionError(
      `Input '${name}' holds a control character (a line break, say); give it on one line of printable characters.`
    )
  }
  return value
}

function lines(name: string): string[] {
  return core
    .getInput(name)
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
}

const TRUE = ['true', 'True', 'TRUE', 'yes', '1']
const FALSE = ['false', 'False', 'FALSE', 'no', '0']

function bool(name: string, fallback = false): boolean {
  const value = input(name)
  if (value === '') return fallback
  if (TRUE.includes(value)) return true
  if (FALSE.includes(value)) return false
  throw new ActionError(`Input '${name}' must be true or false, not "${value}".`)
}

function readOAuth(): OAuthSettings | undefined {
  const clientId = input('oauth-client-id')
  const clientSecret = input('oauth-client-secret')
  const refreshToken = input('oauth-refresh-token')
  for (const secret of [clientSecret, refreshToken]) if (secret) core.setSecret(secret)
  const given = {
    'oauth-client-id': clientId,
    'oauth-client-secret': clientSecret,
    'oauth-refresh-token': refreshToken
  }
  const missing = Object.entries(given)
    .filter(([, v]) => !v)
    .map(([k]) => k)
  if (missing.length === 3) return undefined
  if (missing.length > 0) {
    throw new ActionError(
      `OAuth needs all three of oauth-client-id, oauth-client-secret and oauth-refresh-token; missing: ${missing.join(', ')}. Give them all, or use the token input instead.`
    )
  }
  return { clientId, clientSecret, refreshToken }
}

/** Loopback hosts, the only ones allowed over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

function readZenodoUrl(value: string, sandbox: boolean): string {
  if (!value) return sandbox ? SANDBOX_URL : PRODUCTION_URL
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ActionError(
      `Input 'zenodo-url' is not a URL: "${value}". Use e.g. https://zenodo.org, or leave it empty.`
    )
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ActionError(
      `Input 'zenodo-url' must use https (plain http is allowed only for loopback test servers): "${url.origin}".`
    )
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ActionError(
      `Input 'zenodo-url' must be a plain base URL such as https://zenodo.org (no credentials, query or fragment).`
    )
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api$/, '')}`
}

/**
 * The metadata input, read as .zenodo.json is (json-syntax.ts): every JSON syntax error with its
 * line and column within the input's text, thrown together before anything else runs; a key
 * repeated in one object is a warning. The text is read untrimmed, so that line numbers count
 * from the input's first line.
 */
function readMetadataInput(
  text: string,
  service: string
): Pick<Settings, 'metadata' | 'metadataPositions' | 'metadataWarnings'> {
  if (text.trim() === '') return {}
  const read = readJson(text, ORIGIN.input, 'input')
  const errors = read.problems.filter(p => p.severity === 'error')
  if (errors.length > 0) throw new ValidationError(errors, service)
  const value = read.value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ActionError(
      `Input 'metadata' must be a JSON object of Zenodo metadata fields, e.g. {"keywords": ["astronomy"]}.`
    )
  }
  return {
    metadata: value as ZenodoMetadata,
    metadataPositions: read.positions,
    metadataWarnings: read.problems
  }
}

/**
 * The manifest input: inside (or true, the default) puts manifest.json in the archive only, so a
 * software record holds one file (Software Heritage); upload (or beside) uploads it beside the
 * archive too; false leaves it out.
 */
function readManifest(value: string): { manifest: boolean; manifestUpload: boolean } {
  if (value === '' || TRUE.includes(value) || value === 'inside')
    return { manifest: true, manifestUpload: false }
  if (value === 'upload' || value === 'beside') return { manifest: true, manifestUpload: true }
  if (FALSE.includes(value)) return { manifest: false, manifestUpload: false }
  throw new ActionError(
    `Input 'manifest' must be inside (or true), upload (or beside) or false, not "${value}".`
  )
}

/** The hosts that keep the legacy deposit API (auto chooses it for them). */
const LEGACY_HOSTS = new Set(['zenodo.org', 'sandbox.zenodo.org'])

function readApi(value: string, zenodoUrl: string): Api {
  const v = value || 'auto'
  if (v === 'legacy' || v === 'rdm') return v
  if (v === 'auto') return LEGACY_HOSTS.has(new URL(zenodoUrl).hostname) ? 'legacy' : 'rdm'
  throw new ActionError(
    `Input 'api' must be auto, legacy or rdm, not "${value}". auto uses the legacy API on zenodo.org and sandbox.zenodo.org and InvenioRDM's native API (rdm) on any other zenodo-url.`
  )
}

function readIfNoFilesFound(value: string): IfNoFilesFound {
  const v = value || 'error'
  if (v === 'error' || v === 'warn' || v === 'ignore') return v
  throw new ActionError(`Input 'if-no-files-found' must be error, warn or ignore, not "${value}".`)
}

function readConcurrency(value: string): number {
  if (!value) return 3
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new ActionError(
      `Input 'concurrency' must be a whole number from 1 to 16, not "${value}".`
    )
  }
  return n
}

function readTimeScale(value: string | undefined): number {
  const n = Number(value ?? '1')
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : 1
}
