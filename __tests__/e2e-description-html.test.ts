/**
 * End to end through dist/index.js: the run says what Zenodo's sanitizer will drop from a
 * description written as HTML (the record then holds what Zenodo keeps), and the `metadata` input
 * is read as .zenodo.json is, its syntax errors named by line and column before any write.
 */
import {
  annotationLines as lines,
  makeWorkspace,
  publishedMetadata,
  releaseEvent,
  runRelease,
  sampleZenodoJson,
  useE2E,
  writes,
  type ActionRun
} from './helpers/action.js'

function zenodoJson(fields: Record<string, unknown>): string {
  return sampleZenodoJson(fields, 2)
}

describe('Zenodo (legacy API)', () => {
  const e2e = useE2E()

  function runWith(
    files: Record<string, string>,
    inputs: Record<string, string> = {}
  ): Promise<ActionRun> {
    return runRelease(e2e, files, { inputs, release: { name: null } })
  }

  function publishedDescription(run: ActionRun): string {
    return publishedMetadata(e2e, run).description as string
  }

  test('a .zenodo.json description with <img> and <h6> publishes, the warning names file, line, field and tags, and the record holds what Zenodo keeps', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        description:
          '<p>A tool.</p><h6>Fine print</h6><img src="logo.png" alt="Logo"><p style="color: red">Red &amp; bold</p>'
      })
    })
    const description = publishedDescription(run)
    const warnings = lines(run, 'warning').filter(l => l.includes('description'))
    expect(warnings).toHaveLength(1)
    // "description" is on line 11 of the pretty-printed file, after the creators list
    expect(warnings[0]).toMatch(
      /::warning .*file=\.zenodo\.json,line=11.*::\.zenodo\.json:11:3: description: Zenodo keeps the text but drops the tags <h6> and <img>, and the style attribute \(on <p>\); an image leaves nothing, not even its alt text\. Fix: write <h5> instead of <h6>/
    )
    // What the warning said: the tags and the attribute are gone, every word of text stays.
    expect(description).not.toMatch(/<h6|<img|style=/)
    expect(description).toContain('<p>A tool.</p>')
    expect(description).toContain('Fine print')
    expect(description).toMatch(/<p>Red &amp; bold<\/p>/)
    expect(description).not.toContain('Logo')
  })

  test('the code inside <script> and <style> stays as text, and a link to ftp: loses its address, as the warning says', async () => {
    const run = await runWith({
      '.zenodo.json': zenodoJson({
        description:
          '<p>Data on <a href="ftp://ftp.example.org/data">our server</a>.</p><script>track()</script><style>p { color: red }</style>'
      })
    })
    const description = publishedDescription(run)
    expect(lines(run, 'warning').join('\n')).toMatch(
      /description: Zenodo keeps the text but drops the tags <script> and <style>, and the address of links to ftp:; the code inside <script> and <style> shows on the record as text\. Fix: remove the <script> element; remove the <style> element; link to http, https or mailto addresses only/
    )
    expect(description).toBe('<p>Data on <a>our server</a>.</p>track()p { color: red }')
  })

  test('allowed markup, entities and comments publish without a description warning', async () => {
    const html =
      '<h2>About</h2><p>Fish &amp; chips <!-- note --><a href="https://example.org" rel="nofollow">site</a></p><table><tbody><tr><th>A</th></tr></tbody></table>'
    const run = await runWith({ '.zenodo.json': zenodoJson({ description: html }) })
    const description = publishedDescription(run)
    expect(lines(run, 'warning').filter(l => l.includes('description'))).toEqual([])
    expect(description).toContain('<h2>About</h2>')
    expect(description).toContain('<a href="https://example.org" rel="nofollow">site</a>')
  })

  test('a description in the metadata input is warned about as the metadata input’s, with its line there', async () => {
    const metadata = [
      '{',
      '  "keywords": ["x"],',
      '  "description": "<p>Hi</p><hr><p>Bye</p>"',
      '}'
    ]
    const run = await runWith({}, { metadata: metadata.join('\n') })
    const description = publishedDescription(run)
    expect(lines(run, 'warning').join('\n')).toMatch(
      /the metadata input, line 3, column 3: description: Zenodo keeps the text but drops the tag <hr>\. Fix: separate sections with a heading instead of <hr>/
    )
    expect(description).toBe('<p>Hi</p><p>Bye</p>')
  })

  test('a metadata input with JSON syntax errors fails before any write, naming each line and column in the input', async () => {
    const metadata = ['{', '  "keywords": ["x",],', '  "title": "My tool"', '  "version": "2"', '}']
    const run = await runWith({ '.zenodo.json': zenodoJson({}) }, { metadata: metadata.join('\n') })
    expect(run.code).toBe(1)
    expect(writes(e2e.server)).toEqual([])
    const errors = lines(run, 'error').join('\n')
    expect(errors).toMatch(
      /2 problems found before anything was written to Zenodo:%0A {2}- the metadata input, line 2, column 20: JSON syntax: trailing comma before "\]"\. Fix: remove the comma after the last element of the list%0A {2}- the metadata input, line 4, column 3: JSON syntax: missing comma between two entries of an object\. Fix: add a comma after the previous value/
    )
    expect(run.summary).toContain('the metadata input, line 4, column 3')
  })
})

describe('an InvenioRDM repository (api: auto), an InvenioRDM-shaped metadata file', () => {
  const e2e = useE2E({ rdm: { mode: 'instance' } })

  test('its metadata.description is checked against the same allow-list, the repository named', async () => {
    const workspace = await makeWorkspace({
      'a.txt': 'A',
      '.zenodo.json': JSON.stringify({
        metadata: {
          title: 'A dataset described natively',
          description: '<p>Data.</p><img src="plot.png">',
          resource_type: { id: 'dataset' },
          creators: [{ person_or_org: { type: 'organizational', name: 'Octo Lab' } }],
          rights: [{ id: 'cc-by-4.0' }]
        }
      })
    })
    const run = await e2e.run({
      event: releaseEvent({ tag: 'v1.0.0' }),
      workspace,
      inputs: { files: 'a.txt' }
    })
    expect([run.code, run.stderr]).toEqual([0, ''])
    expect(lines(run, 'warning').join('\n')).toMatch(
      /\.zenodo\.json: metadata\.description: the repository at 127\.0\.0\.1:\d+, if it keeps InvenioRDM's default allow-list as Zenodo does, keeps the text but drops the tag <img>/
    )
  })
})
