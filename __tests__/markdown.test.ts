/** Release notes and abstracts as the HTML Zenodo accepts (renderMarkdown, sanitizeDescription, textToHtml). */
import {
  ALLOWED_TAGS,
  renderMarkdown,
  sanitizeDescription,
  textToHtml
} from '../src/metadata/markdown.js'

/** Every tag name in an HTML string. */
function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map(m => m[1].toLowerCase())
}

describe('renderMarkdown', () => {
  test('a release note with a script tag reaches Zenodo without it', () => {
    const html = renderMarkdown('Fixes a bug.\n\n<script>alert("x")</script>\n\nMore text.')
    expect(html).not.toMatch(/script/i)
    expect(html).not.toContain('alert')
    expect(html).toContain('<p>Fixes a bug.</p>')
    expect(html).toContain('<p>More text.</p>')
  })

  test('inline styles, iframes and their content are removed', () => {
    const html = renderMarkdown(
      'Text <style>p { color: red }</style> <iframe src="https://example.org">frame</iframe> end'
    )
    expect(html).toBe('<p>Text   end</p>')
  })

  test('headings h1-h5 are kept as Zenodo keeps them, h6 becomes h5', () => {
    expect(renderMarkdown('# Release 2.0\n\n### Fixed\n\n###### Small\n\nA bug.')).toBe(
      '<h1>Release 2.0</h1>\n<h3>Fixed</h3>\n<h5>Small</h5>\n<p>A bug.</p>'
    )
  })

  test('inline HTML headings keep class (Zenodo allows it on any tag) but not id', () => {
    expect(renderMarkdown('<h2 id="x" class="y">Changes</h2>')).toBe('<h2 class="y">Changes</h2>')
  })

  test('emphasis, strong and inline code are kept', () => {
    expect(renderMarkdown('Some *new* **bold** `code`')).toBe(
      '<p>Some <em>new</em> <strong>bold</strong> <code>code</code></p>'
    )
  })

  test('strike-through becomes strike', () => {
    expect(renderMarkdown('~~old~~ and <del>gone</del> and <s>x</s>')).toBe(
      '<p><strike>old</strike> and <strike>gone</strike> and <strike>x</strike></p>'
    )
  })

  test('fenced code stays in pre/code, escaped, with its language class (class is allowed)', () => {
    const html = renderMarkdown('```js\nif (a < b) run()\n```')
    expect(html).toBe('<pre><code class="language-js">if (a &lt; b) run()\n</code></pre>')
  })

  test('bullet and numbered lists are kept', () => {
    const html = renderMarkdown('- one\n- two\n\n1. first\n2. second')
    expect(html).toBe(
      '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>'
    )
  })

  test('links keep their href and title', () => {
    expect(renderMarkdown('[docs](https://example.org/docs "The docs")')).toBe(
      '<p><a href="https://example.org/docs" title="The docs">docs</a></p>'
    )
  })

  test('bare URLs become links', () => {
    expect(renderMarkdown('See https://example.org/x for details')).toBe(
      '<p>See <a href="https://example.org/x">https://example.org/x</a> for details</p>'
    )
  })

  test('mailto links are kept', () => {
    expect(renderMarkdown('[mail](mailto:jane@example.org)')).toBe(
      '<p><a href="mailto:jane@example.org">mail</a></p>'
    )
  })

  test('javascript: links lose their href', () => {
    const html = renderMarkdown(
      '<a href="javascript:alert(1)">a</a> <a href="JaVaScRiPt:alert(1)">b</a> [c](javascript:alert(1))'
    )
    expect(html).not.toMatch(/href="javascript/i)
    expect(html).toContain('<a>a</a>')
    expect(html).toContain('<a>b</a>')
  })

  test('links with other schemes (data:, ftp:, protocol-relative) lose their href', () => {
    const html = renderMarkdown(
      '<a href="data:text/html,x">a</a> <a href="ftp://example.org">b</a> <a href="//evil.example">c</a>'
    )
    expect(html).toBe('<p><a>a</a> <a>b</a> <a>c</a></p>')
  })

  test('onerror handlers are stripped, and images become their alt text', () => {
    const html = renderMarkdown('<img src="x" onerror="alert(1)" alt="diagram"> ![logo](logo.png)')
    expect(html).not.toMatch(/onerror|alert|<img|src=/)
    expect(html).toContain('diagram')
    expect(html).toContain('logo')
  })

  test('event handlers and style attributes are removed from allowed tags, class is kept', () => {
    expect(
      renderMarkdown(
        '<div class="x" style="color:red" onclick="x()"><span onmouseover="y()">hi</span></div>'
      )
    ).toBe('<div class="x"><span>hi</span></div>')
  })

  test('abbr and acronym keep their title', () => {
    expect(
      renderMarkdown(
        '<abbr title="HyperText Markup Language" onclick="x">HTML</abbr> <acronym title="t">T</acronym>'
      )
    ).toBe(
      '<p><abbr title="HyperText Markup Language">HTML</abbr> <acronym title="t">T</acronym></p>'
    )
  })

  test('tables arrive as tables (table, tbody, tr, th, td); thead and style are stripped, text kept', () => {
    const html = renderMarkdown('| Name | Value |\n|---|:---:|\n| alpha | 1 |')
    expect(new Set(tags(html))).toEqual(new Set(['table', 'tr', 'th', 'tbody', 'td']))
    expect(html).toMatch(/<tr>\s*<th>Name<\/th>\s*<th>Value<\/th>\s*<\/tr>/)
    expect(html).toMatch(/<tr>\s*<td>alpha<\/td>\s*<td>1<\/td>\s*<\/tr>/)
    expect(html).not.toMatch(/thead|style/)
  })

  test("exactly the tags and attributes of Zenodo's list survive", () => {
    const html = sanitizeDescription(
      '<table class="t"><thead><tr><th>a</th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>' +
        '<a href="https://x.org" name="n" rel="nofollow" target="_blank">l</a><hr><h6 id="q">six</h6>'
    )
    expect(html).toBe(
      '<table class="t"><tr><th>a</th></tr><tbody><tr><td>b</td></tr></tbody></table>' +
        '<a href="https://x.org" name="n" rel="nofollow">l</a><h5>six</h5>'
    )
  })

  test('horizontal rules are dropped', () => {
    expect(renderMarkdown('a\n\n---\n\nb')).toBe('<p>a</p>\n\n<p>b</p>')
  })

  test('blockquotes, sub, sup and line breaks are kept', () => {
    expect(renderMarkdown('> quoted\n\nH<sub>2</sub>O x<sup>2</sup> a<br>b')).toBe(
      '<blockquote>\n<p>quoted</p>\n</blockquote>\n<p>H<sub>2</sub>O x<sup>2</sup> a<br />b</p>'
    )
  })

  test('a single newline is a line break, as on the GitHub release page', () => {
    expect(renderMarkdown('Fixed the parser.\nThanks to @ada.')).toBe(
      '<p>Fixed the parser.<br />\nThanks to @ada.</p>'
    )
  })

  test('empty release notes give an empty description', () => {
    expect(renderMarkdown('')).toBe('')
    expect(renderMarkdown('  \n\n ')).toBe('')
  })

  test('the output of a realistic release note only holds tags Zenodo accepts', () => {
    const note = [
      "## What's Changed",
      '* Add feature by @jane in https://github.com/o/r/pull/1',
      '* <details><summary>More</summary>hidden text</details>',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '',
      '<video src="x.mp4"></video><form action="/x"><input name="q"></form>',
      '',
      '**Full Changelog**: https://github.com/o/r/compare/v1...v2'
    ].join('\n')
    const html = renderMarkdown(note)
    expect(tags(html).filter(t => !ALLOWED_TAGS.includes(t))).toEqual([])
    expect(html).toContain('hidden text')
    expect(html).toContain('<a href="https://github.com/o/r/compare/v1...v2">')
  })
})

describe('sanitizeDescription', () => {
  test('keeps allowed HTML unchanged', () => {
    const html = '<p>a <b>b</b> <i>c</i> <u>d</u> <strike>e</strike></p>'
    expect(sanitizeDescription(html)).toBe(html)
  })

  test('removes tags it does not know but keeps their text', () => {
    expect(sanitizeDescription('<p><font color="red">red</font> <mark>m</mark></p>')).toBe(
      '<p>red m</p>'
    )
  })

  test('removes script content even when it is not closed properly', () => {
    const html = sanitizeDescription('<p>x</p><script>document.cookie</script')
    expect(html).not.toContain('cookie')
  })
})

describe('textToHtml', () => {
  test('abstract paragraphs are separated', () => {
    expect(textToHtml('First paragraph.\n\nSecond paragraph.\n')).toBe(
      '<p>First paragraph.</p><p>Second paragraph.</p>'
    )
  })

  test('single line breaks become <br>', () => {
    expect(textToHtml('line one\nline two')).toBe('<p>line one<br>line two</p>')
  })

  test('special characters are escaped', () => {
    expect(textToHtml('a < b & "c" > d <script>')).toBe(
      '<p>a &lt; b &amp; &quot;c&quot; &gt; d &lt;script&gt;</p>'
    )
  })

  test('CRLF, blank lines with spaces and several blank lines separate paragraphs once', () => {
    expect(textToHtml('one\r\n  \r\n\r\n\r\ntwo')).toBe('<p>one</p><p>two</p>')
  })

  test('empty text gives an empty string', () => {
    expect(textToHtml('')).toBe('')
    expect(textToHtml(' \n\n ')).toBe('')
  })
})
