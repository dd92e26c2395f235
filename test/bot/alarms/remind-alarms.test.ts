import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbAlarmStateStore } from '../../../src/aws/alarm-state-store';
import { postAlarmNotifications } from '../../../src/bot/alarms/post-alarms';
import { type AlarmReminderDeps, sendAlarmReminders } from '../../../src/bot/alarms/remind-alarms';
import { createSlackWebClient } from '../../../src/bot/slack-client';
import { LOCAL_WORKSPACE, type LocalSlack, startLocalSlack } from '../../../src/local/slack';
import { alarmFixture, startAlarmDynalite } from './helpers';

const ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:save-session-errors';
const at = (minutes: number) => new Date(Date.parse('2026-05-01T10:00:00.512Z') + minutes * 60_000);

describe('sendAlarmReminders', () => {
  let slack: LocalSlack;
  let db: Awaited<ReturnType<typeof startAlarmDynalite>>;
  let store: DynamoDbAlarmStateStore;

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0 });
    db = await startAlarmDynalite();
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    slack.reset();
    store = (await db.newStore()).store;
    const settings = { accountAliases: {}, mentionHere: false, stormThreshold: 4, postIntervalMs: 0 };
    const base = {
      store,
      client: createSlackWebClient('xoxb-local-token', { slackApiUrl: slack.apiUrl, slackTimeoutMs: 2000 }),
      channelId: LOCAL_WORKSPACE.channelId,
      settings,
      remainingTimeMs: () => 60_000,
      log: () => undefined,
    };
    await postAlarmNotifications(alarmFixture('sns-metric-alarm.json'), { ...base, now: () => at(1) });
    await postAlarmNotifications(alarmFixture('sns-insufficient-data.json'), { ...base, now: () => at(1) });
  });

  const deps = (now: Date, mentionHere = false): AlarmReminderDeps => ({
    store,
    client: createSlackWebClient('xoxb-local-token', { slackApiUrl: slack.apiUrl, slackTimeoutMs: 2000 }),
    settings: { accountAliases: {}, mentionHere, reminderIntervalMs: 30 * 60_000, postIntervalMs: 0 },
    now: () => now,
    remainingTimeMs: () => 60_000,
    log: () => undefined,
  });
  const reminders = () =>
    slack.messages({ kind: 'channel' }).filter((m) => m.threadTs && m.text.includes('⏰'));

  it('reminds once per interval in the thread of an alarm still in ALARM, only that one', async () => {
    expect((await sendAlarmReminders(deps(at(20)))).reminded).toBe(0);
    expect(await sendAlarmReminders(deps(at(31), true))).toEqual({ reminded: 1, checked: 1 });
    expect((await sendAlarmReminders(deps(at(40)))).reminded).toBe(0);
    expect((await sendAlarmReminders(deps(at(62)))).reminded).toBe(1);

    expect(reminders().map((m) => m.text)).toEqual([
      '<!here> ⏰ Still in ALARM for 31 min',
      '⏰ Still in ALARM for 1 h 02 min',
    ]);
    const parent = slack.messages({ kind: 'channel' }).find((m) => m.ts === reminders()[0]?.threadTs);
    expect(parent?.edited).toBe(true);
    expect(JSON.stringify(parent?.blocks)).toContain('in ALARM for 1 h 02 min');
  });

  it('stays quiet once someone acknowledged', async () => {
    const record = await store.get(ARN);
    if (!record) throw new Error('no record');
    await store.save(
      { ...record, state: { ...record.state, ack: { userId: 'U1', at: at(5) } } },
      record.version,
    );

    expect((await sendAlarmReminders(deps(at(90)))).reminded).toBe(0);
    expect(reminders()).toHaveLength(0);
  });

  it('takes the shared post slot: a channel busy past the deadline leaves the reminder to the next run', async () => {
    const channel = (await store.get(ARN))?.state.channel ?? '';
    // An alarm invocation holds the channel's slots for the next 30 s.
    await store.reservePostSlot(channel, Date.now(), 30_000);
    const busy = { ...deps(at(31)), settings: { ...deps(at(31)).settings, postIntervalMs: 1000 } };

    const first = await sendAlarmReminders({ ...busy, remainingTimeMs: () => 10_000, safetyMs: 0 });
    const later = await sendAlarmReminders({ ...busy, clockMs: () => Date.now() + 31_000 });

    expect(first).toEqual({ reminded: 0, checked: 1 });
    expect(later).toEqual({ reminded: 1, checked: 1 });
    expect(reminders()).toHaveLength(1);
  });
});
