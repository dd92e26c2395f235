import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbAlarmStateStore } from '../../../src/aws/alarm-state-store';
import { type AlarmPostingDeps, postQueuedAlarmNotifications } from '../../../src/bot/alarms/post-alarms';
import { parseQueuedNotifications } from '../../../src/commands/alarms/alarm-queue';
import { startAlarmDynalite } from './helpers';
import { snsAlarmRecord, sqsRecordOf } from './slack-helpers';

const CHANNEL = 'C0ALARMS';
const NOW = new Date('2026-05-01T10:01:00Z');
/** Both invocations share one event loop here (dynalite included), so a timer may wake a few ms late. */
const TIMER_SLACK_MS = 10;

interface RecordedPost {
  readonly at: number;
  readonly text: string;
  readonly threadTs: string | undefined;
}

/** A Slack client that records when each chat.postMessage arrived (the only call that is rate limited here). */
function recordingSlack(): { client: WebClient; posts: RecordedPost[] } {
  const posts: RecordedPost[] = [];
  let seq = 0;
  const client = {
    chat: {
      postMessage: async (args: { channel: string; text: string; thread_ts?: string }) => {
        seq += 1;
        posts.push({ at: Date.now(), text: args.text, threadTs: args.thread_ts });
        return { ok: true, channel: args.channel, ts: `1777630000.${String(seq).padStart(6, '0')}` };
      },
      update: async () => ({ ok: true }),
    },
    files: { uploadV2: async () => ({ ok: true }) },
  };
  return { client: client as unknown as WebClient, posts };
}

/** An SQS batch of the alarms `name-0 … name-(n-1)`, SQS ids `q-<name>-i`, SNS ids `m-<name>-i`. */
function queuedAlarms(name: string, n: number) {
  const queued = parseQueuedNotifications({
    Records: Array.from({ length: n }, (_, i) =>
      sqsRecordOf(snsAlarmRecord(`${name}-${i}`, `m-${name}-${i}`), `q-${name}-${i}`),
    ),
  });
  if (!queued) throw new Error('not an SQS event');
  return queued;
}

function gapsOf(posts: readonly RecordedPost[]): number[] {
  const times = posts.map((p) => p.at).sort((a, b) => a - b);
  return times.slice(1).map((t, i) => t - (times[i] ?? 0));
}

function maxInWindow(posts: readonly RecordedPost[], windowMs: number): number {
  const times = posts.map((p) => p.at).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= windowMs) j += 1;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** How many thread replies name alarm `name` (the summary lists names too, so only replies count). */
function repliesNaming(posts: readonly RecordedPost[], name: string): number {
  return posts.filter((p) => p.threadTs !== undefined && p.text.includes(`${name} `)).length;
}

describe('alarm posts paced across concurrent invocations', () => {
  let db: Awaited<ReturnType<typeof startAlarmDynalite>>;
  let store: DynamoDbAlarmStateStore;

  beforeAll(async () => {
    db = await startAlarmDynalite();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    store = (await db.newStore()).store;
  });

  function deps(client: WebClient, postIntervalMs: number, overrides: Partial<AlarmPostingDeps> = {}) {
    return {
      store,
      client,
      channelId: CHANNEL,
      settings: { accountAliases: {}, mentionHere: false, stormThreshold: 4, postIntervalMs },
      now: () => NOW,
      remainingTimeMs: () => 60_000,
      log: () => {},
      ...overrides,
    } satisfies AlarmPostingDeps;
  }

  it('keeps two concurrent storms one interval apart in the channel and posts every alarm once', async () => {
    const slack = recordingSlack();

    const [a, b] = await Promise.all([
      postQueuedAlarmNotifications(queuedAlarms('a', 40), deps(slack.client, 40)),
      postQueuedAlarmNotifications(queuedAlarms('b', 40), deps(slack.client, 40)),
    ]);

    expect(a).toMatchObject({ posted: 40, storm: true, batchItemFailures: [] });
    expect(b).toMatchObject({ posted: 40, storm: true, batchItemFailures: [] });
    expect(slack.posts).toHaveLength(82);
    for (let i = 0; i < 40; i += 1) {
      expect(repliesNaming(slack.posts, `a-${i}`)).toBe(1);
      expect(repliesNaming(slack.posts, `b-${i}`)).toBe(1);
    }
    // Both invocations really ran side by side, and still no two posts came closer than the interval.
    const aTimes = slack.posts.filter((p) => p.text.includes('a-')).map((p) => p.at);
    const bTimes = slack.posts.filter((p) => p.text.includes('b-')).map((p) => p.at);
    expect(Math.min(...bTimes)).toBeLessThan(Math.max(...aTimes));
    expect(Math.min(...gapsOf(slack.posts))).toBeGreaterThanOrEqual(40 - TIMER_SLACK_MS);
  }, 15_000);

  it('hands back what does not fit before the deadline, and the redelivery posts it, none twice', async () => {
    const slack = recordingSlack();
    const start = Date.now();
    // 1.2 s each at 40 ms per post: each plan alone fits 30 posts, the shared slots only about half.
    const short = { remainingTimeMs: () => start + 1200 - Date.now(), safetyMs: 0 };
    const batchA = queuedAlarms('a', 40);
    const batchB = queuedAlarms('b', 40);

    const [a, b] = await Promise.all([
      postQueuedAlarmNotifications(batchA, deps(slack.client, 40, short)),
      postQueuedAlarmNotifications(batchB, deps(slack.client, 40, short)),
    ]);
    const firstRound = slack.posts.length;
    const back = new Set([...a.batchItemFailures, ...b.batchItemFailures].map((f) => f.itemIdentifier));
    await Promise.all([
      postQueuedAlarmNotifications(
        batchA.filter((q) => back.has(q.itemIdentifier)),
        deps(slack.client, 40),
      ),
      postQueuedAlarmNotifications(
        batchB.filter((q) => back.has(q.itemIdentifier)),
        deps(slack.client, 40),
      ),
    ]);

    expect(a.posted + b.posted).toBeLessThanOrEqual(32);
    // Nothing failed: every record handed back was only deferred, so it may come back soon.
    expect(a.deferredItems).toEqual(a.batchItemFailures.map((f) => f.itemIdentifier));
    expect(b.deferredItems).toEqual(b.batchItemFailures.map((f) => f.itemIdentifier));
    expect(a.posted + a.batchItemFailures.length).toBe(40);
    expect(b.posted + b.batchItemFailures.length).toBe(40);
    expect(firstRound).toBeLessThan(40);
    for (let i = 0; i < 40; i += 1) {
      expect(repliesNaming(slack.posts, `a-${i}`)).toBe(1);
      expect(repliesNaming(slack.posts, `b-${i}`)).toBe(1);
    }
    expect(Math.min(...gapsOf(slack.posts))).toBeGreaterThanOrEqual(40 - TIMER_SLACK_MS);
  }, 15_000);

  it('posts a 200-alarm storm split over two invocations with every alarm once, under the channel limit', async () => {
    // Scaled down 100x so the test runs in seconds: the limit is 100 posts/s, one slot every 11 ms.
    const slack = recordingSlack();

    const results = await Promise.all([
      postQueuedAlarmNotifications(queuedAlarms('s', 100), deps(slack.client, 11)),
      postQueuedAlarmNotifications(queuedAlarms('t', 100), deps(slack.client, 11)),
    ]);

    expect(results.map((r) => r.batchItemFailures)).toEqual([[], []]);
    expect(slack.posts).toHaveLength(202);
    for (let i = 0; i < 100; i += 1) {
      expect(repliesNaming(slack.posts, `s-${i}`)).toBe(1);
      expect(repliesNaming(slack.posts, `t-${i}`)).toBe(1);
    }
    expect(maxInWindow(slack.posts, 1000)).toBeLessThanOrEqual(100);
  }, 15_000);
});
