import { PostSlotTooLateError } from './alarm-pacer';
import { type AlarmPostingContext, type DeliveryItem, postOnce, type UncertainSink } from './alarm-posts';
import { buildStormSummary, planAlarmPosts, stormEntryOf } from './alarm-storm';
import { startAlarmThread } from './alarm-thread';
import { type AlarmRecord, AlarmStateConflictError, type StormRecord } from './ports';

/** What the use case lends {@link postStorm}: settling and handing back keys. */
export interface StormHooks {
  readonly stormThreshold: number;
  /** How long after its last batch a storm still takes new alarms into its summary. */
  readonly stormWindowMs: number;
  readonly finish: (key: string) => Promise<void>;
  readonly give: (key: string, reason: 'deferred') => void;
  readonly uncertain: UncertainSink;
}

/** Attempts of an optimistic storm update before giving up (each lost round means another batch joined). */
const STORM_ATTEMPTS = 10;

/**
 * Whether a batch belongs to the channel's storm: one still taking alarms, or one that already
 * lists an alarm of the batch (handed back when its invocation ran out of time, so it comes back
 * after the storm closed: it still replies in that storm's thread, under the summary naming it).
 */
function belongsTo(
  storm: StormRecord | undefined,
  keys: ReadonlySet<string>,
  nowMs: number,
): storm is StormRecord {
  return storm !== undefined && (storm.openUntil > nowMs || storm.entries.some((e) => keys.has(e.key)));
}

/** Whether the batch joins the channel's storm: then even one new alarm is posted in its thread. */
export async function stormIsOpen(ctx: AlarmPostingContext, keys: ReadonlySet<string>): Promise<boolean> {
  return belongsTo(await ctx.store.getStorm(ctx.channelId), keys, ctx.timer.nowMs());
}

/** Adds this batch's alarms to the channel's open storm, or opens a new one; `created` says which. */
async function joinStorm(
  ctx: AlarmPostingContext,
  fresh: readonly { item: DeliveryItem }[],
  windowMs: number,
): Promise<{ storm: StormRecord; created: boolean; grew: boolean }> {
  const entries = fresh.map(({ item }) => stormEntryOf(item.n, item.key));
  const keys = new Set(entries.map((e) => e.key));
  for (let attempt = 0; attempt < STORM_ATTEMPTS; attempt += 1) {
    const now = ctx.timer.nowMs();
    const current = await ctx.store.getStorm(ctx.channelId);
    const open = belongsTo(current, keys, now);
    const known = new Set(open ? current.entries.map((e) => e.key) : []);
    const added = entries.filter((e) => !known.has(e.key));
    const next: StormRecord = {
      channelId: ctx.channelId,
      ...(open && current.ts ? { ts: current.ts } : {}),
      openUntil: now + windowMs,
      entries: [...(open ? current.entries : []), ...added],
    };
    try {
      const storm = await ctx.store.saveStorm(next, current?.version);
      return { storm, created: !open, grew: added.length > 0 };
    } catch (error) {
      if (!(error instanceof AlarmStateConflictError)) throw error;
    }
  }
  throw new AlarmStateConflictError(`storm#${ctx.channelId}`);
}

/** Records the summary's ts on the storm (other batches may have joined meanwhile). */
async function recordSummaryTs(ctx: AlarmPostingContext, ts: string): Promise<void> {
  for (let attempt = 0; attempt < STORM_ATTEMPTS; attempt += 1) {
    const current = await ctx.store.getStorm(ctx.channelId);
    if (!current) return;
    try {
      await ctx.store.saveStorm({ ...current, ts }, current.version);
      return;
    } catch (error) {
      if (!(error instanceof AlarmStateConflictError)) throw error;
    }
  }
}

/**
 * Draws the summary with every alarm the storm holds. A batch that joined meanwhile may have drawn
 * an older list after ours: so after each draw, read again and redraw while the storm has grown.
 */
async function redrawSummary(ctx: AlarmPostingContext, drawnVersion: number | undefined): Promise<void> {
  let drawn = drawnVersion;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await ctx.store.getStorm(ctx.channelId);
    if (!current?.ts || current.version === drawn) return;
    // chat.update has its own rate tier (about 50 a minute): one or two per batch stays far below it.
    await ctx.chat.update({ channel: ctx.channelId, ts: current.ts }, buildStormSummary(current.entries, {}));
    drawn = current.version;
  }
}

/** The summary's ts once the batch that opened the storm has posted it (polled at the post interval). */
async function summaryTs(ctx: AlarmPostingContext, intervalMs: number): Promise<string | undefined> {
  while (ctx.timer.remainingMs() > 2 * intervalMs + 5000) {
    const storm = await ctx.store.getStorm(ctx.channelId);
    if (storm?.ts) return storm.ts;
    await ctx.timer.sleep(intervalMs);
  }
  return undefined;
}

/**
 * A storm: one summary per channel naming every alarm, posted by the batch that opens it and
 * updated by each batch that joins while it is open, so the whole storm is visible after one post
 * and one update per batch; then each alarm a reply in its thread at the channel's pace, cut at the
 * deadline (the cut ones come back from the queue). Returns how many alarms were posted.
 */
export async function postStorm(
  ctx: AlarmPostingContext,
  fresh: readonly { item: DeliveryItem; prev: AlarmRecord | undefined }[],
  hooks: StormHooks,
  intervalMs: number,
): Promise<number> {
  const { storm, created, grew } = await joinStorm(ctx, fresh, hooks.stormWindowMs);
  let threadTs: string | undefined;
  if (created) {
    const message = buildStormSummary(storm.entries, { mentionHere: ctx.settings.mentionHere });
    // A summary past the deadline is simply not posted: the pacer then refuses every reply too.
    threadTs = await ctx
      .paced(ctx.channelId, () => ctx.chat.post({ channel: ctx.channelId }, message))
      .then(
        (res) => res.ts,
        (error: unknown) => {
          if (!(error instanceof PostSlotTooLateError)) throw error;
          return undefined;
        },
      );
    if (threadTs) await recordSummaryTs(ctx, threadTs);
    if (threadTs) await redrawSummary(ctx, storm.version);
  } else {
    threadTs = storm.ts ?? (await summaryTs(ctx, intervalMs));
    // Alarms handed back and delivered again are already named: the summary stays as it is.
    if (threadTs && grew) await redrawSummary(ctx, undefined);
  }
  if (!threadTs) {
    for (const { item } of fresh) hooks.give(item.key, 'deferred');
    return 0;
  }
  const plan = planAlarmPosts(
    fresh.map((f) => f.item.n),
    {
      now: new Date(ctx.timer.nowMs()),
      accountAliases: ctx.settings.accountAliases,
      mentionHere: ctx.settings.mentionHere,
      stormThreshold: 1,
    },
  );
  let posted = 0;
  for (const post of plan.posts) {
    if (post.kind === 'summary') continue;
    const entry = fresh[post.notificationIndex];
    if (!entry) continue;
    try {
      const res = await postOnce(
        ctx,
        entry.item,
        { channel: ctx.channelId, threadTs },
        post.message,
        hooks.uncertain,
      );
      const n = entry.item.n;
      if (n.kind === 'alarm') {
        // The alarm's own reply is its conversation: later changes reply to it and update it.
        await ctx.store.save(
          { state: startAlarmThread(n.alarm, n.messageId, res), alarm: n.alarm },
          entry.prev?.version,
        );
      }
      posted += 1;
      await hooks.finish(entry.item.key);
    } catch (error) {
      if (!(error instanceof PostSlotTooLateError)) throw error;
      hooks.give(entry.item.key, 'deferred');
    }
  }
  return posted;
}
