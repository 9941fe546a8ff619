/**
 * The few GitHub REST endpoints the action calls (through @actions/github with GITHUB_API_URL
 * pointing here): the repository, its contributors (paginated with a Link header), users,
 * releases by tag and release assets (302 to a download URL for application/octet-stream).
 */
import type { Ctx } from './context.js'
import { json, type Reply } from './http-util.js'
import type { GithubContributorSpec, GithubFixture, GithubReleaseSpec } from './types.js'

interface StoredAsset {
  id: number
  name: string
  data: Buffer
  tag: string
}

const NOT_FOUND = {
  message: 'Not Found',
  documentation_url: 'https://docs.github.com/rest',
  status: '404'
}

/** GitHub's 404. */
function notFound(): Reply {
  return json(404, NOT_FOUND)
}

/** The GitHub fixture and its routes. */
export class GithubApi implements GithubFixture {
  token?: string
  private repo: { description: string | null; license: string | null; htmlUrl?: string } = {
    description: null,
    license: null
  }
  private contributors: GithubContributorSpec[] | 'error' = []
  private releases = new Map<string, GithubReleaseSpec & { id: number }>()
  private assets = new Map<number, StoredAsset>()
  private nextId = 5000

  constructor(
    readonly owner: string,
    readonly name: string,
    private readonly url: string
  ) {}

  private get apiUrl(): string {
    return `${this.url}/github`
  }

  setRepo(info: { description?: string | null; license?: string | null; htmlUrl?: string }): void {
    this.repo = {
      description: info.description ?? null,
      license: info.license ?? null,
      htmlUrl: info.htmlUrl
    }
  }

  setContributors(list: GithubContributorSpec[] | 'error'): void {
    this.contributors = list
  }

  setRelease(tag: string, release: GithubReleaseSpec | undefined): void {
    for (const [id, a] of this.assets) if (a.tag === tag) this.assets.delete(id)
    if (!release) {
      this.releases.delete(tag)
      return
    }
    const id = release.id ?? this.nextId++
    for (const a of release.assets ?? []) {
      const assetId = this.nextId++
      const data = typeof a.content === 'string' ? Buffer.from(a.content) : a.content
      this.assets.set(assetId, { id: assetId, name: a.name, data, tag })
    }
    this.releases.set(tag, { ...release, id })
  }

  private fullName(): string {
    return `${this.owner}/${this.name}`
  }

  private htmlUrl(): string {
    return this.repo.htmlUrl ?? `https://github.com/${this.fullName()}`
  }

  /** Whether the request carries the fixture's token (when one is set). */
  private authorized(ctx: Ctx): boolean {
    if (!this.token) return true
    const auth = ctx.req.headers.authorization ?? ''
    return auth === `token ${this.token}` || auth === `Bearer ${this.token}`
  }

  /** Routes /github/... (segments after 'github'). */
  handle(ctx: Ctx): Reply {
    if (!this.authorized(ctx)) {
      return json(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest'
      })
    }
    if (ctx.method !== 'GET') return notFound()
    const s = ctx.segments
    if (s[0] === 'users' && s.length === 2) return this.user(s[1])
    if (s[0] !== 'repos' || s.length < 3) return notFound()
    if (
      s[1].toLowerCase() !== this.owner.toLowerCase() ||
      s[2].toLowerCase() !== this.name.toLowerCase()
    ) {
      return notFound()
    }
    const rest = s.slice(3)
    if (rest.length === 0) return json(200, this.repoJson())
    if (rest[0] === 'contributors' && rest.length === 1) return this.contributorsPage(ctx)
    if (rest[0] === 'releases' && rest[1] === 'tags' && rest.length === 3) {
      const rel = this.releases.get(rest[2])
      return rel ? json(200, this.releaseJson(rest[2], rel)) : notFound()
    }
    if (rest[0] === 'releases' && rest[1] === 'assets' && rest.length === 3) {
      return this.asset(ctx, Number(rest[2]))
    }
    return notFound()
  }

  /** Routes /github-download/assets/:id (the redirect target, like GitHub's object store). */
  download(segments: string[]): Reply {
    const a = segments[0] === 'assets' ? this.assets.get(Number(segments[1])) : undefined
    if (!a) return { status: 404, text: 'Not Found', headers: { 'content-type': 'text/plain' } }
    return { status: 200, buffer: { data: a.data, contentType: 'application/octet-stream' } }
  }

  private repoJson(): Record<string, unknown> {
    const license = this.repo.license
    return {
      id: 1296269,
      name: this.name,
      full_name: this.fullName(),
      owner: { login: this.owner, type: 'Organization' },
      private: false,
      html_url: this.htmlUrl(),
      description: this.repo.description,
      default_branch: 'main',
      license: license
        ? { key: license.toLowerCase(), name: license, spdx_id: license, url: null }
        : null
    }
  }

  private contributorsPage(ctx: Ctx): Reply {
    if (this.contributors === 'error') {
      return json(500, { message: 'Server Error' })
    }
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page')) || 30))
    const page = Math.max(1, Number(ctx.query.get('page')) || 1)
    const all = [...this.contributors].sort((a, b) => b.contributions - a.contributions)
    const items = all.slice((page - 1) * perPage, page * perPage).map((c, i) => ({
      login: c.login,
      id: 100 + i + (page - 1) * perPage,
      type: c.type ?? 'User',
      contributions: c.contributions,
      url: `${this.apiUrl}/users/${c.login}`,
      html_url: `https://github.com/${c.login}`
    }))
    const last = Math.max(1, Math.ceil(all.length / perPage))
    const link = (p: number, rel: string): string =>
      `<${this.apiUrl}/repos/${this.fullName()}/contributors?per_page=${String(perPage)}&page=${String(p)}>; rel="${rel}"`
    const links: string[] = []
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    return json(200, items, links.length ? { link: links.join(', ') } : undefined)
  }

  private user(login: string): Reply {
    const list = this.contributors === 'error' ? [] : this.contributors
    const c = list.find(x => x.login.toLowerCase() === login.toLowerCase())
    if (!c) return notFound()
    return json(200, { login: c.login, id: 100, type: c.type ?? 'User', name: c.name ?? null })
  }

  private assetJson(a: StoredAsset): Record<string, unknown> {
    return {
      id: a.id,
      name: a.name,
      size: a.data.length,
      content_type: 'application/octet-stream',
      state: 'uploaded',
      url: `${this.apiUrl}/repos/${this.fullName()}/releases/assets/${String(a.id)}`,
      browser_download_url: `https://github.com/${this.fullName()}/releases/download/${encodeURIComponent(a.tag)}/${encodeURIComponent(a.name)}`
    }
  }

  private releaseJson(
    tag: string,
    rel: GithubReleaseSpec & { id: number }
  ): Record<string, unknown> {
    return {
      id: rel.id,
      tag_name: tag,
      name: rel.name ?? null,
      body: rel.body ?? null,
      draft: false,
      prerelease: rel.prerelease ?? false,
      published_at: rel.published_at ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      created_at: rel.published_at ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      html_url: rel.html_url ?? `${this.htmlUrl()}/releases/tag/${encodeURIComponent(tag)}`,
      author: rel.author ? { login: rel.author.login, type: 'User' } : null,
      assets: [...this.assets.values()].filter(a => a.tag === tag).map(a => this.assetJson(a))
    }
  }

  private asset(ctx: Ctx, id: number): Reply {
    const a = this.assets.get(id)
    if (!a) return notFound()
    if ((ctx.req.headers.accept ?? '').includes('application/octet-stream')) {
      const location = `${this.url}/github-download/assets/${String(a.id)}`
      return { status: 302, headers: { location }, text: '' }
    }
    return json(200, this.assetJson(a))
  }
}
