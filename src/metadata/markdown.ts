/**
 * Turning release notes (Markdown, often with inline HTML) and plain text (a CITATION.cff
 * abstract) into the HTML Zenodo accepts in a description: only the tags and attributes Zenodo
 * keeps (Zenodo's description sanitizer: invenio-config's allowed tags and attributes), nothing
 * that runs scripts or loads content; tables and headings h1-h5 stay, h6 becomes h5, table
 * sections (thead, tbody, tfoot) are unwrapped into the table, del/s become strike.
 */
import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'

/** The tags Zenodo accepts in a description. */
export const ALLOWED_TAGS: readonly string[] = [
  'a',
  'abbr',
  'acronym',
  'b',
  'blockquote',
  'br',
  'code',
  'div',
  'table',
  'tbody',
  'td',
  'th',
  'tr',
  'em',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'i',
  'li',
  'ol',
  'p',
  'pre',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'u',
  'ul'
]

/** Tags removed together with their content (everything else that is not allowed keeps its text). */
const DROPPED_WITH_CONTENT = [
  'script',
  'style',
  'iframe',
  'noscript',
  'noembed',
  'noframes',
  'object',
  'embed',
  'template',
  'textarea',
  'option',
  'select',
  'svg',
  'math',
  'head',
  'title',
  'xmp'
]

/**
 * breaks: GitHub shows a single newline in release notes as a line break (as in comments, not
 * as in README files), so the description on Zenodo reads the way the release page does.
 */
const markdown = new MarkdownIt({ html: true, linkify: true, breaks: true })

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: {
    '*': ['class'],
    a: ['href', 'title', 'name', 'rel'],
    abbr: ['title'],
    acronym: ['title']
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: DROPPED_WITH_CONTENT,
  transformTags: {
    del: 'strike',
    s: 'strike',
    ins: 'u',
    h6: 'h5',
    // An image becomes its alt text (or nothing).
    img: (_tagName, attribs) => {
      // An <img> without alt has no such attribute.
      const attributes: Partial<Record<string, string>> = attribs
      return { tagName: 'span', attribs: {}, text: attributes.alt ?? '' }
    }
  }
}

/**
 * Keep only what Zenodo keeps: the tags of ALLOWED_TAGS, class on any of them, href, title, name
 * and rel on links (http, https and mailto only), title on abbr and acronym. h6 becomes h5, del
 * and s become strike, images their alt text; scripts, styles and embedded frames are removed
 * with their content, other tags (thead, hr, ...) are removed keeping their text.
 */
export function sanitizeDescription(html: string): string {
  return sanitizeHtml(html, SANITIZE_OPTIONS)
    .replace(/<p>\s*<\/p>/g, '')
    .trim()
}

/** Render Markdown release notes (with inline HTML) to the HTML Zenodo accepts. */
export function renderMarkdown(text: string): string {
  return sanitizeDescription(markdown.render(text))
}

function escapeText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/**
 * Plain text (e.g. a CITATION.cff abstract) as HTML: blank lines separate paragraphs, single line
 * breaks become <br>, and &, <, > and " are escaped. Empty or blank text gives ''.
 */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(paragraph =>
      paragraph
        .split('\n')
        .map(line => line.trim())
        .filter(line => line !== '')
        .map(escapeText)
        .join('<br>')
    )
    .filter(paragraph => paragraph !== '')
    .map(paragraph => `<p>${paragraph}</p>`)
    .join('')
}
