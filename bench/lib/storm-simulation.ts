/**
 * An alarm storm on a simulated clock: the queue and its event source mapping (batch 100, 20 s
 * window, two concurrent invocations of 120 s), the real use case (`deliverAlarms`) and the real
 * Slack adapter (`SlackAlarmChat`, which waits out 429s), in front of a simulated Slack that answers
 * after a latency and enforces Slack's limits with the local Slack's own token buckets. Nothing
 * waits on the wall clock, so every figure is exact and the same on every run.
 */
import { ErrorCode, type WebClient } from '@slack/web-api';
import { parseAlarmEnvelope } from '../../src/bot/alarms/alarm-envelope';
import { SlackAlarmChat } from '../../src/bot/alarms/slack-alarm-chat';
import { type AlarmDeliveryDeps, deliverAlarms } from '../../src/commands/alarms/deliver-alarms';
import type { AlarmStateStore, AlarmTimer, IncomingNotification } from '../../src/commands/alarms/ports';
import { redeliveryDelaySeconds } from '../../src/commands/alarms/redelivery';
import { RateLimiter } from '../../src/local/slack/rate-limiter';
import { ALARM_FUNCTION_TIMEOUT_SECONDS } from '../../src/topology/system';
import { snsAlarmRecord, sqsRecordOf } from '../../test/bot/alarms/slack-helpers';
import { MemoryAlarmStateStore, TestTimer } from '../../test/fakes/alarm-fakes';

const CHANNEL = 'C0ALARMS';
const START = Date.parse('2026-05-01T10:01:00Z');

/** How Slack and AWS are modelled. */
export interface StormWorld {
  readonly alarms: number;
  /** SQS batch size and batching window of the alarm function's event source mapping. */
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  /** Concurrent invocations of the alarm function (the mapping's maximum concurrency). */
  readonly concurrency: number;
  /** Slack's answer time per call: uniform in [min, max], from a fixed seed. */
  readonly slackLatencyMs: readonly [number, number];
  /** One DynamoDB round trip. */
  readonly storeLatencyMs: number;
  /** Receives before SQS moves a record to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/** The world of `npm run bench:storm`: the deployed mapping, Slack's documented limits. */
export const DEPLOYED_WORLD: StormWorld = {
  alarms: 200,
  batchSize: 100,
  batchingWindowMs: 20_000,
  concurrency: 2,
  slackLatencyMs: [100, 400],
  storeLatencyMs: 10,
  maxReceiveCount: 5,
};

/** The settings that make a design (everything else is the deployed code). */
export interface StormDesign {
  readonly name: string;
  readonly stormThreshold: number;
  readonly stormWindowMs: number;
  readonly postIntervalMs: number;
  /** GUMSHOE_ALARM_RETRY_DELAY_SECONDS: when a record handed back for lack of time comes back (default 30). */
  readonly deferredDelaySeconds?: number;
}

/** What a user of the channel sees, in seconds after the storm was published. */
export interface StormFigures {
  readonly design: string;
  /** The first message of the storm appears. */
  readonly firstVisibleS: number;
  /** Every alarm is named in the channel (in a summary, its update, or its own message). */
  readonly allNamedS: number | undefined;
  /** The last alarm's own message (reply or top-level post) appears. */
  readonly lastAlarmS: number;
  readonly topLevelPosts: number;
  readonly threadReplies: number;
  readonly updates: number;
  readonly slack429s: number;
  /** Most chat.postMessage arrivals in any one-second window. */
  readonly maxPostsInASecond: number;
  readonly invocations: number;
  /** Alarms never posted, and alarms posted more than once (both must be 0). */
  readonly lost: number;
  readonly duplicated: number;
}

/** A seeded generator, so the latencies are the same on every run. */
function seededRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

interface SlackEvent {
  readonly at: number;
  readonly kind: 'post' | 'update';
  readonly threadTs?: string;
  readonly ts: string;
  /** The delivery key an alarm's own post carries in its metadata (summaries carry none). */
  readonly key?: string;
  readonly content: string;
}

/** The slice of Slack's Web API the alarm adapter calls, on the simulated clock, with Slack's limits. */
function simulatedSlack(timer: TestTimer, world: StormWorld) {
  // chat.postMessage: one per second per channel (short bursts "not guaranteed": none allowed here);
  // chat.update: Tier 3, 50+ a minute with bursts (docs.slack.dev/apis/web-api/rate-limits).
  const limiter = new RateLimiter(() => timer.nowMs());
  limiter.set('chat.postMessage', { perSecond: 1, burst: 1 });
  limiter.set('chat.update', { perSecond: 50 / 60, burst: 5 });
  const random = seededRandom(42);
  const [low, high] = world.slackLatencyMs;
  const events: SlackEvent[] = [];
  let rejected = 0;
  let seq = 0;
  // Half the latency on the way in (where Slack counts the call), half on the way back.
  const call = async <T>(method: string, channel: string, answer: () => T): Promise<T> => {
    const latency = low + random() * (high - low);
    await timer.sleep(latency / 2);
    const retryAfter = limiter.take(method, channel);
    const result = retryAfter === 0 ? answer() : undefined;
    await timer.sleep(latency / 2);
    if (retryAfter > 0) {
      rejected += 1;
      throw Object.assign(new Error(`${method} rate limited`), {
        code: ErrorCode.RateLimitedError,
        retryAfter,
      });
    }
    return result as T;
  };
  type Args = {
    channel: string;
    thread_ts?: string;
    ts?: string;
    text?: string;
    blocks?: unknown;
    metadata?: { event_payload?: { key?: string } };
  };
  const client = {
    chat: {
      postMessage: (args: Args) =>
        call('chat.postMessage', args.channel, () => {
          seq += 1;
          const ts = `${Math.floor(timer.nowMs() / 1000)}.${String(seq).padStart(6, '0')}`;
          events.push({
            at: timer.nowMs(),
            kind: 'post',
            ts,
            ...(args.thread_ts ? { threadTs: args.thread_ts } : {}),
            ...(args.metadata?.event_payload?.key ? { key: args.metadata.event_payload.key } : {}),
            content: JSON.stringify([args.text, args.blocks]),
          });
          return { ok: true, channel: args.channel, ts };
        }),
      update: (args: Args) =>
        call('chat.update', args.channel, () => {
          events.push({
            at: timer.nowMs(),
            kind: 'update',
            ts: args.ts ?? '',
            content: JSON.stringify([args.text, args.blocks]),
          });
          return { ok: true };
        }),
    },
  };
  return { client: client as unknown as WebClient, events, rejected: () => rejected };
}

/** The in-memory table with DynamoDB's round trip on every call. */
function slowStore(timer: TestTimer, latencyMs: number): AlarmStateStore {
  const store = new MemoryAlarmStateStore();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await timer.sleep(latencyMs);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** The name of storm alarm `i`: the metric-alarm fixture's, numbered. */
export function alarmName(i: number): string {
  return `save-session-errors-${String(i).padStart(3, '0')}`;
}

interface Queued {
  item: IncomingNotification;
  visibleAt: number;
  receiveCount: number;
  inFlight: boolean;
}

/** Publishes the storm at once and runs the mapping until every alarm is delivered; returns what Slack saw. */
export async function simulateStorm(design: StormDesign, world: StormWorld): Promise<StormFigures> {
  const timer = new TestTimer(START);
  const slack = simulatedSlack(timer, world);
  const store = slowStore(timer, world.storeLatencyMs);
  const records = Array.from({ length: world.alarms }, (_, i) =>
    sqsRecordOf(snsAlarmRecord(alarmName(i), `m-${i}`), `q-${i}`),
  );
  const queue: Queued[] = parseAlarmEnvelope({ Records: records }).items.map((item) => ({
    item,
    visibleAt: START,
    receiveCount: 0,
    inFlight: false,
  }));
  let invocations = 0;

  const visible = () => queue.filter((q) => !q.inFlight && q.visibleAt <= timer.nowMs());
  const take = (n: number) =>
    visible()
      .slice(0, n)
      .map((q) => {
        q.inFlight = true;
        q.receiveCount += 1;
        return q;
      });

  const invoke = async (batch: Queued[]) => {
    invocations += 1;
    const startedAt = timer.nowMs();
    if (process.env.STORM_BENCH_TRACE)
      console.error(`start at ${((startedAt - START) / 1000).toFixed(1)} with ${batch.length}`);
    const invocationTimer: AlarmTimer = timer.withDeadline(
      timer.nowMs() + ALARM_FUNCTION_TIMEOUT_SECONDS * 1000,
    );
    const deps: AlarmDeliveryDeps = {
      store,
      chat: new SlackAlarmChat(slack.client, invocationTimer),
      timer: invocationTimer,
      log: () => undefined,
      channelId: CHANNEL,
      settings: {
        accountAliases: {},
        mentionHere: false,
        stormThreshold: design.stormThreshold,
        postIntervalMs: design.postIntervalMs,
      },
      stormWindowMs: design.stormWindowMs,
    };
    const result = await deliverAlarms(
      batch.map((q) => ({ ...q.item, receiveCount: q.receiveCount })),
      deps,
    );
    if (process.env.STORM_BENCH_TRACE)
      console.error(
        `invocation at ${((invocationTimer.nowMs() - START) / 1000).toFixed(1)}: ${batch.length} in, ${result.posted} posted, ${result.failures.length} back, storm ${result.storm}`,
      );
    const back = new Map(result.failures.map((f) => [f.itemIdentifier, f.reason]));
    for (const q of batch) {
      const reason = back.get(q.item.itemIdentifier);
      q.inFlight = false;
      if (reason && q.receiveCount < world.maxReceiveCount)
        q.visibleAt =
          timer.nowMs() +
          redeliveryDelaySeconds(reason, q.receiveCount, {
            ...(design.deferredDelaySeconds === undefined
              ? {}
              : { deferredDelaySeconds: design.deferredDelaySeconds }),
          }) *
            1000;
      else queue.splice(queue.indexOf(q), 1); // delivered, or dead-lettered (then counted as lost)
    }
  };

  // One poller per concurrent invocation: receive, fill the batch until full or the window closes, invoke.
  const poller = async () => {
    while (queue.length > 0) {
      const batch = take(world.batchSize);
      if (batch.length === 0) {
        await timer.sleep(1000);
        continue;
      }
      const windowEnd = timer.nowMs() + world.batchingWindowMs;
      while (batch.length < world.batchSize && timer.nowMs() < windowEnd && queue.length > batch.length) {
        await timer.sleep(Math.min(1000, windowEnd - timer.nowMs()));
        batch.push(...take(world.batchSize - batch.length));
      }
      await invoke(batch);
    }
  };
  await Promise.all(Array.from({ length: world.concurrency }, poller));
  return figuresOf(design.name, slack.events, slack.rejected(), invocations, world.alarms);
}

function figuresOf(
  design: string,
  events: readonly SlackEvent[],
  slack429s: number,
  invocations: number,
  alarms: number,
): StormFigures {
  const s = (at: number) => (at - START) / 1000;
  const posts = events.filter((e) => e.kind === 'post');
  let allNamed = 0;
  for (let i = 0; i < alarms; i += 1) {
    // A summary line is `*name*`; an alarm's own message has its name in its text.
    const name = alarmName(i);
    const named = events.find((e) => e.content.includes(`*${name}*`) || e.content.includes(`${name} `));
    allNamed = Math.max(allNamed, named ? named.at : Number.POSITIVE_INFINITY);
  }
  const own = new Map<string, number[]>();
  for (const e of posts) if (e.key) own.set(e.key, [...(own.get(e.key) ?? []), e.at]);
  const lastAlarm = Math.max(...[...own.values()].map((at) => Math.min(...at)));
  const lost = alarms - own.size;
  const duplicated = [...own.values()].filter((at) => at.length > 1).length;
  const times = posts.map((e) => e.at).sort((a, b) => a - b);
  let maxPostsInASecond = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= 1000) j += 1;
    maxPostsInASecond = Math.max(maxPostsInASecond, i - j + 1);
  }
  return {
    design,
    firstVisibleS: s(times[0] ?? START),
    allNamedS: Number.isFinite(allNamed) ? s(allNamed) : undefined,
    lastAlarmS: s(lastAlarm),
    topLevelPosts: posts.filter((e) => !e.threadTs).length,
    threadReplies: posts.filter((e) => e.threadTs).length,
    updates: events.filter((e) => e.kind === 'update').length,
    slack429s,
    maxPostsInASecond,
    invocations,
    lost,
    duplicated,
  };
}
