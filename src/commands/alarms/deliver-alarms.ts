import type { AlarmEnrichment } from './alarm-enrichment';
import type { AlarmEvent, ParsedNotification } from './alarm-event';
import { changeKeyOf } from './alarm-message';
import { createPostPacer, PostSlotTooLateError } from './alarm-pacer';
import {
  type AlarmPostingContext,
  type DeliveryItem,
  followUp,
  postNew,
  type UncertainSink,
  updateParent,
} from './alarm-posts';
import type { AlarmViewSettings } from './alarm-record-view';
import { postStorm, stormIsOpen } from './alarm-storm-posts';
import { decideAlarmPost } from './alarm-thread';
import type {
  AlarmChat,
  AlarmLog,
  AlarmRecord,
  AlarmStateStore,
  AlarmTimer,
  IncomingNotification,
  UncertainPost,
} from './ports';

/** What {@link deliverAlarms} needs; the Lambda handler builds it once per invocation. */
export interface AlarmDeliveryDeps {
  readonly store: AlarmStateStore;
  readonly chat: AlarmChat;
  readonly timer: AlarmTimer;
  readonly log: AlarmLog;
  readonly channelId: string;
  readonly settings: AlarmViewSettings & { readonly stormThreshold: number; readonly postIntervalMs: number };
  /** The alarm's graph as PNG; absent or failing means no graph. */
  readonly metricImage?: (alarm: AlarmEvent) => Promise<Uint8Array | undefined>;
  /** The first error lines of the alarm's functions; absent or failing means none. */
  readonly enrich?: (alarm: AlarmEvent) => Promise<AlarmEnrichment>;
  /** How long one best-effort fetch may take (default 8 s). */
  readonly enrichTimeoutMs?: number;
  /** How long a claim protects an invocation that may still post (default 5 min). */
  readonly claimLeaseMs?: number;
  /** Time kept back at the end of the invocation (default 5 s). */
  readonly safetyMs?: number;
  /** How long after its last batch a storm still takes new alarms into its summary (default 2 min). */
  readonly stormWindowMs?: number;
}

/** Why a record goes back to the queue: it decides how soon it comes back. */
export type ReturnReason = 'deferred' | 'held' | 'failed';

/** The one result contract of the alarm path. */
export interface DeliveryResult {
  readonly posted: number;
  readonly replied: number;
  readonly skipped: number;
  readonly storm: boolean;
  /** Records not delivered in this invocation; only these come back. */
  readonly failures: readonly { readonly itemIdentifier: string; readonly reason: ReturnReason }[];
}

/** The key a delivery is claimed under: the state change itself, so two deliveries of one change are one. */
export function deliveryKeyOf(n: ParsedNotification): string | undefined {
  return n.kind === 'alarm' ? changeKeyOf(n.alarm) : n.messageId;
}

function changeTime(n: ParsedNotification): number {
  return n.kind === 'alarm' ? n.alarm.stateChangeTime.getTime() : 0;
}

interface Claimed extends DeliveryItem {
  readonly itemIdentifiers: string[];
}

/**
 * Delivers a batch of notifications to the channel, each state change exactly once: its key is
 * claimed before posting, marked done after Slack and the state save succeeded, and given back
 * (noting a post whose outcome Slack left unknown) when they failed. Never throws for a record:
 * every one not delivered is named in `failures` with the reason.
 */
export async function deliverAlarms(
  incoming: readonly IncomingNotification[],
  deps: AlarmDeliveryDeps,
): Promise<DeliveryResult> {
  const safetyMs = deps.safetyMs ?? 5000;
  const leaseMs = deps.claimLeaseMs ?? 5 * 60 * 1000;
  const now = () => new Date(deps.timer.nowMs());
  const ctx: AlarmPostingContext = {
    ...deps,
    enrichTimeoutMs: deps.enrichTimeoutMs ?? 8000,
    paced: createPostPacer({
      store: deps.store,
      intervalMs: deps.settings.postIntervalMs,
      timer: deps.timer,
      safetyMs,
    }),
  };
  const returned = new Map<string, ReturnReason>();
  /** Hands every record of `key` back to the queue (a record already handed back keeps its reason). */
  const give = (key: string, reason: ReturnReason) => {
    for (const item of incoming)
      if (deliveryKeyOf(item.notification) === key && !returned.has(item.itemIdentifier))
        returned.set(item.itemIdentifier, reason);
  };
  const pending = new Set<string>();
  const uncertainPosts = new Map<string, UncertainPost>();
  const uncertain: UncertainSink = (key, where) => uncertainPosts.set(key, where);
  const counts = { posted: 0, replied: 0, skipped: 0 };
  let storm = false;

  for (const { notification: n } of incoming)
    if (n.kind === 'unparsed')
      deps.log('warn', 'alarm notification not understood', { error: n.error, messageId: n.messageId });

  const finish = async (key: string) => {
    await deps.store.completeMessage(key, now());
    pending.delete(key);
  };
  const orDefer = async (item: Claimed, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      if (!(error instanceof PostSlotTooLateError)) throw error;
      give(item.key, 'deferred');
    }
  };

  try {
    // Claim first: a redelivery, or the same change under another message id, stops here.
    const work: Claimed[] = [];
    const byKey = new Map<string, Claimed>();
    for (const { notification: n, itemIdentifier } of incoming) {
      const key = deliveryKeyOf(n) ?? `item:${itemIdentifier}`;
      const same = byKey.get(key);
      if (same) {
        same.itemIdentifiers.push(itemIdentifier);
        counts.skipped += 1;
        continue;
      }
      const claim = await deps.store.claimMessage(key, now(), leaseMs);
      if (claim.status === 'done') counts.skipped += 1;
      else if (claim.status === 'in-progress') returned.set(itemIdentifier, 'held');
      else {
        pending.add(key);
        const item: Claimed = {
          n,
          key,
          itemIdentifiers: [itemIdentifier],
          ...(claim.uncertain ? { uncertain: claim.uncertain } : {}),
        };
        byKey.set(key, item);
        work.push(item);
      }
    }

    // New conversations and follow-ups; a second change of one alarm in the same batch waits its turn.
    const fresh: { item: Claimed; prev: AlarmRecord | undefined }[] = [];
    const followUps: Claimed[] = [];
    const seen = new Set<string>();
    for (const item of [...work].sort((a, b) => changeTime(a.n) - changeTime(b.n))) {
      if (item.n.kind !== 'alarm') {
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
      const decision = decideAlarmPost(prev?.state, item.n.alarm, item.n.messageId, now());
      if (decision.action === 'post-new') fresh.push({ item, prev });
      else if (decision.action === 'reply-and-update' || decision.action === 'note-late')
        followUps.push(item);
      else {
        // An earlier attempt posted and saved but died before marking done: draw the parent again (idempotent).
        if (decision.reason === 'duplicate' && prev) await updateParent(ctx, prev);
        counts.skipped += 1;
        await finish(item.key);
      }
    }

    const roomLeft = () => deps.timer.remainingMs() >= safetyMs + deps.settings.postIntervalMs;
    // While a storm is open in the channel, a later batch joins its summary even when small.
    storm =
      fresh.length >= deps.settings.stormThreshold ||
      (fresh.length > 0 && (await stormIsOpen(ctx, new Set(fresh.map((f) => f.item.key)))));
    if (storm) {
      const hooks = {
        stormThreshold: deps.settings.stormThreshold,
        stormWindowMs: deps.stormWindowMs ?? 120_000,
        finish,
        give,
        uncertain,
      };
      counts.posted += await postStorm(ctx, fresh, hooks, deps.settings.postIntervalMs);
    } else {
      for (const { item, prev } of fresh) {
        if (!roomLeft()) {
          give(item.key, 'deferred');
          continue;
        }
        await orDefer(item, async () => {
          await postNew(ctx, item, prev, uncertain);
          counts.posted += 1;
          await finish(item.key);
        });
      }
    }
    for (const item of followUps) {
      if (item.n.kind !== 'alarm') continue;
      if (!roomLeft()) {
        give(item.key, 'deferred');
        continue;
      }
      const alarmItem = item as Claimed & { n: Extract<ParsedNotification, { kind: 'alarm' }> };
      await orDefer(item, async () => {
        const outcome = await followUp(ctx, alarmItem, uncertain);
        counts[outcome === 'replied' ? 'replied' : outcome === 'posted' ? 'posted' : 'skipped'] += 1;
        await finish(item.key);
      });
    }
  } catch (error) {
    deps.log('error', 'delivering alarm notifications failed; the rest comes back from the queue', {
      error,
      ...counts,
    });
    for (const key of pending) give(key, 'failed');
  }
  // Give back every claim not done, noting where a post of unknown outcome went.
  for (const key of pending) {
    await deps.store
      .releaseMessage(key, uncertainPosts.get(key))
      .catch((releaseError: unknown) =>
        deps.log('error', 'could not release an alarm delivery claim', { key, error: releaseError }),
      );
  }
  const failures = incoming.flatMap((item) => {
    const reason = returned.get(item.itemIdentifier);
    return reason ? [{ itemIdentifier: item.itemIdentifier, reason }] : [];
  });
  if (failures.length > 0) deps.log('warn', 'alarm notifications returned to the queue', { failures });
  return { ...counts, storm, failures };
}
