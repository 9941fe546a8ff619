/**
 * Where the Zenodo access token comes from: the token input, or an OAuth2 refresh token
 * exchanged at the server's token endpoint (as the seed platform integration does) before the
 * first call and again, once, when a call is refused mid-run. Every token is masked.
 */
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
import { logSafe } from '../format.js'
import { HttpError, type HttpClient, type TokenSource } from '../http.js'
import type { OAuthSettings } from '../settings.js'

/** A personal access token from the token input. */
export class StaticToken implements TokenSource {
  constructor(private readonly value: string) {}
  token(): Promise<string> {
    return Promise.resolve(this.value)
  }
}

interface TokenResponse {
  access_token?: string
  refresh_token?: string
  expires_in?: number
  error?: string
}

/** Access tokens from an OAuth2 refresh token. */
export class OAuthToken implements TokenSource {
  private access?: string
  private refreshToken: string

  /** `http` must not itself use this source (the token endpoint takes no bearer token). */
  constructor(
    private readonly http: HttpClient,
    private readonly tokenUrl: string,
    private readonly settings: OAuthSettings
  ) {
    this.refreshToken = settings.refreshToken
  }

  async token(): Promise<string> {
    if (!this.access) await this.refresh()
    return this.access as string
  }

  /** Exchanges the refresh token for a new access token (and keeps a rotated refresh token). */
  async refresh(): Promise<void> {
    let body: TokenResponse
    try {
      const res = await this.http.request<TokenResponse>({
        method: 'POST',
        url: this.tokenUrl,
        form: {
          grant_type: 'refresh_token',
          refresh_token: this.refreshToken,
          client_id: this.settings.clientId,
          client_secret: this.settings.clientSecret
        },
        retry: 'safe',
        auth: false
      })
      body = res.body
    } catch (e) {
      if (e instanceof HttpError && e.status >= 400 && e.status < 500) {
        const reason = this.scrub((e.body as TokenResponse | undefined)?.error, e.status)
        throw new ActionError(
          `Zenodo refused the OAuth refresh token (${reason}). Check oauth-client-id, oauth-client-secret and oauth-refresh-token, or authorize the application again to get a new refresh token.`
        )
      }
      // any other failure's text (a 5xx page, a network error) may echo the posted form
      if (e instanceof Error) e.message = this.scrub(e.message, 0)
      throw e
    }
    if (!body.access_token) {
      throw new ActionError("Zenodo's OAuth token endpoint answered without an access_token.")
    }
    core.setSecret(body.access_token)
    this.access = body.access_token
    if (body.refresh_token) {
      core.setSecret(body.refresh_token)
      this.refreshToken = body.refresh_token
    }
    core.info('Obtained a Zenodo access token from the OAuth refresh token.')
  }

  /**
   * The token endpoint's error code, made safe for the log: the secrets sent with the request
   * (refresh token, client secret) and any token-like query value replaced by ***, one line,
   * at most 200 characters.
   */
  private scrub(error: unknown, status: number): string {
    if (typeof error !== 'string' || error.trim() === '') return `HTTP ${String(status)}`
    let text = this.http.scrub(error)
    for (const secret of [this.refreshToken, this.settings.clientSecret, this.access]) {
      if (secret) text = text.split(secret).join('***')
    }
    text = logSafe(text.replace(/\s+/g, ' ').trim())
    return text.length > 200 ? `${text.slice(0, 199)}…` : text
  }
}
