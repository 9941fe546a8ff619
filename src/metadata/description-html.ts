/**
 * What Zenodo's description sanitizer drops from HTML a person wrote (a .zenodo.json description,
 * the `metadata` input, an InvenioRDM-shaped metadata file), found before anything is written, so
 * that the run says it instead of Zenodo dropping it without a word.
 *
 * Zenodo keeps only the tags of ALLOWED_TAGS, `class` on any of them, `href`, `title`, `name` and
 * `rel` on links and `title` on abbr and acronym (docs/zenodo-api.md, "Description HTML":
 * invenio-config's allow-list, which Zenodo does not override). Everything else is removed and
 * its text kept, the code inside <script> and <style> included (bleach's clean with strip=True,
 * which marshmallow-utils' sanitize_html calls: mozilla/bleach#185 and #234 declined to remove
 * that content). bleach also removes a link's href whose scheme is not http, https or mailto
 * (its default ALLOWED_PROTOCOLS; marshmallow-utils passes none of its own), and comments
 * (strip_comments defaults to true): comments are invisible either way, so they are not named.
 *
 * The description is sent as it is and Zenodo sanitizes it: the record holds what Zenodo keeps,
 * which is what the warning says. This module only takes an inventory: it parses the HTML with
 * htmlparser2 (the parser sanitize-html is built on) and lists the tags, attributes and link
 * schemes outside the allow-list; it never compares re-serialized text, so entities, quoting,
 * upper-case tags or self-closing slashes cause no warning.
 */
import { Parser } from 'htmlparser2'
import type { Problem } from '../errors.js'
import { ALLOWED_TAGS } from './markdown.js'

/** The attributes Zenodo keeps, by tag ('*': on every allowed tag). */
export const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  '*': ['class'],
  a: ['href', 'title', 'name', 'rel'],
  abbr: ['title'],
  acronym: ['title']
}

/** The link schemes whose href Zenodo keeps (a link without a scheme is kept too). */
export const ALLOWED_SCHEMES: readonly string[] = ['http', 'https', 'mailto']

/** What a description holds outside the allow-list, each name once, in order of appearance. */
export interface HtmlInventory {
  /** Tags Zenodo removes (their text stays). */
  tags: string[]
  /** Attributes Zenodo removes from tags it keeps, with the tags they were on. */
  attributes: Map<string, string[]>
  /** Schemes of links whose href Zenodo removes ("javascript", "ftp"): the text stays, unlinked. */
  schemes: string[]
}

const ALLOWED_TAG_SET = new Set(ALLOWED_TAGS)

/** A name from the user's HTML as it may appear in a message: bounded in length. */
function shown(name: string): string {
  return name.length > 30 ? `${name.slice(0, 29)}…` : name
}

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value)
}

/**
 * The scheme of a link as bleach reads it (control characters, spaces and backticks removed
 * first, as browsers do), lower-cased; undefined for a link without one (relative, #fragment).
 */
function schemeOf(href: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const normalized = href.replace(/[`\u0000-\u0020\u007f-\u00a0\s\ufffd]+/g, '')
  return /^([a-z][a-z0-9+.-]*):/i.exec(normalized)?.[1].toLowerCase()
}

/** List what Zenodo's sanitizer would remove from this HTML. Linear in its length. */
export function inventoryHtml(html: string): HtmlInventory {
  const inventory: HtmlInventory = { tags: [], attributes: new Map(), schemes: [] }
  const parser = new Parser(
    {
      onopentag(name, attributes, isImplied) {
        // An implied tag is one the parser made up (for a stray </p>, say): not the user's.
        if (isImplied) return
        if (!ALLOWED_TAG_SET.has(name)) {
          addOnce(inventory.tags, shown(name))
          return
        }
        const allowed = [...(ALLOWED_ATTRIBUTES['*'] ?? []), ...(ALLOWED_ATTRIBUTES[name] ?? [])]
        for (const [attribute, value] of Object.entries(attributes)) {
          if (!allowed.includes(attribute)) {
            const on = inventory.attributes.get(shown(attribute)) ?? []
            addOnce(on, name)
            inventory.attributes.set(shown(attribute), on)
          } else if (attribute === 'href') {
            const scheme = schemeOf(value)
            if (scheme !== undefined && !ALLOWED_SCHEMES.includes(scheme)) {
              addOnce(inventory.schemes, shown(scheme))
            }
          }
        }
      }
    },
    { decodeEntities: true }
  )
  parser.end(html)
  return inventory
}

/** "a", "a and b", "a, b and c", with at most `max` named and the rest counted. */
function listed(items: string[], max: number): string {
  const named = items.slice(0, max)
  const rest = items.length - named.length
  if (rest > 0) return `${named.join(', ')} and ${String(rest)} more`
  return named.length <= 1
    ? named.join('')
    : `${named.slice(0, -1).join(', ')} and ${named.at(-1) ?? ''}`
}

const tag = (name: string): string => `<${name}>`

/** Tags whose content Zenodo keeps as plain text although it is code, not prose. */
const CODE_TAGS = ['script', 'style']

/** What to write instead of a tag Zenodo removes. */
const TAG_FIXES: Readonly<Partial<Record<string, string>>> = {
  h6: 'write <h5> instead of <h6>',
  img: 'link to an image with <a href="..."> instead of showing it with <img>',
  hr: 'separate sections with a heading instead of <hr>',
  thead: 'put the header row straight in the <table>, with <th> cells',
  tfoot: 'put the footer row straight in the <table>',
  del: 'write <strike> instead of <del>',
  s: 'write <strike> instead of <s>',
  ins: 'write <u> instead of <ins>',
  script: 'remove the <script> element',
  style: 'remove the <style> element'
}

/** Where a description is and how the repository is named, for the warning. */
export interface DescriptionSource {
  /** The file (or "the metadata input") the description came from. */
  file: string
  /** The field as the file names it: "description", or "metadata.description". */
  field: string
  /** "Zenodo", or "the repository at <host>" (InvenioRDM's default allow-list assumed). */
  service: string
  line?: number
  column?: number
}

/**
 * One warning naming everything Zenodo's sanitizer removes from this description (tags,
 * attributes, link schemes) and what to write instead; undefined when Zenodo keeps it all (plain
 * text, entities, comments and allowed markup included). Bounded in length whatever the HTML.
 */
export function descriptionHtmlProblem(
  html: string,
  source: DescriptionSource
): Problem | undefined {
  const { tags, attributes, schemes } = inventoryHtml(html)
  if (tags.length === 0 && attributes.size === 0 && schemes.length === 0) return undefined
  const dropped: string[] = []
  if (tags.length > 0) {
    dropped.push(`the tag${tags.length === 1 ? '' : 's'} ${listed(tags.map(tag), 8)}`)
  }
  if (attributes.size > 0) {
    const names = [...attributes.keys()]
    const on = [...new Set([...attributes.values()].flat())].map(tag)
    dropped.push(
      `the ${listed(names, 6)} attribute${names.length === 1 ? '' : 's'} (on ${listed(on, 4)})`
    )
  }
  if (schemes.length > 0) {
    dropped.push(
      `the address of links to ${listed(
        schemes.map(s => `${s}:`),
        4
      )}`
    )
  }
  const notes: string[] = []
  if (tags.includes('img')) notes.push('an image leaves nothing, not even its alt text')
  const code = CODE_TAGS.filter(t => tags.includes(t))
  if (code.length > 0) {
    notes.push(`the code inside ${listed(code.map(tag), 2)} shows on the record as text`)
  }
  const zenodo = source.service === 'Zenodo'
  const who = zenodo
    ? 'Zenodo'
    : `${source.service}, if it keeps InvenioRDM's default allow-list as Zenodo does,`
  const fixes = tags.flatMap(t => TAG_FIXES[t] ?? []).slice(0, 4)
  if (attributes.size > 0) {
    fixes.push(
      `remove the ${listed([...attributes.keys()], 3)} attribute${attributes.size === 1 ? '' : 's'} (only class on any tag, href, title, name and rel on <a>, title on <abbr> and <acronym> are kept)`
    )
  }
  if (schemes.length > 0) fixes.push('link to http, https or mailto addresses only')
  if (tags.some(t => TAG_FIXES[t] === undefined)) {
    fixes.push(
      `keep to the tags ${zenodo ? 'Zenodo' : 'InvenioRDM'} keeps: ${ALLOWED_TAGS.join(', ')}`
    )
  }
  // "the tags <h6> and <img>, and the style attribute": a comma where a part has its own "and"
  const last = dropped.at(-1) ?? ''
  const head = dropped.slice(0, -1)
  const what =
    head.length === 0
      ? last
      : `${head.join(', ')}${head.length > 1 || head[0].includes(' and ') ? ',' : ''} and ${last}`
  return {
    severity: 'warning',
    file: source.file,
    field: source.field,
    message: `${who} keeps the text but drops ${what}${notes.map(n => `; ${n}`).join('')}`,
    fix: fixes.join('; '),
    ...(source.line === undefined ? {} : { line: source.line }),
    ...(source.column === undefined ? {} : { column: source.column })
  }
}
