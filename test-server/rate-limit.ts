/**
 * Zenodo's rate limits (docs/zenodo-api.md, "Limits"): 100 requests per minute authenticated, 133 as
 * a guest, in fixed one-minute windows, with X-RateLimit-Limit/Remaining/Reset on every answer.
 */

/** The state of one client's window after counting a request. */
export interface RateState {
  limit: number
  remaining: number
  /** Epoch seconds when the window ends. */
  reset: number
  exceeded: boolean
}

/** Fixed-window rate limiter keyed by token (or 'guest'). */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>()

  /** perMinute 0: count and send headers but never refuse. */
  constructor(private readonly perMinute: number) {}

  /** Counts a request of `key` (a token, or undefined for a guest). */
  hit(key: string | undefined): RateState {
    const limit = key === undefined ? 133 : this.perMinute || 100
    const id = key ?? 'guest'
    const now = Date.now()
    let w = this.windows.get(id)
    if (!w || now - w.start >= 60_000) {
      w = { start: now, count: 0 }
      this.windows.set(id, w)
    }
    w.count++
    const enforce = this.perMinute > 0
    return {
      limit,
      remaining: Math.max(0, limit - w.count),
      reset: Math.ceil((w.start + 60_000) / 1000),
      exceeded: enforce && w.count > limit
    }
  }

  /** The headers Zenodo sends for a window state. */
  static headers(s: RateState): Record<string, string> {
    return {
      'x-ratelimit-limit': String(s.limit),
      'x-ratelimit-remaining': String(s.remaining),
      'x-ratelimit-reset': String(s.reset)
    }
  }
}
