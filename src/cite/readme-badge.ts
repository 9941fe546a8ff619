/**
 * The concept-DOI badge in README.md:
 * [![DOI](https://zenodo.org/badge/DOI/<conceptdoi>.svg)](https://doi.org/<conceptdoi>)
 *
 * An existing Zenodo DOI badge is replaced where it stands (Markdown stays Markdown, an
 * HTML <a><img></a> stays HTML, since Markdown is not rendered inside HTML blocks). All
 * badge URL forms Zenodo serves are recognised (zenodo-rdm's badge views): /badge/DOI/<doi>
 * and /badge/doi/<doi> as .svg or .png, and the GitHub repository-id forms
 * /badge/latestdoi/<id> and /badge/<id>.svg, inline or reference-style ([![DOI][img]][link]
 * becomes an inline badge; its definitions are left). Without a badge, it goes on its own line
 * below the first heading (ATX, setext, or an HTML <h1>..<h6> block, found through
 * markdown-it's tokens), or at the top (after YAML front matter) when there is none.
 * Badges inside code blocks are examples, not badges: they are left alone.
 *
 * Which badge is replaced: every one that shows this concept (its concept DOI, one of
 * `knownDois`, or a repository-id form); when none does, the first Zenodo DOI badge.
 * A second badge for another record (a dataset, a paper) is left alone.
 */
import MarkdownIt, { type Token } from 'markdown-it'

export interface BadgeOptions {
  /** The concept DOI, bare: 10.5281/zenodo.123 */
  conceptDoi: string
  /** The Zenodo instance (web or API URL); its origin serves the badge. Default https://zenodo.org */
  zenodoUrl?: string
  /** Other DOIs of this concept (its versions): a badge showing one of them is this record's badge. */
  knownDois?: string[]
}

export interface BadgeResult {
  text: string
  changed: boolean
  /** replaced: an existing badge was rewritten; inserted: a new line was added. */
  action: 'replaced' | 'inserted'
}

/** The origin that serves badges: https://zenodo.org for https://zenodo.org/api. */
export function badgeOrigin(zenodoUrl = 'https://zenodo.org'): string {
  return new URL(zenodoUrl).origin
}

export function badgeImageUrl(conceptDoi: string, zenodoUrl?: string): string {
  return `${badgeOrigin(zenodoUrl)}/badge/DOI/${conceptDoi}.svg`
}

/** The Markdown badge line. */
export function markdownBadge(conceptDoi: string, zenodoUrl?: string): string {
  return `[![DOI](${badgeImageUrl(conceptDoi, zenodoUrl)})](https://doi.org/${conceptDoi})`
}

function htmlBadge(conceptDoi: string, zenodoUrl?: string): string {
  return `<a href="https://doi.org/${conceptDoi}"><img src="${badgeImageUrl(conceptDoi, zenodoUrl)}" alt="DOI"></a>`
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A badge image URL on any known Zenodo host; groups: doi, or id (repository-id forms). */
function badgeUrlPattern(zenodoUrl?: string): string {
  const hosts = new Set([
    'zenodo.org',
    'www.zenodo.org',
    'sandbox.zenodo.org',
    new URL(badgeOrigin(zenodoUrl)).host
  ])
  const host = [...hosts].map(escapeRegExp).join('|')
  return (
    `https?://(?:${host})/badge/` +
    `(?:(?:DOI|doi)/(?<doi>[^\\s)"'<>]+?)\\.(?:svg|png)|latestdoi/(?<lid>\\d+)|(?<rid>\\d+)\\.svg)` +
    `(?:\\?[^\\s)"'<>]*)?`
  )
}

interface Match {
  start: number
  end: number
  html: boolean
  doi?: string
}

/** Every Zenodo badge in `text` outside code blocks, in order, none overlapping. */
function findBadges(
  text: string,
  zenodoUrl: string | undefined,
  skip: [number, number][]
): Match[] {
  const url = badgeUrlPattern(zenodoUrl)
  const title = `(?:\\s+(?:"[^"]*"|'[^']*'))?`
  const forms: { re: RegExp; html: boolean }[] = [
    {
      re: new RegExp(
        `<a\\b[^>]*>\\s*<img\\b[^>]*\\bsrc\\s*=\\s*["']${url}["'][^>]*>\\s*</a\\s*>`,
        'gi'
      ),
      html: true
    },
    { re: new RegExp(`<img\\b[^>]*\\bsrc\\s*=\\s*["']${url}["'][^>]*>`, 'gi'), html: true },
    {
      re: new RegExp(
        `\\[!\\[[^\\]]*\\]\\(\\s*<?${url}>?${title}\\s*\\)\\]\\(\\s*[^)\\s]*${title}\\s*\\)`,
        'g'
      ),
      html: false
    },
    { re: new RegExp(`!\\[[^\\]]*\\]\\(\\s*<?${url}>?${title}\\s*\\)`, 'g'), html: false }
  ]
  const found: Match[] = []
  const taken = (s: number, e: number): boolean =>
    skip.some(([a, b]) => s < b && e > a) || found.some(m => s < m.end && e > m.start)
  for (const { re, html } of forms) {
    for (const m of text.matchAll(re)) {
      const start = m.index
      const end = start + m[0].length
      if (taken(start, end)) continue
      const doi = m.groups?.doi
      found.push({
        start,
        end,
        html,
        ...(doi === undefined ? {} : { doi: decodeURIComponent(doi) })
      })
    }
  }
  // Reference style: [![DOI][img]][link], [![DOI][img]](url) or ![DOI][img], with "[img]: <badge URL>".
  // The use becomes an inline badge; the definitions stay (unused ones render as nothing).
  const label = (l: string): string => l.trim().replace(/\s+/g, ' ').toLowerCase()
  const defs = new Map<string, string | undefined>()
  const defRe = new RegExp(`^ {0,3}\\[([^\\]]+)\\]:[ \\t]*<?${url}>?(?:[ \\t].*)?$`, 'gm')
  for (const m of text.matchAll(defRe)) {
    if (!skip.some(([a, b]) => m.index >= a && m.index < b) && m[1])
      defs.set(label(m[1]), m.groups?.doi)
  }
  if (defs.size > 0) {
    const useRe =
      /\[!\[([^\]]*)\]\[([^\]]*)\]\](?:\[[^\]]*\]|\([^)\s]*(?:\s+"[^"]*")?\))|!\[([^\]]*)\]\[([^\]]*)\]/g
    for (const m of text.matchAll(useRe)) {
      const ref = m.at(2) ?? m.at(4) ?? ''
      const key = label(ref === '' ? (m.at(1) ?? m.at(3) ?? '') : ref)
      const start = m.index
      const end = start + m[0].length
      if (!defs.has(key) || taken(start, end)) continue
      const doi = defs.get(key)
      found.push({
        start,
        end,
        html: false,
        ...(doi === undefined ? {} : { doi: decodeURIComponent(doi) })
      })
    }
  }
  return found.sort((a, b) => a.start - b.start)
}

/** Character ranges of fenced and indented code blocks. */
function codeRanges(lineStarts: number[], tokens: Token[], textLength: number): [number, number][] {
  const ranges: [number, number][] = []
  for (const t of tokens) {
    if ((t.type === 'fence' || t.type === 'code_block') && t.map) {
      ranges.push([lineStarts[t.map[0]] ?? textLength, lineStarts[t.map[1]] ?? textLength])
    }
  }
  return ranges
}

const markdown = new MarkdownIt({ html: true })

/** Put the concept-DOI badge into README text. Running it twice changes nothing the second time. */
export function putDoiBadge(text: string, opts: BadgeOptions): BadgeResult {
  const { conceptDoi, zenodoUrl } = opts
  const lines = text.split('\n')
  const lineStarts: number[] = []
  let offset = 0
  for (const line of lines) {
    lineStarts.push(offset)
    offset += line.length + 1
  }
  const front = frontMatterLines(lines)
  const tokens = markdown.parse(lines.slice(front).join('\n'), {}).map(t => {
    if (t.map) t.map = [t.map[0] + front, t.map[1] + front]
    return t
  })

  const badges = findBadges(text, zenodoUrl, [
    [0, lineStarts[front] ?? text.length],
    ...codeRanges(lineStarts, tokens, text.length)
  ])
  if (badges.length > 0) {
    const known = new Set([conceptDoi, ...(opts.knownDois ?? [])].map(d => d.toLowerCase()))
    const ours = badges.filter(b => b.doi === undefined || known.has(b.doi.toLowerCase()))
    const replace = ours.length > 0 ? ours : badges.slice(0, 1)
    let out = text
    for (const b of [...replace].reverse()) {
      const badge = b.html ? htmlBadge(conceptDoi, zenodoUrl) : markdownBadge(conceptDoi, zenodoUrl)
      out = out.slice(0, b.start) + badge + out.slice(b.end)
    }
    return { text: out, changed: out !== text, action: 'replaced' }
  }

  const cr = text.includes('\r\n') ? '\r' : ''
  const badge = markdownBadge(conceptDoi, zenodoUrl) + cr
  const blank = (l: string | undefined): boolean => l !== undefined && l.trim() === ''
  const heading = tokens.find(
    t => t.type === 'heading_open' || (t.type === 'html_block' && /^\s*<h[1-6]\b/i.test(t.content))
  )
  let out: string[]
  if (heading?.map) {
    const end = heading.map[1]
    const before = lines.slice(0, end)
    const rest = lines.slice(end)
    if (rest.length === 0) out = [...before, cr, badge.replace(/\r$/, '')]
    else if (rest.every(l => blank(l))) out = [...before, cr, badge, '']
    else if (blank(rest[0])) out = [...before, rest[0] ?? '', badge, cr, ...rest.slice(1)]
    else out = [...before, cr, badge, cr, ...rest]
  } else {
    const before = lines.slice(0, front)
    const rest = lines.slice(front)
    out =
      blank(rest[0]) || rest.length === 0
        ? [...before, badge, ...rest]
        : [...before, badge, cr, ...rest]
  }
  const result = out.join('\n')
  return { text: result, changed: result !== text, action: 'inserted' }
}

/** The number of lines of a YAML front matter block (--- ... ---) at the top, else 0. */
function frontMatterLines(lines: string[]): number {
  if (lines[0]?.replace(/\r$/, '') !== '---') return 0
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]?.replace(/\r$/, '')
    if (l === '---' || l === '...') return i + 1
  }
  return 0
}
