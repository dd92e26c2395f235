import { describe, expect, it } from 'vitest';
import { nextOccurrence, type SchedulerTimer, startLocalScheduler } from '../../src/local/scheduler';
import type { ScheduleSpec } from '../../src/topology';

/** A timer the test moves by hand: no test waits on the wall clock. */
function manualTimer(start: number) {
  let now = start;
  const pending: { at: number; run: () => void; id: number }[] = [];
  let ids = 0;
  const timer: SchedulerTimer = {
    now: () => now,
    setTimeout: (run, ms) => {
      ids += 1;
      pending.push({ at: now + ms, run, id: ids });
      return ids;
    },
    clearTimeout: (id) => {
      const i = pending.findIndex((p) => p.id === id);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      pending.sort((a, b) => a.at - b.at);
      const next = pending[0];
      if (!next || next.at > until) break;
      pending.shift();
      now = next.at;
      next.run();
      // Let the invocation's promise settle so the schedule re-arms.
      await new Promise((resolve) => setImmediate(resolve));
    }
    now = until;
  };
  return { timer, advance };
}

const reminder: ScheduleSpec = {
  stack: 'bot',
  function: 'alarmReminder',
  description: 'reminds',
  when: { kind: 'rate', minutes: 15 },
  input: { source: 'gumshoe.alarm-reminder' },
  retryAttempts: 0,
};

describe('startLocalScheduler', () => {
  it('invokes a rate schedule once per period with its input', async () => {
    const { timer, advance } = manualTimer(Date.UTC(2026, 11, 7, 8, 0));
    const calls: [string, Record<string, string>][] = [];
    const scheduler = startLocalScheduler({
      schedules: [{ key: 'alarmReminder', functionName: 'gumshoe-alarm-reminder', spec: reminder }],
      invoke: async (name, input) => calls.push([name, input]),
      timer,
    });

    await advance(44 * 60_000);
    scheduler.stop();

    expect(calls).toEqual([
      ['gumshoe-alarm-reminder', { source: 'gumshoe.alarm-reminder' }],
      ['gumshoe-alarm-reminder', { source: 'gumshoe.alarm-reminder' }],
    ]);
  });

  it('fires every everyMs instead when a test asks for it, and retries as configured', async () => {
    const { timer, advance } = manualTimer(0);
    let attempts = 0;
    const errors: string[] = [];
    const scheduler = startLocalScheduler({
      schedules: [{ key: 'r', functionName: 'f', spec: { ...reminder, retryAttempts: 2 }, everyMs: 1000 }],
      invoke: async () => {
        attempts += 1;
        throw new Error('down');
      },
      timer,
      onError: (key) => errors.push(key),
    });

    await advance(1000);
    scheduler.stop();

    expect(attempts).toBe(3);
    expect(errors).toEqual(['r']);
  });
});

describe('nextOccurrence', () => {
  const weekly = { kind: 'weekly', weekDay: 'MON', hour: 9, minute: 0, timeZone: 'Europe/Paris' } as const;

  it('finds Monday 09:00 in the schedule time zone (08:00 UTC in winter)', () => {
    // Friday 4 December 2026, 18:00 UTC.
    expect(new Date(nextOccurrence(weekly, Date.UTC(2026, 11, 4, 18))).toISOString()).toBe(
      '2026-12-07T08:00:00.000Z',
    );
  });

  it('follows daylight saving time (07:00 UTC in summer)', () => {
    expect(new Date(nextOccurrence(weekly, Date.UTC(2026, 5, 3))).toISOString()).toBe(
      '2026-06-08T07:00:00.000Z',
    );
  });

  it('adds the rate to now for a rate schedule', () => {
    expect(nextOccurrence({ kind: 'rate', minutes: 30 }, 1000)).toBe(1000 + 30 * 60_000);
  });
});
