import { z } from 'zod';
import { ConferenceError } from '../sessions/errors';

/** The environment of a function is missing or malformed; raised on the first invocation, not at import. */
export class ConfigError extends ConferenceError {}

const rate = z.coerce.number().min(0).max(1).default(0);
const millis = (fallback: number) => z.coerce.number().int().min(0).max(900_000).default(fallback);
const concurrency = z.coerce.number().int().min(1).max(100).default(10);

/** Env of the create-session function. */
export const CreateSessionConfig = z.object({ SESSIONS_QUEUE_URL: z.url() });
export type CreateSessionConfig = z.infer<typeof CreateSessionConfig>;

/** Env of the save-session function, with its fault settings (off by default). */
export const SaveSessionConfig = z.object({
  SESSIONS_TABLE_NAME: z.string().min(1),
  CACHE_TABLE_NAME: z.string().min(1),
  FAULT_SAVE_DELAY_MS: millis(0),
  FAULT_SAVE_ERROR_RATE: rate,
});
export type SaveSessionConfig = z.infer<typeof SaveSessionConfig>;

/**
 * Env of the Slack notification function. An incoming-webhook URL is a credential: in AWS it comes
 * from Secrets Manager (`SLACK_WEBHOOK_SECRET_ARN`), locally from `SLACK_WEBHOOK_URL`; exactly one.
 */
export const NotifyConfig = z
  .object({
    SLACK_WEBHOOK_URL: z.url().optional(),
    SLACK_WEBHOOK_SECRET_ARN: z.string().startsWith('arn:').optional(),
    DELIVERIES_TABLE_NAME: z.string().min(1),
    // One message per batch (up to this many sessions) keeps within the webhook's ~1 message/s limit; 1 is the seed's one by one.
    NOTIFY_MAX_PER_MESSAGE: z.coerce.number().int().min(1).max(50).default(25),
    NOTIFY_TIMEOUT_MS: millis(3000),
    RETRY_BUDGET_MS: millis(15_000),
    FAULT_NOTIFY_LATENCY_MS: millis(0),
  })
  .refine((c) => (c.SLACK_WEBHOOK_URL === undefined) !== (c.SLACK_WEBHOOK_SECRET_ARN === undefined), {
    message: 'set exactly one of SLACK_WEBHOOK_URL (local) and SLACK_WEBHOOK_SECRET_ARN (AWS)',
    path: ['SLACK_WEBHOOK_URL'],
  });
export type NotifyConfig = z.infer<typeof NotifyConfig>;

/** Env of the partner forwarding function. */
export const ForwardConfig = z.object({
  PARTNER_BASE_URL: z.url(),
  DELIVERIES_TABLE_NAME: z.string().min(1),
  FORWARD_CONCURRENCY: concurrency,
  FORWARD_TIMEOUT_MS: millis(3000),
  RETRY_BUDGET_MS: millis(15_000),
});
export type ForwardConfig = z.infer<typeof ForwardConfig>;

/** Env of the list-sessions function. */
export const ListSessionsConfig = z.object({ SESSIONS_TABLE_NAME: z.string().min(1) });
export type ListSessionsConfig = z.infer<typeof ListSessionsConfig>;

/** Parses a function's env once; a bad value names the variable but never echoes it. */
export function parseConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid function configuration: ${problems}`);
  }
  return result.data;
}

/** Builds a value on first use and keeps it for the life of the execution environment. */
export function lazy<T>(build: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: build() };
    return value.v;
  };
}

/** Options of {@link lazyAsync}. */
export interface LazyAsyncOptions {
  /** How long a failed build answers with its error before the next call builds again. */
  readonly retryAfterMs?: number;
  /** Milliseconds since the epoch; tests pass a controlled clock. */
  readonly now?: () => number;
}

/** The default pause after a failed build: a burst of retried batches does not hammer Secrets Manager. */
export const LAZY_RETRY_AFTER_MS = 10_000;

/**
 * Builds a value on first use and keeps it once built. A failed build (a throttled or denied
 * secret read) is not kept for the life of the environment: calls within `retryAfterMs` get the
 * same error, the first call after that builds again.
 */
export function lazyAsync<T>(build: () => Promise<T>, options: LazyAsyncOptions = {}): () => Promise<T> {
  const retryAfterMs = options.retryAfterMs ?? LAZY_RETRY_AFTER_MS;
  const now = options.now ?? Date.now;
  let value: Promise<T> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;
  return () => {
    if (value && failedAt > Number.NEGATIVE_INFINITY && now() - failedAt >= retryAfterMs) value = undefined;
    value ??= build().then(
      (built) => {
        failedAt = Number.NEGATIVE_INFINITY;
        return built;
      },
      (error: unknown) => {
        failedAt = now();
        throw error;
      },
    );
    return value;
  };
}
