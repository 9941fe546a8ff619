/** releaseDefaults: what Zenodo's GitHub integration derives from a release. */
import {
  NO_DESCRIPTION,
  releaseDefaults,
  releaseTreeUrl,
  type ReleaseInfo,
  type RepoInfo
} from '../src/metadata/defaults.js'
import { renderMarkdown } from '../src/metadata/markdown.js'

const repo: RepoInfo = {
  owner: 'octo-org',
  repo: 'octo-repo',
  description: 'A <fast> & "small" tool',
  spdxLicense: 'Apache-2.0',
  serverUrl: 'https://github.com'
}
const release: ReleaseInfo = {
  tag: 'v1.2.0',
  name: 'Spring release',
  body: '## Changes\n\n- faster',
  publishedAt: '2026-03-04T22:10:00Z'
}
const creators = [{ name: 'Doe, Jane' }]

test('the title is "<owner>/<repo>: <release name>"', () => {
  expect(releaseDefaults(release, repo, creators).title).toBe('octo-org/octo-repo: Spring release')
})

test('the title falls back to the tag when the release has no name', () => {
  expect(releaseDefaults({ ...release, name: null }, repo, creators).title).toBe(
    'octo-org/octo-repo: v1.2.0'
  )
  expect(releaseDefaults({ ...release, name: '  ' }, repo, creators).title).toBe(
    'octo-org/octo-repo: v1.2.0'
  )
})

test('the version is the tag', () => {
  expect(releaseDefaults(release, repo, creators).version).toBe('v1.2.0')
})

test('the description is the release notes rendered from markdown', () => {
  expect(releaseDefaults(release, repo, creators).description).toBe(
    renderMarkdown(release.body ?? '')
  )
})

test('without release notes the repository description is used, HTML-escaped in <p>', () => {
  expect(releaseDefaults({ ...release, body: '  \n' }, repo, creators).description).toBe(
    '<p>A &lt;fast&gt; &amp; &quot;small&quot; tool</p>'
  )
})

test('without notes or repository description the description is "No description provided."', () => {
  const defaults = releaseDefaults(
    { ...release, body: null },
    { ...repo, description: null },
    creators
  )
  expect(defaults.description).toBe(NO_DESCRIPTION)
  expect(NO_DESCRIPTION).toBe('No description provided.')
})

test('the publication date is the day the release was published', () => {
  expect(releaseDefaults(release, repo, creators, '2030-01-01').publication_date).toBe('2026-03-04')
})

test('without a publication time the publication date is today', () => {
  expect(
    releaseDefaults({ ...release, publishedAt: null }, repo, creators, '2030-01-01')
      .publication_date
  ).toBe('2030-01-01')
  expect(
    releaseDefaults({ ...release, publishedAt: undefined }, repo, creators).publication_date
  ).toMatch(/^\d{4}-\d{2}-\d{2}$/)
})

test('it is open-access software', () => {
  const defaults = releaseDefaults(release, repo, creators)
  expect(defaults.upload_type).toBe('software')
  expect(defaults.access_right).toBe('open')
})

test("the repository's SPDX license is used when Zenodo accepts it", () => {
  expect(releaseDefaults(release, repo, creators).license).toBe('Apache-2.0')
})

test('a repository license Zenodo does not accept is left unset (Zenodo applies its default)', () => {
  for (const spdxLicense of ['NOASSERTION', 'other', null, '']) {
    expect(releaseDefaults(release, { ...repo, spdxLicense }, creators)).not.toHaveProperty(
      'license'
    )
  }
})

test('the release tree is linked as isSupplementTo software', () => {
  expect(releaseDefaults(release, repo, creators).related_identifiers).toEqual([
    {
      identifier: 'https://github.com/octo-org/octo-repo/tree/v1.2.0',
      relation: 'isSupplementTo',
      resource_type: 'software',
      scheme: 'url'
    }
  ])
})

test('the tree link uses the server URL of GitHub Enterprise, without a doubled slash', () => {
  expect(releaseTreeUrl(release, { ...repo, serverUrl: 'https://git.example.org/' })).toBe(
    'https://git.example.org/octo-org/octo-repo/tree/v1.2.0'
  )
})

test('the creators are the ones given', () => {
  const many = [{ name: 'A' }, { name: 'B', orcid: '0000-0002-1825-0097' }]
  expect(releaseDefaults(release, repo, many).creators).toEqual(many)
})
