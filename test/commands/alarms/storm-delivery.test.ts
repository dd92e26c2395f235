import { describe, expect, it } from 'vitest';
import { deliverAlarms } from '../../../src/commands/alarms/deliver-alarms';
import { AlarmChatError, ChatFailure } from '../../../src/commands/alarms/ports';
import { MemoryAlarmStateStore, RecordingChat, TestTimer } from '../../fakes/alarm-fakes';
import { deps, INTERVAL, minGap, queued, START } from './delivery-helpers';

describe('deliverAlarms: a storm across deadlines and 429s, on a controlled clock', () => {
  it("replies in the closed storm's thread for alarms handed back at the deadline, with no second summary", async () => {
    const timer = new TestTimer(START);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    const items = queued('d', 30);
    const first = await deliverAlarms(items, deps(store, chat, timer.withDeadline(START + 20_000)));
    expect(first.failures.length).toBeGreaterThan(0);
    const updatesBefore = chat.updates.length;

    // The deferred records come back after the storm's two-minute window has closed.
    timer.advanceTo(timer.nowMs() + 5 * 60_000);
    const back = new Set(first.failures.map((f) => f.itemIdentifier));
    const second = await deliverAlarms(
      items.filter((i) => back.has(i.itemIdentifier)),
      deps(store, chat, timer.withDeadline(timer.nowMs() + 120_000)),
    );

    expect(second).toMatchObject({ storm: true, failures: [] });
    const [summary, ...replies] = chat.posts;
    expect(chat.posts.filter((p) => !p.threadTs)).toEqual([summary]);
    expect(summary?.text).toContain('30 alarm notifications');
    expect(replies).toHaveLength(30);
    expect(replies.every((p) => p.threadTs === summary?.ts)).toBe(true);
    // They were already named: the summary is not redrawn.
    expect(chat.updates.length).toBe(updatesBefore);
  });

  it('posts a small remainder handed back from a storm in its thread, not at the top of the channel', async () => {
    const timer = new TestTimer(START);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    const items = queued('r', 6);
    // Room for the summary and four replies: two alarms are handed back.
    const first = await deliverAlarms(
      items,
      deps(store, chat, timer.withDeadline(START + 5000 + 4 * INTERVAL + INTERVAL / 2)),
    );
    expect(first.failures).toHaveLength(2);

    timer.advanceTo(timer.nowMs() + 10 * 60_000);
    const back = new Set(first.failures.map((f) => f.itemIdentifier));
    const second = await deliverAlarms(
      items.filter((i) => back.has(i.itemIdentifier)),
      deps(store, chat, timer.withDeadline(timer.nowMs() + 120_000)),
    );

    expect(second).toMatchObject({ posted: 2, storm: true, failures: [] });
    expect(chat.posts.filter((p) => !p.threadTs)).toHaveLength(1);
    expect(chat.posts.filter((p) => p.threadTs === chat.posts[0]?.ts)).toHaveLength(6);
  });

  it('retries a post Slack answered 429 after its Retry-After, at a fresh shared slot, and fails nothing', async () => {
    const timer = new TestTimer(START, START + 120_000);
    const store = new MemoryAlarmStateStore();
    const chat = new RecordingChat(timer);
    let limited = 0;
    chat.failPost = () =>
      limited++ === 2
        ? {
            error: new AlarmChatError(ChatFailure.rateLimited, 'ratelimited', { retryAfterSeconds: 3 }),
            made: false,
          }
        : undefined;

    const result = await deliverAlarms(queued('l', 5), deps(store, chat, timer));

    expect(result).toMatchObject({ posted: 5, failures: [] });
    expect(chat.posts).toHaveLength(6);
    const times = chat.posts.map((p) => p.at);
    // The third post was refused at START + 2 slots; it goes 3 s later, and the rest follow it.
    expect(times[2]).toBeGreaterThanOrEqual(START + 2 * INTERVAL + 3000);
    expect(minGap(times)).toBeGreaterThanOrEqual(INTERVAL);
  });
});
