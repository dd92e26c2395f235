import { PostSlotTooLateError } from './alarm-pacer';
import { type AlarmPostingContext, type DeliveryItem, postOnce, type UncertainSink } from './alarm-posts';
import { planAlarmPosts } from './alarm-storm';
import { startAlarmThread } from './alarm-thread';
import type { AlarmRecord } from './ports';

/** What the use case lends {@link postStorm}: settling and handing back keys. */
export interface StormHooks {
  readonly stormThreshold: number;
  readonly finish: (key: string) => Promise<void>;
  readonly give: (key: string, reason: 'deferred') => void;
  readonly uncertain: UncertainSink;
}

/**
 * Many new alarms at once: one summary naming them all (the whole storm is visible after one post),
 * then each alarm a reply in its thread at the channel's pace, cut at the deadline. Returns how many
 * alarms were posted.
 */
export async function postStorm(
  ctx: AlarmPostingContext,
  fresh: readonly { item: DeliveryItem; prev: AlarmRecord | undefined }[],
  hooks: StormHooks,
): Promise<number> {
  const plan = planAlarmPosts(
    fresh.map((f) => f.item.n),
    {
      now: new Date(ctx.timer.nowMs()),
      accountAliases: ctx.settings.accountAliases,
      mentionHere: ctx.settings.mentionHere,
      stormThreshold: hooks.stormThreshold,
    },
  );
  let summaryTs: string | undefined;
  let posted = 0;
  for (const post of plan.posts) {
    if (post.kind === 'summary') {
      // A summary past the deadline is simply not posted: the pacer then refuses every reply too.
      await ctx
        .paced(ctx.channelId, () => ctx.chat.post({ channel: ctx.channelId }, post.message))
        .then(
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
    try {
      const target = { channel: ctx.channelId, ...(summaryTs ? { threadTs: summaryTs } : {}) };
      const res = await postOnce(ctx, entry.item, target, post.message, hooks.uncertain);
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
