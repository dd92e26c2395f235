import { sleep } from './function-invoker';

/** The time an event source runs on: real by default, a manual one in tests. */
export interface EventSourceClock {
  now(): number;
  /** Resolves after `ms`, or at once when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Wall-clock time. */
export const REAL_CLOCK: EventSourceClock = { now: () => Date.now(), sleep };

/**
 * How Lambda scales the pollers of a standard SQS queue
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html): five concurrent batches
 * once messages are available, up to 300 more per minute while messages remain, back to five when
 * traffic drops, never above the mapping's MaximumConcurrency (or 1,000 without one).
 */
export const SQS_SCALING = { initial: 5, addedPerMinute: 300, max: 1000 } as const;

/** How a pool of pollers grows and shrinks. */
export interface PollerPoolOptions {
  /** Pollers started at once, and the floor a quiet queue shrinks back to. */
  initial: number;
  /** The most pollers at any time. */
  max: number;
  /** Pollers added per minute while the last receive found messages. */
  addedPerMinute: number;
  clock: EventSourceClock;
  signal: AbortSignal;
}

/** What one poll found: messages (there may be more), or nothing (the queue looked empty). */
export type PollResult = 'found' | 'empty';

/** One poller's turn; it calls `received` as soon as its receive answers, before it invokes. */
export type PollOnce = (received: (result: PollResult) => void) => Promise<PollResult>;

/**
 * Runs `pollOnce` (which handles its own errors and never rejects) in concurrent loops, one per poller: `initial` of them from the start, one more
 * every 60 000 / addedPerMinute ms of the clock while polls keep finding messages, up to `max`; a
 * poller above `initial` whose poll comes back empty stops. Resolves once the signal aborts and
 * every loop has ended.
 */
export async function runPollerPool(options: PollerPoolOptions, pollOnce: PollOnce): Promise<void> {
  const floor = Math.max(1, Math.min(options.initial, options.max));
  const loops = new Set<Promise<void>>();
  // Counted synchronously, so two pollers finding the queue empty at once cannot both leave the floor.
  let active = 0;
  // Whether the latest receive found messages: Lambda scales on the backlog, not on finished batches.
  let backlog = false;
  const received = (result: PollResult): void => {
    backlog = result === 'found';
  };

  const spawn = (): void => {
    active += 1;
    const loop = (async () => {
      while (!options.signal.aborted) {
        const result = await pollOnce(received);
        if (result === 'empty' && active > floor) break;
      }
      active -= 1;
    })();
    loops.add(loop);
    void loop.then(() => loops.delete(loop));
  };

  for (let i = 0; i < floor; i++) spawn();
  const intervalMs = 60_000 / options.addedPerMinute;
  while (!options.signal.aborted) {
    await options.clock.sleep(intervalMs, options.signal);
    if (!options.signal.aborted && backlog && active < options.max) spawn();
  }
  await Promise.all(loops);
}
