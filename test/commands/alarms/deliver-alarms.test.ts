import { describe, expect, it } from 'vitest';
import { parseAlarmEnvelope } from '../../../src/bot/alarms/alarm-envelope';
import { snoozeAlarm } from '../../../src/commands/alarms/alarm-thread';
import { deliverAlarms } from '../../../src/commands/alarms/deliver-alarms';
import { AlarmChatError } from '../../../src/commands/alarms/ports';
import { redeliveryDelaySeconds } from '../../../src/commands/alarms/redelivery';
import { sendAlarmReminders } from '../../../src/commands/alarms/remind-alarms';
import { snsAlarmRecord, sqsRecordOf } from '../../bot/alarms/slack-helpers';
import { MemoryAlarmStateStore, RecordingChat, TestTimer } from '../../fakes/alarm-fakes';
import { deps, INTERVAL, minGap, queued, START } from './delivery-helpers';

describe('deliverAlarms on a controlled clock', () => {
  it('posts a 200-alarm storm as one summary first, then every alarm once in its thread, one slot apart', async () => {
    const timer = new TestTimer(START, START + 15 * 60_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);

    const result = await deliverAlarms(queued('s', 200), deps(store, chat, timer));

    expect(result).toMatchObject({ posted: 200, storm: true, failures: [] });
    const [summary, ...replies] = chat.posts;
    expect(summary?.text).toContain('200 alarm notifications');
    expect(summary?.at).toBe(START);
    expect(replies).toHaveLength(200);
    expect(replies.every((p) => p.threadTs === summary?.ts)).toBe(true);
    for (let i = 0; i < 200; i += 1)
      expect(replies.filter((p) => p.text.includes(`s-${i} `))).toHaveLength(1);
    expect(minGap(chat.posts.map((p) => p.at))).toBeGreaterThanOrEqual(INTERVAL);
    expect((replies.at(-1)?.at ?? 0) - START).toBe(200 * INTERVAL);
  });

  it('shows a storm split over two concurrent batches in one summary naming all, updated as the second joins', async () => {
    const timer = new TestTimer(START);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);

    const [a, b] = await Promise.all([
      deliverAlarms(queued('a', 100), deps(store, chat, timer.withDeadline(START + 600_000))),
      deliverAlarms(queued('b', 100), deps(store, chat, timer.withDeadline(START + 600_000))),
    ]);

    expect(a.failures).toEqual([]);
    expect(b.failures).toEqual([]);
    const [summary, ...replies] = chat.posts;
    expect(replies).toHaveLength(200);
    expect(replies.every((p) => p.threadTs === summary?.ts)).toBe(true);
    expect(chat.posts.filter((p) => !p.threadTs)).toHaveLength(1);
    const last = chat.updates.at(-1);
    expect(last?.target.ts).toBe(summary?.ts);
    expect(last?.message.text).toContain('200 alarm notifications');
    const listed = JSON.stringify(last?.message.blocks);
    for (let i = 0; i < 100; i += 1) {
      expect(listed).toContain(`a-${i}*`);
      expect(listed).toContain(`b-${i}*`);
    }
    expect(minGap(chat.posts.map((p) => p.at))).toBeGreaterThanOrEqual(INTERVAL);
  });

  it('adds a small batch arriving while a storm is open to its summary and thread, not the channel', async () => {
    const timer = new TestTimer(START);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    await deliverAlarms(queued('s', 10), deps(store, chat, timer.withDeadline(START + 600_000)));
    timer.advanceTo(timer.nowMs() + 30_000);

    const late = await deliverAlarms(
      queued('late', 1),
      deps(store, chat, timer.withDeadline(timer.nowMs() + 60_000)),
    );

    expect(late).toMatchObject({ posted: 1, storm: true, failures: [] });
    expect(chat.posts.filter((p) => !p.threadTs)).toHaveLength(1);
    expect(chat.posts.at(-1)?.threadTs).toBe(chat.posts[0]?.ts);
    expect(chat.updates.at(-1)?.message.text).toContain('11 alarm notifications');
  });

  it('hands back what does not fit before the deadline, and the redelivery posts the rest, none twice', async () => {
    const timer = new TestTimer(START);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    const items = queued('d', 30);

    const first = await deliverAlarms(items, deps(store, chat, timer.withDeadline(START + 20_000)));
    expect(first.posted).toBeGreaterThan(0);
    expect(first.failures.length).toBe(30 - first.posted);
    expect(first.failures.every((f) => f.reason === 'deferred')).toBe(true);

    const back = new Set(first.failures.map((f) => f.itemIdentifier));
    const second = await deliverAlarms(
      items.filter((i) => back.has(i.itemIdentifier)),
      deps(store, chat, timer.withDeadline(timer.nowMs() + 120_000)),
    );
    expect(second.failures).toEqual([]);
    for (let i = 0; i < 30; i += 1)
      expect(chat.posts.filter((p) => p.threadTs && p.text.includes(`d-${i} `))).toHaveLength(1);
  });

  it('recognises one state change delivered under two message ids, in one batch and across batches', async () => {
    const timer = new TestTimer(START, START + 60_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    const record = snsAlarmRecord('twice', 'm-1');
    const copy = { ...record, Sns: { ...(record.Sns as object), MessageId: 'm-2' } };

    const one = await deliverAlarms(
      parseAlarmEnvelope({ Records: [sqsRecordOf(record, 'q-1'), sqsRecordOf(copy, 'q-2')] }).items,
      deps(store, chat, timer),
    );
    const again = await deliverAlarms(
      parseAlarmEnvelope({
        Records: [sqsRecordOf({ ...copy, Sns: { ...(copy.Sns as object), MessageId: 'm-3' } }, 'q-3')],
      }).items,
      deps(store, chat, timer),
    );

    expect(one).toMatchObject({ posted: 1, skipped: 1, failures: [] });
    expect(again).toMatchObject({ posted: 0, replied: 0, skipped: 1, failures: [] });
    expect(chat.posts).toHaveLength(1);
    expect(chat.posts.some((p) => p.text.includes('Still'))).toBe(false);
  });

  it('posts once when Slack made the post but answered 500: the retry finds it by its key', async () => {
    const timer = new TestTimer(START, START + 60_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    chat.failPost = () => ({
      error: new AlarmChatError('unknown', 'slack_webapi_http_error 500'),
      made: true,
    });
    const items = queued('u', 1);

    const first = await deliverAlarms(items, deps(store, chat, timer));
    expect(first.failures).toEqual([{ itemIdentifier: 'q-u-0', reason: 'failed' }]);

    chat.failPost = undefined;
    const second = await deliverAlarms(items, deps(store, chat, timer));
    expect(second).toMatchObject({ posted: 1, failures: [] });
    expect(chat.posts).toHaveLength(1);
    expect(store.records.get('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:u-0')?.state.ts).toBe(
      chat.posts[0]?.ts,
    );
  });

  it('starts a new conversation when the thread is gone, instead of retrying forever', async () => {
    const timer = new TestTimer(START, START + 60_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    const logged: string[] = [];
    await deliverAlarms(queued('g', 1), deps(store, chat, timer));
    chat.failPost = (t) =>
      t.threadTs ? { error: new AlarmChatError('gone', 'thread_not_found'), made: false } : undefined;

    const ok = queued(
      'g',
      1,
      { NewStateValue: 'OK', OldStateValue: 'ALARM', StateChangeTime: '2026-05-01T10:20:00.000+0000' },
      '-ok',
    );
    const result = await deliverAlarms(
      ok,
      deps(store, chat, timer, { log: (_l, message) => logged.push(message) }),
    );

    expect(result).toMatchObject({ posted: 1, failures: [] });
    expect(chat.posts).toHaveLength(2);
    expect(chat.posts[1]?.threadTs).toBeUndefined();
    expect(logged).toContain('alarm thread is gone; starting a new conversation');
  });

  it("redraws the parent with the new incident's first errors and trace when the alarm fires again", async () => {
    const timer = new TestTimer(START, START + 60_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    let incident = 1;
    const enrich = async () => ({
      errorLines: [`incident ${incident} error`],
      traceId: `1-5f2b9c3a-00000000000000000000000${incident}`,
      traceFunction: `fn-${incident}`,
    });
    const at = (m: number) => `2026-05-01T10:${String(m).padStart(2, '0')}:00.000+0000`;
    const change = (state: string, old: string, m: number, id: string) =>
      queued('r', 1, { NewStateValue: state, OldStateValue: old, StateChangeTime: at(m) }, id);

    await deliverAlarms(change('ALARM', 'OK', 1, 'q1'), deps(store, chat, timer, { enrich }));
    await deliverAlarms(change('OK', 'ALARM', 5, 'q2'), deps(store, chat, timer, { enrich }));
    incident = 2;
    await deliverAlarms(change('ALARM', 'OK', 9, 'q3'), deps(store, chat, timer, { enrich }));

    const parent = JSON.stringify(chat.updates.at(-1)?.message);
    expect(parent).toContain('incident 2 error');
    expect(parent).toContain('1-5f2b9c3a-000000000000000000000002');
    expect(parent).toContain('Open X-Ray trace (fn-2)');
    expect(parent).not.toContain('incident 1 error');
  });
});

describe('sendAlarmReminders on a controlled clock', () => {
  it('reminds once per interval, paced, and stays quiet while snoozed', async () => {
    const timer = new TestTimer(START, START + 60_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    await deliverAlarms(queued('rem', 2), deps(store, chat, timer));
    const reminders = (at: number) => {
      timer.advanceTo(at);
      return sendAlarmReminders({
        store,
        chat,
        timer,
        log: () => undefined,
        settings: {
          accountAliases: {},
          mentionHere: false,
          reminderIntervalMs: 30 * 60_000,
          postIntervalMs: INTERVAL,
        },
      });
    };

    expect((await reminders(START + 20 * 60_000)).reminded).toBe(0);
    expect((await reminders(START + 31 * 60_000)).reminded).toBe(2);
    expect((await reminders(START + 40 * 60_000)).reminded).toBe(0);
    const arn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:rem-0';
    const record = store.records.get(arn);
    if (!record) throw new Error('no record');
    await store.save(
      { ...record, state: snoozeAlarm(record.state, 'U1', new Date(START + 41 * 60_000)).state },
      record.version,
    );
    expect((await reminders(START + 62 * 60_000)).reminded).toBe(1);

    const sent = chat.posts.filter((p) => p.text.includes('⏰'));
    expect(sent).toHaveLength(3);
    expect(minGap(sent.slice(0, 2).map((p) => p.at))).toBeGreaterThanOrEqual(INTERVAL);
  });
});

describe('redeliveryDelaySeconds', () => {
  it('brings a failed record back with backoff, a deferred one soon', () => {
    expect([1, 2, 3, 4].map((n) => redeliveryDelaySeconds('failed', n))).toEqual([10, 40, 160, 640]);
    expect(redeliveryDelaySeconds('deferred', 3)).toBe(30);
    expect(redeliveryDelaySeconds('held', 1, { deferredDelaySeconds: 20 })).toBe(20);
  });
});
