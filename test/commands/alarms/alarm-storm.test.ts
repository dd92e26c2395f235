import { describe, expect, it } from 'vitest';
import { parseAlarmNotifications } from '../../../src/bot/alarms/alarm-envelope';
import type { AlarmEvent, ParsedNotification } from '../../../src/commands/alarms/alarm-event';
import { planAlarmPosts } from '../../../src/commands/alarms/alarm-storm';
import { fixture } from './fixtures';
import { expectWithinSlackLimits } from './slack-limits';

function first(name: string): ParsedNotification {
  const [n] = parseAlarmNotifications(fixture('alarms', name));
  if (!n) throw new Error('empty');
  return n;
}

const base = first('sns-metric-alarm.json');
const baseAlarm = (base as { alarm: AlarmEvent }).alarm;

/** n distinct alarms in mixed states, plus one unrecognised notification. */
function storm(n: number): ParsedNotification[] {
  const states = ['ALARM', 'ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
  const alarms: ParsedNotification[] = Array.from({ length: n - 1 }, (_, i) => ({
    kind: 'alarm',
    messageId: `m-${i}`,
    alarm: {
      ...baseAlarm,
      name: `conference-alarm-${String(i).padStart(3, '0')}-${'x'.repeat(40)}`,
      arn: `${baseAlarm.arn}-${i}`,
      newState: states[i % states.length] ?? 'ALARM',
    },
  }));
  return [...alarms, first('sns-plain-string.json')];
}

const NOW = new Date('2026-05-01T10:01:00Z');

describe('planAlarmPosts', () => {
  it('posts a few alarms one by one at the top of the channel', () => {
    const plan = planAlarmPosts([base, first('sns-metric-ok.json')], { now: NOW });
    expect(plan.storm).toBe(false);
    expect(plan.posts.map((p) => [p.kind, p.kind === 'notification' && p.thread])).toEqual([
      ['notification', 'none'],
      ['notification', 'none'],
    ]);
  });

  it('plans a 200-alarm storm as one summary and a paced thread reply for every notification', () => {
    const notifications = storm(200);
    const plan = planAlarmPosts(notifications, {
      now: NOW,
      mentionHere: true,
      accountAliases: { '123456789012': 'prod' },
    });
    expect(plan.storm).toBe(true);

    const summaries = plan.posts.filter((p) => p.kind === 'summary');
    expect(summaries).toHaveLength(1);
    const covered = plan.posts.flatMap((p) => (p.kind === 'notification' ? [p.notificationIndex] : []));
    expect([...covered].sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
    expect(plan.posts.every((p) => p.kind === 'summary' || p.thread === 'summary')).toBe(true);

    const topLevel = plan.posts.filter((p) => p.kind === 'summary' || p.thread === 'none');
    expect(topLevel).toHaveLength(1);

    const summary = summaries[0];
    if (summary?.kind !== 'summary') return;
    expectWithinSlackLimits(summary.message);
    expect(summary.message.text).toBe(
      '<!here> 🚨 200 alarm notifications: 100 ALARM, 49 INSUFFICIENT_DATA, 50 OK, 1 unrecognised',
    );
    // As many names as Slack's block text allows are listed, the rest counted.
    expect(JSON.stringify(summary.message.blocks)).toMatch(/… and \d+ more, each in this thread/);
    // The most severe come first in the thread; only the summary mentions the channel.
    const replies = plan.posts.filter((p) => p.kind === 'notification');
    expect(replies[0]?.message.text.startsWith('🚨 ALARM')).toBe(true);
    expect(replies.at(-1)?.message.text).toMatch(/^⚠️ Unrecognised/);
    expect(replies.some((p) => p.message.text.includes('<!here>'))).toBe(false);
    for (const p of replies.slice(0, 5)) expectWithinSlackLimits(p.message);
  });
});
