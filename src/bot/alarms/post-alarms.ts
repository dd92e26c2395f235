import type { WebClient } from '@slack/web-api';
import type { AlarmRecord, AlarmStateStore } from '../../aws/alarm-state-store';
import type { AlarmEvent, ParsedNotification } from '../../commands/alarms/alarm-event';
import { parseAlarmNotifications } from '../../commands/alarms/alarm-event';
import type { QueuedNotification } from '../../commands/alarms/alarm-queue';
import { planAlarmPosts, splitPlanByDeadline } from '../../commands/alarms/alarm-storm';
import { decideAlarmPost, startAlarmThread } from '../../commands/alarms/alarm-thread';
import { type AlarmMessage, buildNotificationMessage } from '../../commands/alarms/alarm-view';
import { GumshoeError } from '../../commands/errors';
import type { SlackMessage } from '../../commands/slack/block-kit';
import { withRateLimitBudget } from '../slack-client';
import { type AlarmViewSettings, renderAlarmRecord, sourcesOf } from './alarm-render';
import { createPostPacer, PostSlotTooLateError } from './post-pacer';

/** What the edge fetched to enrich an alarm message (best effort). */
export interface AlarmEnrichment {
  readonly errorLines: readonly string[];
  readonly traceId?: string;
}

/** What {@link postAlarmNotifications} needs; the Lambda handler builds it once per environment. */
export interface AlarmPostingDeps {
  store: AlarmStateStore;
  client: WebClient;
  channelId: string;
  settings: AlarmViewSettings & { readonly stormThreshold: number; readonly postIntervalMs: number };
  now: () => Date;
  /** Lambda's `context.getRemainingTimeInMillis`. */
  remainingTimeMs: () => number;
  log: (level: 'info' | 'warn' | 'error', message: string, detail: Record<string, unknown>) => void;
  /** The alarm's graph as PNG (GetMetricWidgetImage); absent or failing means no graph. */
  metricImage?: (alarm: AlarmEvent) => Promise<Uint8Array | undefined>;
  /** The first error lines of the alarm's functions; absent or failing means none. */
  enrich?: (alarm: AlarmEvent) => Promise<AlarmEnrichment>;
  /** How long one best-effort fetch may take (default 8 s). */
  enrichTimeoutMs?: number;
  /** How long a message claim protects an invocation that may still post it (default 5 min). */
  claimLeaseMs?: number;
  /** Time kept back at the end of the invocation (default 5 s). */
  safetyMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Epoch ms the shared post slots are counted in (default `Date.now`). */
  clockMs?: () => number;
}

/** What one invocation did. */
export interface AlarmBatchResult {
  readonly posted: number;
  readonly replied: number;
  readonly skipped: number;
  readonly storm: boolean;
}

/**
 * Some notifications could not be posted in this invocation (another invocation holds them, or
 * they did not fit in the time left); thrown after everything else was posted so Lambda retries.
 */
export class AlarmsDeferredError extends GumshoeError {
  override readonly name = 'AlarmsDeferredError';
  constructor(readonly deferredMessageIds: readonly string[]) {
    super(
      `${deferredMessageIds.length} alarm notification(s) deferred to a retry`,
      'Some alarm notifications will be posted shortly.',
    );
  }
}

interface WorkItem {
  readonly n: ParsedNotification;
  readonly source: string | undefined;
  /** Claimed message id, released again if this invocation fails before posting it. */
  readonly claimedId: string | undefined;
}

function messageIdOf(n: ParsedNotification): string | undefined {
  return n.kind === 'alarm' ? n.messageId : n.messageId;
}

function slackArgs(message: SlackMessage | AlarmMessage) {
  const attachments = (message as AlarmMessage).attachments;
  return {
    text: message.text,
    blocks: message.blocks as never,
    ...(attachments ? { attachments: attachments as never } : {}),
  };
}

function hasGraph(alarm: AlarmEvent): boolean {
  return alarm.newState === 'ALARM' && (alarm.condition.kind === 'metric' || alarm.condition.kind === 'math');
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One notification to post, with what it came in. */
interface Incoming {
  readonly n: ParsedNotification;
  readonly source: string | undefined;
}

/** What {@link postBatch} did, without throwing: the edge decides how failures reach Lambda. */
interface BatchOutcome extends AlarmBatchResult {
  /** Message ids claimed by another invocation or cut at the deadline. */
  readonly deferred: readonly string[];
  /** The deferred message ids another invocation holds (it may still post them). */
  readonly held: ReadonlySet<string>;
  /** Message ids posted (or found already posted) in this invocation. */
  readonly settled: ReadonlySet<string>;
  /** The Slack or store failure that stopped the batch, if one did. */
  readonly error?: unknown;
}

/**
 * Posts a batch of alarm notifications (an SNS event or a direct alarm payload) to the channel,
 * each exactly once: a claim on the message id is taken before posting and marked done after
 * Slack and the state save succeeded, released when they failed, so Lambda's retry posts it.
 * A Slack failure (429 included) is rethrown; nothing is swallowed.
 */
export async function postAlarmNotifications(
  event: unknown,
  deps: AlarmPostingDeps,
): Promise<AlarmBatchResult> {
  const notifications = parseAlarmNotifications(event);
  const sources = sourcesOf(event, notifications.length);
  const outcome = await postBatch(
    notifications.map((n, i) => ({ n, source: sources[i] })),
    deps,
  );
  if (outcome.error !== undefined) throw outcome.error;
  if (outcome.deferred.length > 0) throw new AlarmsDeferredError(outcome.deferred);
  return summary(outcome);
}

/** What one SQS-triggered invocation did, with the records Lambda must hand back to the queue. */
export interface QueuedAlarmBatchResult extends AlarmBatchResult {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
  /**
   * The failures only cut for lack of time (not failed, not held by another invocation, which may
   * need minutes): these may come back soon without wasting receives.
   */
  readonly deferredItems: string[];
}

/**
 * Posts the notifications of an SQSEvent (bodies are SNS envelopes or direct alarm payloads) like
 * {@link postAlarmNotifications}, but never throws for a notification: every record not posted
 * (deferred, Slack failure incl. 429, store failure) is named in `batchItemFailures`, so only those
 * return to the queue after the visibility timeout. The exactly-once key stays the SNS MessageId.
 */
export async function postQueuedAlarmNotifications(
  queued: readonly QueuedNotification[],
  deps: AlarmPostingDeps,
): Promise<QueuedAlarmBatchResult> {
  const outcome = await postBatch(
    queued.map((q) => ({ n: q.notification, source: q.source })),
    deps,
  );
  const failed = queued.filter((q) => {
    const id = messageIdOf(q.notification);
    return id === undefined || !outcome.settled.has(id);
  });
  if (failed.length > 0)
    deps.log('warn', 'alarm notifications returned to the queue', {
      items: failed.map((q) => q.itemIdentifier),
    });
  const deferred = new Set(outcome.deferred);
  return {
    ...summary(outcome),
    batchItemFailures: failed.map((q) => ({ itemIdentifier: q.itemIdentifier })),
    deferredItems: failed
      .filter((q) => {
        const id = messageIdOf(q.notification);
        return id !== undefined && deferred.has(id) && !outcome.held.has(id);
      })
      .map((q) => q.itemIdentifier),
  };
}

function summary(outcome: BatchOutcome): AlarmBatchResult {
  return {
    posted: outcome.posted,
    replied: outcome.replied,
    skipped: outcome.skipped,
    storm: outcome.storm,
  };
}

async function postBatch(incoming: readonly Incoming[], deps: AlarmPostingDeps): Promise<BatchOutcome> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const leaseMs = deps.claimLeaseMs ?? 5 * 60 * 1000;
  const safetyMs = deps.safetyMs ?? 5000;
  const budget = { remainingTimeMs: deps.remainingTimeMs, sleep };
  const slack = <T>(call: () => Promise<T>) => withRateLimitBudget(call, budget);

  const deferred: string[] = [];
  // Slack allows about one message per second per channel, thread replies included; the slots are
  // shared with any other alarm invocation running at the same time (the queue's concurrency is 2).
  const pacer = createPostPacer({
    store: deps.store,
    intervalMs: deps.settings.postIntervalMs,
    remainingTimeMs: deps.remainingTimeMs,
    safetyMs,
    sleep,
    ...(deps.clockMs ? { clockMs: deps.clockMs } : {}),
  });
  const paced: PacedCall = (channel, call) => pacer(channel, () => slack(call));
  /** Runs one item's posting; a post slot past the deadline hands the item to a retry instead. */
  const orDefer = async (item: WorkItem, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (error) {
      if (!(error instanceof PostSlotTooLateError)) throw error;
      if (item.claimedId) deferred.push(item.claimedId);
    }
  };

  const pending = new Set<string>();
  const held = new Set<string>();
  const settled = new Set<string>();
  let skipped = 0;
  let posted = 0;
  let replied = 0;
  let storm = false;

  for (const { n } of incoming) {
    if (n.kind === 'unparsed')
      deps.log('warn', 'alarm notification not understood', { error: n.error, messageId: n.messageId });
  }

  const finish = async (id: string | undefined) => {
    if (!id) return;
    await deps.store.completeMessage(id, deps.now());
    pending.delete(id);
    settled.add(id);
  };

  try {
    // Claim first: a redelivered message stops here, before any Slack call.
    const work: WorkItem[] = [];
    for (const { n, source } of incoming) {
      const id = messageIdOf(n);
      if (!id) {
        work.push({ n, source, claimedId: undefined });
        continue;
      }
      const claim = await deps.store.claimMessage(id, deps.now(), leaseMs);
      if (claim === 'done') {
        skipped += 1;
        settled.add(id);
      } else if (claim === 'in-progress') {
        deferred.push(id);
        held.add(id);
      } else {
        pending.add(id);
        work.push({ n, source, claimedId: id });
      }
    }

    // Split into new conversations and follow-ups; a second change of one alarm in the same batch waits its turn.
    const fresh: { item: WorkItem; prev: AlarmRecord | undefined }[] = [];
    const followUps: WorkItem[] = [];
    const seen = new Set<string>();
    const ordered = [...work].sort((a, b) => changeTime(a.n) - changeTime(b.n));
    for (const item of ordered) {
      if (item.n.kind === 'unparsed') {
        fresh.push({ item, prev: undefined });
        continue;
      }
      const arn = item.n.alarm.arn;
      if (seen.has(arn)) {
        followUps.push(item);
        continue;
      }
      seen.add(arn);
      const prev = await deps.store.get(arn);
      const decision = decideAlarmPost(prev?.state, item.n.alarm, item.n.messageId, deps.now());
      if (decision.action === 'post-new') fresh.push({ item, prev });
      else if (decision.action === 'reply-and-update') followUps.push(item);
      else {
        // An earlier attempt posted and saved but died before marking done: draw the parent again (idempotent).
        if (decision.reason === 'duplicate' && prev) await updateParent(prev, deps, slack);
        skipped += 1;
        await finish(item.claimedId);
      }
    }

    storm = fresh.length >= deps.settings.stormThreshold;
    if (storm) {
      posted += await postStorm(fresh, deps, paced, finish, deferred, safetyMs, orDefer);
    } else {
      for (const { item, prev } of fresh) {
        if (deps.remainingTimeMs() < safetyMs + deps.settings.postIntervalMs) {
          if (item.claimedId) deferred.push(item.claimedId);
          continue;
        }
        await orDefer(item, async () => {
          await postNew(item, prev, deps, paced);
          posted += 1;
          await finish(item.claimedId);
        });
      }
    }

    for (const item of followUps) {
      if (item.n.kind !== 'alarm') continue;
      if (deps.remainingTimeMs() < safetyMs + deps.settings.postIntervalMs) {
        if (item.claimedId) deferred.push(item.claimedId);
        continue;
      }
      const alarm = item.n.alarm;
      const messageId = item.n.messageId;
      await orDefer(item, async () => {
        const outcome = await followUp(item, alarm, messageId, deps, paced, slack);
        if (outcome === 'replied') replied += 1;
        else if (outcome === 'posted') posted += 1;
        else skipped += 1;
        await finish(item.claimedId);
      });
    }

    for (const id of deferred)
      if (pending.has(id)) await deps.store.releaseMessage(id).then(() => pending.delete(id));
    if (deferred.length > 0) deps.log('warn', 'alarm notifications deferred to a retry', { deferred });
    return { posted, replied, skipped, storm, deferred, held, settled };
  } catch (error) {
    // Give back every claim not yet done so the retry can post those notifications.
    for (const id of pending) {
      await deps.store.releaseMessage(id).catch((releaseError: unknown) =>
        deps.log('error', 'could not release an alarm message claim', {
          messageId: id,
          error: releaseError,
        }),
      );
    }
    deps.log('error', 'posting alarm notifications failed; Lambda will retry', { error, posted, replied });
    return { posted, replied, skipped, storm, deferred, held, settled, error };
  }
}

function changeTime(n: ParsedNotification): number {
  return n.kind === 'alarm' ? n.alarm.stateChangeTime.getTime() : 0;
}

type SlackCall = <T>(call: () => Promise<T>) => Promise<T>;
/** A Slack post in `channel` at its shared slot (throws PostSlotTooLateError past the deadline). */
type PacedCall = <T>(channel: string, call: () => Promise<T>) => Promise<T>;

async function enrichment(alarm: AlarmEvent, deps: AlarmPostingDeps): Promise<AlarmEnrichment | undefined> {
  if (!deps.enrich || alarm.newState !== 'ALARM') return undefined;
  try {
    return await withTimeout(deps.enrich(alarm), deps.enrichTimeoutMs ?? 8000);
  } catch (error) {
    deps.log('warn', 'first error lines not available', { alarm: alarm.arn, error });
    return undefined;
  }
}

async function uploadGraph(
  alarm: AlarmEvent,
  channel: string,
  threadTs: string,
  deps: AlarmPostingDeps,
): Promise<void> {
  if (!deps.metricImage || !hasGraph(alarm)) return;
  try {
    const image = await withTimeout(deps.metricImage(alarm), deps.enrichTimeoutMs ?? 8000);
    if (!image) return;
    await deps.client.files.uploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      file: Buffer.from(image),
      filename: `${alarm.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.png`,
      title: `${alarm.name} around ${alarm.stateChangeTime.toISOString()}`,
    });
  } catch (error) {
    // The graph is a bonus: the alarm message is already posted.
    deps.log('warn', 'alarm graph not posted', { alarm: alarm.arn, error });
  }
}

async function postNew(
  item: WorkItem,
  prev: AlarmRecord | undefined,
  deps: AlarmPostingDeps,
  paced: PacedCall,
): Promise<void> {
  const n = item.n;
  const extra = n.kind === 'alarm' ? await enrichment(n.alarm, deps) : undefined;
  const message = buildNotificationMessage(n, {
    now: deps.now(),
    accountAliases: deps.settings.accountAliases,
    mentionHere: deps.settings.mentionHere,
    ...(extra && extra.errorLines.length > 0 ? { errorLines: extra.errorLines } : {}),
    ...(extra?.traceId ? { traceId: extra.traceId } : {}),
  });
  const res = await paced(deps.channelId, () =>
    deps.client.chat.postMessage({ channel: deps.channelId, ...slackArgs(message) }),
  );
  if (n.kind !== 'alarm' || !res.ts) return;
  const channel = res.channel ?? deps.channelId;
  await deps.store.save(
    {
      state: startAlarmThread(n.alarm, n.messageId, { channel, ts: res.ts }),
      ...(item.source ? { source: item.source } : {}),
      ...(extra && extra.errorLines.length > 0 ? { errorLines: extra.errorLines } : {}),
      ...(extra?.traceId ? { traceId: extra.traceId } : {}),
    },
    prev?.version,
  );
  await uploadGraph(n.alarm, channel, res.ts, deps);
}

async function updateParent(record: AlarmRecord, deps: AlarmPostingDeps, slack: SlackCall): Promise<void> {
  const message = renderAlarmRecord(record, deps.now(), deps.settings);
  if (!message) return;
  await slack(() =>
    deps.client.chat.update({ channel: record.state.channel, ts: record.state.ts, ...slackArgs(message) }),
  );
}

/** A later change of an alarm: a reply in its thread, then the parent drawn in the new state. */
async function followUp(
  item: WorkItem,
  alarm: AlarmEvent,
  messageId: string,
  deps: AlarmPostingDeps,
  paced: PacedCall,
  slack: SlackCall,
): Promise<'replied' | 'posted' | 'ignored'> {
  const prev = await deps.store.get(alarm.arn);
  const decision = decideAlarmPost(prev?.state, alarm, messageId, deps.now());
  if (decision.action === 'ignore') return 'ignored';
  if (decision.action === 'post-new') {
    await postNew(item, prev, deps, paced);
    return 'posted';
  }
  const here = decision.notify && deps.settings.mentionHere && alarm.newState === 'ALARM' ? '<!here> ' : '';
  await paced(decision.channel, () =>
    deps.client.chat.postMessage({
      channel: decision.channel,
      thread_ts: decision.threadTs,
      text: `${here}${decision.replyText}`,
    }),
  );
  // Saved before the parent update: if that update fails, the retry sees a duplicate and redraws the parent.
  const saved = await deps.store.save(
    {
      state: decision.next,
      ...(item.source ? { source: item.source } : prev?.source ? { source: prev.source } : {}),
      ...(prev?.errorLines ? { errorLines: prev.errorLines } : {}),
      ...(prev?.traceId ? { traceId: prev.traceId } : {}),
    },
    prev?.version,
  );
  await updateParent(saved, deps, slack);
  if (prev?.state.state !== 'ALARM') await uploadGraph(alarm, decision.channel, decision.threadTs, deps);
  return 'replied';
}

/** Many new alarms at once: one summary, each alarm a reply in its thread, cut at the deadline. */
async function postStorm(
  fresh: readonly { item: WorkItem; prev: AlarmRecord | undefined }[],
  deps: AlarmPostingDeps,
  paced: PacedCall,
  finish: (id: string | undefined) => Promise<void>,
  deferred: string[],
  safetyMs: number,
  orDefer: (item: WorkItem, run: () => Promise<void>) => Promise<void>,
): Promise<number> {
  const plan = planAlarmPosts(
    fresh.map((f) => f.item.n),
    {
      now: deps.now(),
      accountAliases: deps.settings.accountAliases,
      mentionHere: deps.settings.mentionHere,
      stormThreshold: deps.settings.stormThreshold,
      intervalMs: deps.settings.postIntervalMs,
    },
  );
  const { now, later } = splitPlanByDeadline(plan, deps.remainingTimeMs(), safetyMs);
  for (const post of later) {
    if (post.kind !== 'notification') continue;
    const id = fresh[post.notificationIndex]?.item.claimedId;
    if (id) deferred.push(id);
  }
  let summaryTs: string | undefined;
  let posted = 0;
  for (const post of now) {
    if (post.kind === 'summary') {
      // A summary past the deadline is simply not posted: the pacer then refuses every reply too.
      await paced(deps.channelId, () =>
        deps.client.chat.postMessage({ channel: deps.channelId, ...slackArgs(post.message) }),
      ).then(
        (res) => {
          summaryTs = res.ts;
        },
        (error: unknown) => {
          if (!(error instanceof PostSlotTooLateError)) throw error;
        },
      );
      continue;
    }
    const entry = fresh[post.notificationIndex];
    if (!entry) continue;
    await orDefer(entry.item, async () => {
      const res = await paced(deps.channelId, () =>
        deps.client.chat.postMessage({
          channel: deps.channelId,
          ...(post.thread === 'summary' && summaryTs ? { thread_ts: summaryTs } : {}),
          ...slackArgs(post.message),
        }),
      );
      const n = entry.item.n;
      if (n.kind === 'alarm' && res.ts) {
        // The alarm's own reply is its conversation: later changes reply to it and update it.
        await deps.store.save(
          {
            state: startAlarmThread(n.alarm, n.messageId, {
              channel: res.channel ?? deps.channelId,
              ts: res.ts,
            }),
            ...(entry.item.source ? { source: entry.item.source } : {}),
          },
          entry.prev?.version,
        );
      }
      posted += 1;
      await finish(entry.item.claimedId);
    });
  }
  return posted;
}
