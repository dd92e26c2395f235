import type { AlarmStateStore } from '../../aws/alarm-state-store';
import { GumshoeError } from '../../commands/errors';

/** The shared post slot lies beyond the invocation's deadline: the post was not sent, hand it on. */
export class PostSlotTooLateError extends GumshoeError {
  override readonly name = 'PostSlotTooLateError';
  constructor(readonly channelId: string) {
    super(
      `next post slot in ${channelId} is past this invocation's deadline`,
      'Some alarm messages will be posted shortly.',
    );
  }
}

/** What {@link createPostPacer} needs. */
export interface PostPacerOptions {
  readonly store: Pick<AlarmStateStore, 'reservePostSlot'>;
  readonly intervalMs: number;
  /** Lambda's `context.getRemainingTimeInMillis`. */
  readonly remainingTimeMs: () => number;
  /** Time kept back at the end of the invocation. */
  readonly safetyMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Epoch ms the slots are counted in (default `Date.now`; tests with a fake `sleep` advance it). */
  readonly clockMs?: () => number;
}

/** Runs one Slack post in `channelId` at its shared slot; throws {@link PostSlotTooLateError} instead of posting late. */
export type PostPacer = <T>(channelId: string, post: () => Promise<T>) => Promise<T>;

/**
 * Paces posts per channel across every concurrent invocation (Slack allows about one message per
 * second per channel, thread replies included): each post reserves a slot in the alarm-state table
 * and waits for it. Once a slot falls past the deadline, it and every later post of this pacer are
 * refused without reserving more, so the caller hands them to a retry.
 */
export function createPostPacer(options: PostPacerOptions): PostPacer {
  const clock = options.clockMs ?? Date.now;
  // Slack counts arrivals, and a timer can wake late: after its own post this invocation also waits
  // a full interval from when that post returned, so a late send never crowds the next one.
  const lastDone = new Map<string, number>();
  let tooLate = false;
  // A slot handed back after it began (a slow store round trip) would put this post closer to the
  // next holder's than the interval: take a fresh one instead, leaving the late one unused.
  const lateToleranceMs = options.intervalMs / 10;
  const reserve = async (channelId: string): Promise<number> => {
    let slot = 0;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      slot = await options.store.reservePostSlot(channelId, clock(), options.intervalMs);
      if (options.intervalMs === 0 || clock() - slot <= lateToleranceMs) break;
    }
    return slot;
  };
  return async <T>(channelId: string, post: () => Promise<T>): Promise<T> => {
    if (tooLate) throw new PostSlotTooLateError(channelId);
    const slot = await reserve(channelId);
    const previous = lastDone.get(channelId);
    const at = previous === undefined ? slot : Math.max(slot, previous + options.intervalMs);
    const wait = at - clock();
    if (wait > options.remainingTimeMs() - options.safetyMs) {
      // The reserved slot stays unused: other invocations lose at most one interval.
      tooLate = true;
      throw new PostSlotTooLateError(channelId);
    }
    if (wait > 0) await options.sleep(wait);
    try {
      return await post();
    } finally {
      lastDone.set(channelId, clock());
    }
  };
}
