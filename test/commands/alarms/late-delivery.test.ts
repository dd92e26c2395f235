import { describe, expect, it } from 'vitest';
import { snoozeAlarm } from '../../../src/commands/alarms/alarm-thread';
import { deliverAlarms } from '../../../src/commands/alarms/deliver-alarms';
import { MemoryAlarmStateStore, RecordingChat, TestTimer } from '../../fakes/alarm-fakes';
import { deps, queued, START } from './delivery-helpers';

const FIRED = '2026-05-01T10:00:00.512+0000';
const RESOLVED = '2026-05-01T10:00:25.000+0000';
const ALARM_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:flappy-0';

/** The alarm's ALARM change, and its OK 25 s later: SQS may hand them over in either order. */
const firing = (delivery: string) =>
  queued('flappy', 1, { NewStateValue: 'ALARM', OldStateValue: 'OK', StateChangeTime: FIRED }, delivery);
const resolved = (delivery: string) =>
  queued(
    'flappy',
    1,
    {
      NewStateValue: 'OK',
      OldStateValue: 'ALARM',
      StateChangeTime: RESOLVED,
      NewStateReason: 'Threshold Crossed: no datapoints were received for 1 period.',
    },
    delivery,
  );

describe('an older alarm change delivered after a newer one', () => {
  it('is told in the thread as late, and the parent keeps showing the newer state', async () => {
    const timer = new TestTimer(START, START + 600_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);

    await deliverAlarms(resolved('-ok'), deps(store, chat, timer));
    timer.advanceTo(START + 40_000);
    const late = await deliverAlarms(firing('-alarm'), deps(store, chat, timer));

    expect(late).toMatchObject({ replied: 1, failures: [] });
    const [parent, ...rest] = chat.posts.filter((p) => p.text !== '');
    expect(parent?.text).toContain('OK: flappy-0');
    expect(rest.map((p) => ({ threadTs: p.threadTs, text: p.text }))).toEqual([
      {
        threadTs: parent?.ts,
        text: expect.stringMatching(
          /^🚨 ALARM at 10:00 UTC, delivered late \(OK since 10:00 UTC\): Threshold Crossed/,
        ),
      },
    ]);
    // The parent is not redrawn as ALARM, and the state stays OK since the newer change.
    expect(chat.updates.every((u) => !JSON.stringify(u.message.blocks).includes('ALARM:'))).toBe(true);
    const record = await store.get(ALARM_ARN);
    expect(record?.state).toMatchObject({ state: 'OK', since: new Date(RESOLVED.replace('+0000', 'Z')) });
  });

  it('is posted once however often it is redelivered, and not at all while the alarm is snoozed', async () => {
    const timer = new TestTimer(START, START + 600_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    await deliverAlarms(resolved('-ok'), deps(store, chat, timer));

    await deliverAlarms(firing('-alarm'), deps(store, chat, timer));
    await deliverAlarms(firing('-alarm-again'), deps(store, chat, timer));
    expect(chat.posts.filter((p) => p.text.includes('delivered late'))).toHaveLength(1);

    const quiet = new RecordingChat(timer);
    const snoozedStore = new MemoryAlarmStateStore();
    await deliverAlarms(resolved('-ok'), deps(snoozedStore, quiet, timer));
    const record = await snoozedStore.get(ALARM_ARN);
    if (!record) throw new Error('no conversation');
    await snoozedStore.save(
      { ...record, state: snoozeAlarm(record.state, 'U1', new Date(START)).state },
      record.version,
    );
    const result = await deliverAlarms(firing('-alarm'), deps(snoozedStore, quiet, timer));
    expect(result.failures).toEqual([]);
    expect(quiet.posts.filter((p) => p.text.includes('delivered late'))).toEqual([]);
  });
});
