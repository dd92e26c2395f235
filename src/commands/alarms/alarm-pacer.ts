import { GumshoeError } from '../errors';
import { AlarmChatError, type AlarmStateStore, type AlarmTimer, ChatFailure } from './ports';

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

/** How many 429s one post outlasts before its error goes to the caller. */
const RATE_LIMITED_ATTEMPTS = 4;

/** What {@link createPostPacer} needs. */
export interface PostPacerOptions {
  readonly store: Pick<AlarmStateStore, 'reservePostSlot'>;
  readonly intervalMs: number;
  readonly timer: AlarmTimer;
  /** Time kept back at the end of the invocation. */
  readonly safetyMs: number;
}

/** Runs one Slack post in `channelId` at its shared slot; throws {@link PostSlotTooLateError} instead of posting late. */
export type PostPacer = <T>(channelId: string, post: () => Promise<T>) => Promise<T>;

/**
 * The one pacing mechanism of the alarm path (posts, storm replies, reminders): Slack allows about
 * one message per second per channel, thread replies included, so each post reserves a slot in the
 * alarm-state table, shared by every concurrent invocation, and waits for it. Once a slot falls past
 * the deadline, it and every later post of this pacer are refused, so the caller hands them on.
 */
export function createPostPacer(options: PostPacerOptions): PostPacer {
  const { timer } = options;
  // Slack counts arrivals, and a timer can wake late: after its own post this invocation also waits
  // a full interval from when that post returned, so a late send never crowds the next one.
  const lastDone = new Map<string, number>();
  let tooLate = false;
  // A slot handed back after it began (a slow store round trip) would put this post closer to the
  // next holder's than the interval: take a fresh one instead, leaving the late one unused.
  const lateToleranceMs = options.intervalMs / 10;
  const reserve = async (channelId: string, notBeforeMs: number): Promise<number> => {
    let slot = 0;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const from = Math.max(timer.nowMs(), notBeforeMs);
      slot = await options.store.reservePostSlot(channelId, from, options.intervalMs);
      if (options.intervalMs === 0 || timer.nowMs() - slot <= lateToleranceMs) break;
    }
    return slot;
  };
  return async <T>(channelId: string, post: () => Promise<T>): Promise<T> => {
    let notBeforeMs = 0;
    for (let attempt = 0; ; attempt += 1) {
      if (tooLate) throw new PostSlotTooLateError(channelId);
      const slot = await reserve(channelId, notBeforeMs);
      const previous = lastDone.get(channelId);
      const at = previous === undefined ? slot : Math.max(slot, previous + options.intervalMs);
      const wait = at - timer.nowMs();
      if (wait > timer.remainingMs() - options.safetyMs) {
        // The reserved slot stays unused: other invocations lose at most one interval.
        tooLate = true;
        throw new PostSlotTooLateError(channelId);
      }
      if (wait > 0) await timer.sleep(wait);
      try {
        return await post();
      } catch (error) {
        // A 429 is retried here, not in the Slack adapter: a blind wait of Retry-After would land on
        // another invocation's slot and draw the next 429. Reserving after Retry-After also moves
        // the channel's shared slot past it, so every invocation backs off together.
        const limited = error instanceof AlarmChatError && error.failure === ChatFailure.rateLimited;
        if (!limited || attempt >= RATE_LIMITED_ATTEMPTS) throw error;
        notBeforeMs = timer.nowMs() + (error.retryAfterSeconds ?? 1) * 1000;
      } finally {
        lastDone.set(channelId, timer.nowMs());
      }
    }
  };
}
