import { RateLimitedError } from './errors';

/** How a failed send is retried inside one invocation: spaced out, within a time budget. */
export interface RetryPolicy {
  /** No retry starts once this much time has passed since the first attempt. */
  budgetMs: number;
  /** The first backoff; each next one doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Absolute time (the timer's clock) after which no retry starts, whatever the budget says. */
  notAfterMs?: number;
}

/** The clock and the wait a retry loop uses, injectable so tests control time. */
export interface RetryTimer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The policy the stream consumers use: a 4 s webhook outage is bridged inside one invocation. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { budgetMs: 15_000, baseDelayMs: 250, maxDelayMs: 4_000 };

/** The real clock. */
export const SYSTEM_TIMER: RetryTimer = {
  now: () => Date.now(),
  sleep: (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()),
};

/**
 * Runs `attempt` until it succeeds or the budget is spent, waiting between tries: what a 429 asked
 * for (Retry-After), otherwise an exponential backoff. Retrying at once would hit the same outage
 * (the stream's own retries came within a second) or the same rate limit.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  timer: RetryTimer,
  onRetry?: (error: unknown, delayMs: number) => void,
): Promise<T> {
  const deadline = Math.min(timer.now() + policy.budgetMs, policy.notAfterMs ?? Number.POSITIVE_INFINITY);
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** tries);
      const delayMs =
        error instanceof RateLimitedError ? Math.max(error.retryAfterMs, policy.baseDelayMs) : backoff;
      if (timer.now() + delayMs > deadline) throw error;
      onRetry?.(error, delayMs);
      await timer.sleep(delayMs);
    }
  }
}

/** Time kept back at the end of an invocation for the ledger writes and the batch report. */
export const INVOCATION_RESERVE_MS = 1_000;

/**
 * The policy for one invocation: no retry starts once the last attempt (up to `attemptTimeoutMs`)
 * and the report would no longer fit in the time Lambda leaves. A budget beyond the function's
 * timeout (15 s against 10 s) ends in "Task timed out", which loses the partial-batch report and
 * makes the event source retry the whole batch.
 */
export function retryPolicyWithin(
  policy: RetryPolicy,
  timer: RetryTimer,
  remainingMs: number,
  attemptTimeoutMs: number,
): RetryPolicy {
  return { ...policy, notAfterMs: timer.now() + remainingMs - attemptTimeoutMs - INVOCATION_RESERVE_MS };
}
