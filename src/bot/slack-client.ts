import { ErrorCode, WebClient, type WebClientOptions } from '@slack/web-api';
import type { BotConfig } from './config';
import { SlackRateLimitedError } from './errors';

/**
 * WebClient options fit for Lambda: the SDK's defaults retry for about 30 minutes, never time out
 * and sleep through 429s (aws-and-slack-facts §1.11); we retry twice, time out, and handle 429 ourselves.
 */
export function slackClientOptions(
  config: Pick<BotConfig, 'slackApiUrl' | 'slackTimeoutMs'>,
): WebClientOptions {
  return {
    retryConfig: { retries: 2, factor: 2, minTimeout: 100, maxTimeout: 1000 },
    timeout: config.slackTimeoutMs,
    rejectRateLimitedCalls: true,
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
  };
}

/** A WebClient with {@link slackClientOptions}. */
export function createSlackWebClient(
  token: string,
  config: Pick<BotConfig, 'slackApiUrl' | 'slackTimeoutMs'>,
): WebClient {
  return new WebClient(token, slackClientOptions(config));
}

/** How much of the invocation a rate-limited call may spend waiting. */
export interface RateLimitBudgetOptions {
  /** Lambda's `context.getRemainingTimeInMillis`. */
  remainingTimeMs: () => number;
  /** Time kept back for the retried call itself and the rest of the handler. */
  reserveMs?: number;
  /** Waits this many times at most. */
  maxWaits?: number;
  sleep?: (ms: number) => Promise<void>;
}

function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, retryAfter } = error as { code?: unknown; retryAfter?: unknown };
  return code === ErrorCode.RateLimitedError && typeof retryAfter === 'number' ? retryAfter : undefined;
}

/**
 * Runs a Web API call, honouring a 429's Retry-After only if the wait fits in the invocation's
 * remaining time; otherwise throws {@link SlackRateLimitedError} so Lambda's own retry takes over.
 */
export async function withRateLimitBudget<T>(
  call: () => Promise<T>,
  options: RateLimitBudgetOptions,
): Promise<T> {
  const reserveMs = options.reserveMs ?? 2000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let waits = 0; ; waits += 1) {
    try {
      return await call();
    } catch (error) {
      const retryAfter = retryAfterOf(error);
      if (retryAfter === undefined) throw error;
      const waitMs = retryAfter * 1000;
      if (waits >= (options.maxWaits ?? 2) || waitMs + reserveMs > options.remainingTimeMs()) {
        throw new SlackRateLimitedError(retryAfter, { cause: error });
      }
      await sleep(waitMs);
    }
  }
}
