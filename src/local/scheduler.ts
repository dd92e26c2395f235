import type { ScheduleSpec, ScheduleWhen } from '../topology';

/** The timer the scheduler runs on: real time by default, a fake one in tests. */
export interface SchedulerTimer {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimer: SchedulerTimer = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** One schedule the local scheduler runs, with the function name it invokes. */
export interface LocalSchedule {
  key: string;
  functionName: string;
  spec: ScheduleSpec;
  /** Fire every this many ms instead of the schedule's own time (tests, demos). */
  everyMs?: number;
}

/** Options of {@link startLocalScheduler}. */
export interface LocalSchedulerOptions {
  schedules: LocalSchedule[];
  /** Invokes a function asynchronously, as EventBridge Scheduler's Lambda target does. */
  invoke(functionName: string, input: Record<string, string>): Promise<unknown>;
  timer?: SchedulerTimer;
  /** Called when an invocation fails after its retries (the local stand-in for a schedule DLQ). */
  onError?: (key: string, error: unknown) => void;
}

/** A running scheduler. */
export interface LocalScheduler {
  /** When each schedule fires next (epoch ms). */
  nextRuns(): Record<string, number>;
  stop(): void;
}

/**
 * EventBridge Scheduler for the local stack: each schedule of the description invokes its function
 * with its fixed input at its rate, or at its weekly time in its time zone. Hand-written: nothing on
 * npm runs EventBridge schedule expressions with time zones against a local Lambda.
 */
export function startLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const timer = options.timer ?? realTimer;
  const handles = new Map<string, unknown>();
  const next = new Map<string, number>();
  let stopped = false;

  const arm = (schedule: LocalSchedule) => {
    if (stopped) return;
    const now = timer.now();
    const at =
      schedule.everyMs !== undefined ? now + schedule.everyMs : nextOccurrence(schedule.spec.when, now);
    next.set(schedule.key, at);
    handles.set(
      schedule.key,
      timer.setTimeout(() => {
        void fire(schedule).finally(() => arm(schedule));
      }, at - now),
    );
  };

  const fire = async (schedule: LocalSchedule) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await options.invoke(schedule.functionName, schedule.spec.input);
        return;
      } catch (error) {
        if (attempt >= schedule.spec.retryAttempts) {
          options.onError?.(schedule.key, error);
          return;
        }
      }
    }
  };

  for (const schedule of options.schedules) arm(schedule);
  return {
    nextRuns: () => Object.fromEntries(next),
    stop() {
      stopped = true;
      for (const handle of handles.values()) timer.clearTimeout(handle);
      handles.clear();
    },
  };
}

const WEEK_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** The first time after `now` (epoch ms) a schedule fires: `now` + rate, or the next weekly time in its zone. */
export function nextOccurrence(when: ScheduleWhen, now: number): number {
  if (when.kind === 'rate') return now + when.minutes * 60_000;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: when.timeZone,
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  // Minute by minute through the next eight days: a week of wall-clock minutes in the zone, so
  // daylight-saving jumps need no special case (a 09:00 that does not exist is skipped, as cron does).
  const start = Math.floor(now / 60_000) * 60_000 + 60_000;
  for (let t = start; t < start + 8 * 86_400_000; t += 60_000) {
    const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, p.value]));
    const day = WEEK_DAYS.find((d) => parts.weekday?.toUpperCase().startsWith(d));
    if (day === when.weekDay && Number(parts.hour) === when.hour && Number(parts.minute) === when.minute)
      return t;
  }
  throw new Error(`no ${when.weekDay} ${when.hour}:${when.minute} in ${when.timeZone} within a week`);
}
