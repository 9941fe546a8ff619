/**
 * The OAuth2 token endpoint (POST /oauth/token) for the refresh-token flow: a refresh token and
 * client credentials buy an access token the API accepts, and a new refresh token.
 */
import { randomBytes } from 'node:crypto'
import type { Ctx } from './context.js'
import { json, readSmallBody, type Reply } from './http-util.js'
import type { OAuthFixture } from './types.js'

/** The OAuth fixture and its token endpoint. */
export class OAuthServer implements OAuthFixture {
  clientId = 'test-client-id'
  clientSecret = 'test-client-secret'
  refreshToken = 'test-refresh-token'
  issued: string[] = []
  private valid = new Set<string>()
  /** Refresh tokens and how many more times each may be used (undefined: unlimited). */
  private refreshUses = new Map<string, number | undefined>()

  revokeAccessTokens(): void {
    this.valid.clear()
  }

  /** Whether an access token issued here is (still) valid. */
  accepts(token: string): boolean {
    return this.valid.has(token)
  }

  private usable(token: string): boolean {
    if (token === this.refreshToken && !this.refreshUses.has(token)) return true
    return this.refreshUses.has(token) && this.refreshUses.get(token) !== 0
  }

  /** POST /oauth/token. */
  async handle(ctx: Ctx): Promise<Reply> {
    if (ctx.method !== 'POST') return json(405, { error: 'method_not_allowed' })
    const body = new URLSearchParams((await readSmallBody(ctx.req, ctx.entry)).toString('utf8'))
    const basic = /^Basic (.+)$/i.exec(ctx.req.headers.authorization ?? '')?.[1]
    const [basicId, basicSecret] = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':')
      : []
    const clientId = body.get('client_id') ?? basicId
    const clientSecret = body.get('client_secret') ?? basicSecret
    if (clientId !== this.clientId || clientSecret !== this.clientSecret) {
      return json(401, { error: 'invalid_client' })
    }
    if (body.get('grant_type') !== 'refresh_token') {
      return json(400, { error: 'unsupported_grant_type' })
    }
    const presented = body.get('refresh_token') ?? ''
    if (!this.usable(presented)) return json(400, { error: 'invalid_grant' })
    // the old refresh token stays valid for one more use
    this.refreshUses.set(presented, Math.max(0, (this.refreshUses.get(presented) ?? 2) - 1))
    const access = `oauth-access-${randomBytes(12).toString('hex')}`
    const refresh = `oauth-refresh-${randomBytes(12).toString('hex')}`
    this.issued.push(access)
    this.valid.add(access)
    this.refreshUses.set(refresh, undefined)
    return json(200, {
      access_token: access,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: refresh,
      scope: 'deposit:write deposit:actions',
      user: { id: '1' }
    })
  }
}
