import { z } from 'zod';
import type { RateLimit } from './rate-limiter';

const Limit = z.object({
  perSecond: z.number().positive().max(1000),
  burst: z.number().int().min(1).max(1000),
});

/**
 * A fault drill for the local Slack (`POST /_local/faults`): Web API rate limits, and the next
 * `count` calls (or every call for `seconds`) answered with an HTTP error, as when Slack is down.
 */
export const SlackFaultsBody = z
  .object({
    rateLimits: z.record(z.string().regex(/^[a-z]+\.[A-Za-z]+$/), Limit.nullable()).optional(),
    fail: z
      .object({
        status: z.union([z.literal(429), z.number().int().min(500).max(599)]),
        methods: z.array(z.string()).min(1).optional(),
        count: z.number().int().min(1).max(10_000).optional(),
        seconds: z.number().positive().max(3600).optional(),
      })
      .refine((f) => (f.count === undefined) !== (f.seconds === undefined), {
        message: 'give exactly one of count and seconds',
      })
      .optional(),
  })
  .strict();
export type SlackFaultsBody = z.infer<typeof SlackFaultsBody>;

/** The failures still to answer; consulted before each Web API call. */
export class SlackFailures {
  private active: { status: number; methods?: string[]; left?: number; untilMs?: number } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  set(fail: NonNullable<SlackFaultsBody['fail']> | undefined): void {
    this.active = fail && {
      status: fail.status,
      ...(fail.methods ? { methods: fail.methods } : {}),
      ...(fail.count !== undefined ? { left: fail.count } : {}),
      ...(fail.seconds !== undefined ? { untilMs: this.now() + fail.seconds * 1000 } : {}),
    };
  }

  /** The status to fail this call with, if a drill is on for it. */
  take(method: string): number | undefined {
    const a = this.active;
    if (!a || (a.methods && !a.methods.includes(method))) return undefined;
    if (a.untilMs !== undefined && this.now() > a.untilMs) {
      this.active = undefined;
      return undefined;
    }
    if (a.left !== undefined) {
      a.left -= 1;
      if (a.left <= 0) this.active = undefined;
    }
    return a.status;
  }
}

/** Applies a drill's rate limits through `set`. */
export function applyRateLimits(
  body: SlackFaultsBody,
  set: (method: string, limit: RateLimit | null) => void,
): void {
  for (const [method, limit] of Object.entries(body.rateLimits ?? {})) set(method, limit);
}
