/** How fast one method may be called per channel: a steady rate with a small burst. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Token buckets keyed by method and channel, answering how long to wait when one is empty. */
export class RateLimiter {
  private readonly limits = new Map<string, RateLimit>();
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Turns limiting on (or off with null) for one Web API method. */
  set(method: string, limit: RateLimit | null): void {
    if (limit === null) this.limits.delete(method);
    else this.limits.set(method, limit);
    for (const key of this.buckets.keys()) if (key.startsWith(`${method}:`)) this.buckets.delete(key);
  }

  /** Takes a token; returns 0 when allowed, or the whole seconds to wait (Retry-After) when not. */
  take(method: string, channel: string): number {
    const limit = this.limits.get(method);
    if (!limit) return 0;
    const key = `${method}:${channel}`;
    const nowMs = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, updatedMs: nowMs };
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * limit.perSecond,
    );
    bucket.updatedMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
  }
}
