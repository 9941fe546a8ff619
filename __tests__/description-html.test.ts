/**
 * The description HTML Zenodo's sanitizer drops (description-html.ts): one warning naming the
 * file, the field and every tag, attribute and link scheme Zenodo removes; none for what Zenodo
 * keeps (allowed markup, plain text, entities, comments).
 */
import { Parser } from 'htmlparser2'
import sanitizeHtml from 'sanitize-html'
import { formatProblem } from '../src/errors.js'
import {
  ALLOWED_ATTRIBUTES,
  ALLOWED_SCHEMES,
  descriptionHtmlProblem,
  inventoryHtml
} from '../src/metadata/description-html.js'
import { ALLOWED_TAGS, renderMarkdown, textToHtml } from '../src/metadata/markdown.js'
import { readJson } from '../src/metadata/json-syntax.js'
import { corpusFiles } from './helpers/metadata.js'

const SOURCE = { file: '.zenodo.json', field: 'description', service: 'Zenodo' }

function warning(html: string): string | undefined {
  const problem = descriptionHtmlProblem(html, SOURCE)
  return problem ? formatProblem(problem) : undefined
}

test('allowed markup, plain text, entities and comments give no warning', () => {
  const kept = [
    'Plain text, no markup at all.',
    'Fish &amp; chips &lt;3 &nbsp; &eacute;t&eacute; &#8212; a < b > c',
    '<p>One</p><!-- a note to self --><p>Two<br>three<br/>four</p>',
    '<H1 CLASS="title">Upper case</H1><P>is read as HTML is</P>',
    '<h2>Heads</h2><h3>h3</h3><h4>h4</h4><h5>h5</h5><blockquote><em>e</em> <i>i</i> <b>b</b> <strong>s</strong> <u>u</u> <strike>x</strike> <sub>1</sub><sup>2</sup></blockquote>',
    '<ul><li>a</li></ul><ol><li class="x">b</li></ol><pre><code>x = 1</code></pre><div><span>s</span></div>',
    '<table><tbody><tr><th>Option</th></tr><tr><td>--fast</td></tr></tbody></table>',
    '<a href="https://example.org" title="t" name="n" rel="nofollow" class="c">link</a> <a href="mailto:a@b.org">mail</a> <a href="#top">top</a> <a href="docs/index.html">relative</a> <a href="HTTP://EXAMPLE.ORG">upper</a>',
    '<abbr title="HyperText">HTML</abbr> <acronym title="Zenodo">Z</acronym>'
  ]
  for (const html of kept) expect([html, warning(html)]).toEqual([html, undefined])
})

test('what the action renders itself (release notes, plain-text abstracts) is never warned about', () => {
  const notes =
    '## Changes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n###### Small\n\n<img src="x.png" alt="Logo"> ~~old~~\n\n---\n\n<script>x()</script><details><summary>More</summary>text</details>'
  expect(warning(renderMarkdown(notes))).toBeUndefined()
  expect(
    warning(textToHtml('An abstract with <img src=x> and <h6>tags</h6> written as text'))
  ).toBe(undefined)
})

test('img, hr, h6, thead, script and style are named once each, in order, in one warning with the file, field and line', () => {
  const html =
    '<h6>Fine print</h6><img src="a.png" alt="Logo"><hr><table><thead><tr><th>A</th></tr></thead></table>' +
    '<script>track()</script><style>p { color: red }</style><h6>again</h6><img src="b.png"><HR/>'
  expect(inventoryHtml(html).tags).toEqual(['h6', 'img', 'hr', 'thead', 'script', 'style'])
  const problem = descriptionHtmlProblem(html, { ...SOURCE, line: 4, column: 3 })
  expect(problem).toMatchObject({ severity: 'warning', file: '.zenodo.json', field: 'description' })
  expect(problem && formatProblem(problem)).toMatch(
    /^\.zenodo\.json:4:3: description: Zenodo keeps the text but drops the tags <h6>, <img>, <hr>, <thead>, <script> and <style>; an image leaves nothing, not even its alt text; the code inside <script> and <style> shows on the record as text\. Fix: write <h5> instead of <h6>; link to an image with <a href="\.\.\."> instead of showing it with <img>; /
  )
})

test('tags inside <script> and <style> are their text, not tags', () => {
  expect(inventoryHtml('<p>x</p><script>document.write("<img src=x>")</script>').tags).toEqual([
    'script'
  ])
  expect(inventoryHtml('<style>h6 { } hr { }</style>').tags).toEqual(['style'])
})

test('attributes Zenodo drops are named with the tags they were on; class, href, title, name and rel are kept', () => {
  const html =
    '<p style="color:red" class="lead">a</p><span style="x" id="s">b</span><td colspan="2">c</td>' +
    '<a href="https://x.org" target="_blank" rel="noopener" onclick="f()">d</a><abbr title="t" lang="en">e</abbr>'
  const { attributes, tags } = inventoryHtml(html)
  expect(tags).toEqual([])
  expect(Object.fromEntries(attributes)).toEqual({
    style: ['p', 'span'],
    id: ['span'],
    colspan: ['td'],
    target: ['a'],
    onclick: ['a'],
    lang: ['abbr']
  })
  expect(warning(html)).toMatch(
    /drops the style, id, colspan, target, onclick and lang attributes \(on <p>, <span>, <td>, <a> and 1 more\)\. Fix: remove the style, id, colspan and 3 more attributes/
  )
  // an attribute of a tag Zenodo drops goes with the tag: only the tag is named
  expect(inventoryHtml('<img src="a.png" style="x">').attributes.size).toBe(0)
})

test('links Zenodo unlinks (a scheme other than http, https or mailto) are named by scheme', () => {
  const html =
    '<a href="javascript:alert(1)">a</a><a href=" JaVa\tScript:alert(2)">b</a><a href="ftp://ftp.example.org/data">c</a>' +
    '<a href="doi:10.1234/x">d</a><a href="https://x.org">e</a><a href="//cdn.example.org/x">f</a><a href="?q=1">g</a>'
  expect(inventoryHtml(html).schemes).toEqual(['javascript', 'ftp', 'doi'])
  expect(warning(html)).toMatch(
    /drops the address of links to javascript:, ftp: and doi:\. Fix: link to http, https or mailto addresses only/
  )
})

test('tags, attributes and schemes together make one sentence, and unknown tags get the list of tags Zenodo keeps', () => {
  const text = warning('<h6 id="x">a</h6><p style="x">b</p><a href="ftp://x">c</a><mark>d</mark>')
  expect(text).toMatch(
    /drops the tags <h6> and <mark>, the style attribute \(on <p>\), and the address of links to ftp:\. /
  )
  expect(text).toContain(`keep to the tags Zenodo keeps: ${ALLOWED_TAGS.join(', ')}`)
})

test('another InvenioRDM repository is named, with the allow-list assumed', () => {
  const problem = descriptionHtmlProblem('<hr>', {
    file: '.zenodo.json',
    field: 'metadata.description',
    service: 'the repository at data.example.org'
  })
  expect(problem?.message).toBe(
    "the repository at data.example.org, if it keeps InvenioRDM's default allow-list as Zenodo does, keeps the text but drops the tag <hr>"
  )
})

test('the warning stays bounded whatever the HTML holds', () => {
  const tags = Array.from({ length: 300 }, (_, i) => `<x-tag-${String(i)}-${'y'.repeat(200)}>`)
  const attributes = Array.from({ length: 300 }, (_, i) => `a${String(i)}="v"`).join(' ')
  const schemes = Array.from({ length: 50 }, (_, i) => `<a href="s${String(i)}:x">l</a>`)
  const text = warning(`${tags.join('')}<p ${attributes}>p</p>${schemes.join('')}`) ?? ''
  expect(text).toMatch(/and 292 more/)
  expect(text).toMatch(/and 294 more attributes/)
  expect(text.length).toBeLessThan(1500)
})

/** Every tag and its attributes, in order, as a parser reads them. */
function elements(html: string): string[] {
  const out: string[] = []
  const parser = new Parser({
    onopentag(name, attributes, implied) {
      if (!implied) out.push(`${name}[${Object.keys(attributes).sort().join(',')}]`)
    }
  })
  parser.end(html)
  return out
}

/** A sanitizer other than the inventory, with the same allow-list, keeping text (as bleach's strip). */
function sanitized(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [...ALLOWED_TAGS],
    allowedAttributes: Object.fromEntries(
      Object.entries(ALLOWED_ATTRIBUTES).map(([tag, names]) => [tag, [...names]])
    ),
    allowedSchemes: [...ALLOWED_SCHEMES],
    disallowedTagsMode: 'discard',
    nonTextTags: []
  })
}

test('no warning exactly when a sanitizer with the same allow-list keeps every tag and attribute', async () => {
  const samples = [
    '<p>a</p>',
    '<p style="x">a</p>',
    '<h6>a</h6>',
    '<a href="ftp://x">a</a>',
    '<a href="https://x" rel="r">a</a>',
    '<table><thead><tr><td>a</td></tr></thead></table>',
    '<div><img src="x"></div>',
    '<ul><li class="c">a</li></ul>'
  ]
  for (const file of await corpusFiles()) {
    if (!file.dir.startsWith('zenodo')) continue
    const value = readJson(file.content.toString('utf8'), file.name).value
    const description = (value as { description?: unknown } | undefined)?.description
    if (typeof description === 'string') samples.push(description)
  }
  expect(samples.length).toBeGreaterThan(50)
  for (const html of samples) {
    const keepsAll = elements(sanitized(html)).join(' ') === elements(html).join(' ')
    expect([html, warning(html) === undefined]).toEqual([html, keepsAll])
  }
})
