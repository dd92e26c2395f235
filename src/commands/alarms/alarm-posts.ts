import type { AlarmEnrichment } from './alarm-enrichment';
import type { AlarmEvent, ParsedNotification } from './alarm-event';
import type { PostPacer } from './alarm-pacer';
import { type AlarmViewSettings, renderAlarmRecord } from './alarm-record-view';
import { decideAlarmPost, startAlarmThread } from './alarm-thread';
import { buildNotificationMessage } from './alarm-view';
import {
  type AlarmChat,
  AlarmChatError,
  type AlarmLog,
  type AlarmRecord,
  type AlarmStateStore,
  type AlarmTimer,
  ChatFailure,
  type ChatMessage,
  type PostedMessage,
  type UncertainPost,
} from './ports';

/** What posting one alarm needs (built once per invocation by the use case). */
export interface AlarmPostingContext {
  readonly store: AlarmStateStore;
  readonly chat: AlarmChat;
  readonly timer: AlarmTimer;
  readonly log: AlarmLog;
  readonly channelId: string;
  readonly settings: AlarmViewSettings;
  readonly paced: PostPacer;
  readonly metricImage?: (alarm: AlarmEvent) => Promise<Uint8Array | undefined>;
  readonly enrich?: (alarm: AlarmEvent) => Promise<AlarmEnrichment>;
  readonly enrichTimeoutMs: number;
}

/** One notification being delivered under its claimed key. */
export interface DeliveryItem {
  readonly n: ParsedNotification;
  /** The delivery key claimed in the store (the state change, or the message id). */
  readonly key: string;
  /** Set when an earlier attempt's post may have reached Slack. */
  readonly uncertain?: UncertainPost;
}

/** Remembers where a post went when Slack left its outcome unknown, so the claim can say so. */
export type UncertainSink = (key: string, where: UncertainPost) => void;

function hasGraph(alarm: AlarmEvent): boolean {
  return alarm.newState === 'ALARM' && (alarm.condition.kind === 'metric' || alarm.condition.kind === 'math');
}

async function withDeadline<T>(ctx: AlarmPostingContext, work: Promise<T>): Promise<T> {
  // The timer's sleep is the only wait in the alarm path; the loser of the race is simply dropped.
  const timeout = ctx.timer.sleep(ctx.enrichTimeoutMs).then(() => {
    throw new Error(`timed out after ${ctx.enrichTimeoutMs} ms`);
  });
  timeout.catch(() => undefined);
  return Promise.race([work, timeout]);
}

async function enrichment(alarm: AlarmEvent, ctx: AlarmPostingContext): Promise<AlarmEnrichment | undefined> {
  if (!ctx.enrich || alarm.newState !== 'ALARM') return undefined;
  try {
    return await withDeadline(ctx, ctx.enrich(alarm));
  } catch (error) {
    ctx.log('warn', 'first error lines not available', { alarm: alarm.arn, error });
    return undefined;
  }
}

/** Uploads the alarm's graph into its thread; the graph is a bonus, so failures are only logged. */
export async function uploadGraph(
  alarm: AlarmEvent,
  at: PostedMessage,
  ctx: AlarmPostingContext,
): Promise<void> {
  if (!ctx.metricImage || !hasGraph(alarm)) return;
  try {
    const image = await withDeadline(ctx, ctx.metricImage(alarm));
    if (!image) return;
    await ctx.chat.uploadImage(at, image, {
      name: `${alarm.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.png`,
      title: `${alarm.name} around ${alarm.stateChangeTime.toISOString()}`,
    });
  } catch (error) {
    ctx.log('warn', 'alarm graph not posted', { alarm: alarm.arn, error });
  }
}

/**
 * Posts once at the channel's next slot. A retry of a post Slack may already have made (5xx,
 * timeout) first looks for it by its key; a post whose outcome is unknown is reported to `uncertain`.
 */
export async function postOnce(
  ctx: AlarmPostingContext,
  item: DeliveryItem,
  target: { channel: string; threadTs?: string },
  message: ChatMessage,
  uncertain: UncertainSink,
): Promise<PostedMessage> {
  if (item.uncertain) {
    const found = await ctx.chat.findPost(item.key, item.uncertain);
    if (found) {
      ctx.log('info', 'alarm post found from an earlier attempt; not posted again', { key: item.key });
      return found;
    }
  }
  return ctx.paced(target.channel, async () => {
    const since = new Date(ctx.timer.nowMs() - 1000);
    try {
      return await ctx.chat.post(target, message, item.key);
    } catch (error) {
      if (error instanceof AlarmChatError && error.failure === ChatFailure.unknown)
        uncertain(item.key, {
          since,
          channel: target.channel,
          ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        });
      throw error;
    }
  });
}

/** A new conversation: the alarm message at the top of the channel, its state saved, its graph in the thread. */
export async function postNew(
  ctx: AlarmPostingContext,
  item: DeliveryItem,
  prev: AlarmRecord | undefined,
  uncertain: UncertainSink,
  thread?: { threadTs: string },
): Promise<void> {
  const n = item.n;
  const extra = n.kind === 'alarm' ? await enrichment(n.alarm, ctx) : undefined;
  const now = new Date(ctx.timer.nowMs());
  const message = buildNotificationMessage(n, {
    now,
    accountAliases: ctx.settings.accountAliases,
    mentionHere: thread ? false : ctx.settings.mentionHere,
    ...(extra && extra.errorLines.length > 0 ? { errorLines: extra.errorLines } : {}),
    ...(extra?.traceId ? { traceId: extra.traceId } : {}),
    ...(extra?.traceFunction ? { traceFunction: extra.traceFunction } : {}),
  });
  const posted = await postOnce(ctx, item, { channel: ctx.channelId, ...(thread ?? {}) }, message, uncertain);
  if (n.kind !== 'alarm') return;
  await ctx.store.save(
    {
      state: startAlarmThread(n.alarm, n.messageId, posted),
      alarm: n.alarm,
      ...(extra && extra.errorLines.length > 0 ? { errorLines: extra.errorLines } : {}),
      ...(extra?.traceId ? { traceId: extra.traceId } : {}),
      ...(extra?.traceFunction ? { traceFunction: extra.traceFunction } : {}),
    },
    prev?.version,
  );
  if (!thread) await uploadGraph(n.alarm, posted, ctx);
}

/** Draws the conversation's parent again; a parent that is gone is logged, the reply already went out. */
export async function updateParent(ctx: AlarmPostingContext, record: AlarmRecord): Promise<void> {
  const message = renderAlarmRecord(record, new Date(ctx.timer.nowMs()), ctx.settings);
  if (!message) return;
  try {
    await ctx.chat.update(record.state, message);
  } catch (error) {
    if (!(error instanceof AlarmChatError && error.failure === ChatFailure.gone)) throw error;
    ctx.log('warn', 'alarm parent message is gone; not redrawn', {
      alarm: record.state.alarmArn,
      code: error.code,
    });
  }
}

/**
 * A later change of an alarm: a reply in its thread, then the parent drawn in the new state, with
 * the first errors and trace of this incident when it fires again. A thread that is gone (deleted
 * message, archived channel) starts a new conversation instead.
 */
export async function followUp(
  ctx: AlarmPostingContext,
  item: DeliveryItem & { n: Extract<ParsedNotification, { kind: 'alarm' }> },
  uncertain: UncertainSink,
): Promise<'replied' | 'posted' | 'ignored'> {
  const alarm = item.n.alarm;
  const prev = await ctx.store.get(alarm.arn);
  const decision = decideAlarmPost(prev?.state, alarm, item.n.messageId, new Date(ctx.timer.nowMs()));
  if (decision.action === 'ignore') return 'ignored';
  if (decision.action === 'post-new') {
    await postNew(ctx, item, prev, uncertain);
    return 'posted';
  }
  if (decision.action === 'note-late') {
    if (!decision.notify) return 'ignored';
    const where = { channel: decision.channel, threadTs: decision.threadTs };
    try {
      await postOnce(ctx, item, where, { text: decision.replyText }, uncertain);
    } catch (error) {
      if (!(error instanceof AlarmChatError && error.failure === ChatFailure.gone)) throw error;
      // The conversation is gone and the parent shows a newer state: a late change has nowhere to go.
      ctx.log('warn', 'late alarm change not posted: its thread is gone', {
        alarm: alarm.arn,
        code: error.code,
      });
      return 'ignored';
    }
    return 'replied';
  }
  const here = decision.notify && ctx.settings.mentionHere && alarm.newState === 'ALARM' ? '<!here> ' : '';
  // While snoozed, Gumshoe records the change and redraws the parent, but posts nothing.
  if (decision.notify) {
    try {
      const reply = { text: `${here}${decision.replyText}` };
      await postOnce(ctx, item, { channel: decision.channel, threadTs: decision.threadTs }, reply, uncertain);
    } catch (error) {
      if (!(error instanceof AlarmChatError && error.failure === ChatFailure.gone)) throw error;
      ctx.log('warn', 'alarm thread is gone; starting a new conversation', {
        alarm: alarm.arn,
        code: error.code,
      });
      await postNew(ctx, item, prev, uncertain);
      return 'posted';
    }
  }
  const fresh = prev?.state.state !== 'ALARM' && alarm.newState === 'ALARM';
  const extra = fresh ? await enrichment(alarm, ctx) : undefined;
  const keep = fresh
    ? {}
    : {
        ...(prev?.errorLines ? { errorLines: prev.errorLines } : {}),
        ...(prev?.traceId ? { traceId: prev.traceId } : {}),
        ...(prev?.traceFunction ? { traceFunction: prev.traceFunction } : {}),
      };
  // Saved before the parent update: if that update fails, the retry sees a duplicate and redraws the parent.
  const saved = await ctx.store.save(
    {
      state: decision.next,
      alarm,
      ...keep,
      ...(extra && extra.errorLines.length > 0 ? { errorLines: extra.errorLines } : {}),
      ...(extra?.traceId ? { traceId: extra.traceId } : {}),
      ...(extra?.traceFunction ? { traceFunction: extra.traceFunction } : {}),
    },
    prev?.version,
  );
  await updateParent(ctx, saved);
  if (fresh) await uploadGraph(alarm, { channel: decision.channel, ts: decision.threadTs }, ctx);
  return 'replied';
}
