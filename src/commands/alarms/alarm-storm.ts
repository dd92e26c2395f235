import { type Block, escapeMrkdwn, mrkdwn, type SlackMessage, truncate } from '../slack/block-kit';
import type { AlarmStateValue, ParsedNotification } from './alarm-event';
import { AlarmStateStyles } from './alarm-format';
import { type AlarmMessage, buildNotificationMessage } from './alarm-view';
import type { AlarmViewOptions } from './alarm-view-options';

/** How a batch of notifications is posted. */
export interface StormPlanOptions extends AlarmViewOptions {
  /** From this many notifications on, one summary plus thread replies (default 4). */
  readonly stormThreshold?: number;
  /** Alarms listed by name in the summary (default 40); the rest are counted. */
  readonly maxSummaryLines?: number;
}

/** One planned chat.postMessage (the pacer decides when). */
export type PlannedPost =
  | {
      readonly kind: 'summary';
      readonly message: SlackMessage;
      readonly notificationIndexes: number[];
    }
  | {
      readonly kind: 'notification';
      readonly notificationIndex: number;
      /** `summary`: reply in the thread of the summary posted earlier in this plan. */
      readonly thread: 'none' | 'summary';
      readonly message: AlarmMessage;
    };

/** The posts to make, in order. */
export interface PostPlan {
  readonly storm: boolean;
  readonly posts: PlannedPost[];
}

const SEVERITY: Record<AlarmStateValue | 'unparsed', number> = {
  ALARM: 0,
  INSUFFICIENT_DATA: 1,
  OK: 2,
  unparsed: 3,
};

function severityOf(n: ParsedNotification): number {
  return SEVERITY[n.kind === 'alarm' ? n.alarm.newState : 'unparsed'];
}

function summaryLine(n: ParsedNotification, aliases: Readonly<Record<string, string>> | undefined): string {
  if (n.kind === 'subscription') return `:link: subscription confirmation for ${escapeMrkdwn(n.topicArn)}`;
  if (n.kind === 'unparsed')
    return `:warning: unrecognised notification${n.subject ? `: ${escapeMrkdwn(truncate(n.subject, 80))}` : ''}`;
  const a = n.alarm;
  const account = aliases?.[a.accountId] ?? a.accountId;
  return `${AlarmStateStyles[a.newState].emoji} *${escapeMrkdwn(truncate(a.name, 120))}* · ${escapeMrkdwn(account)} · ${escapeMrkdwn(a.region)}`;
}

/** The storm summary: counts by state and the alarms by name, most severe first, within Slack's limits. */
export function buildStormSummary(
  notifications: readonly ParsedNotification[],
  options: {
    accountAliases?: Readonly<Record<string, string>>;
    maxSummaryLines?: number;
    mentionHere?: boolean;
  },
): SlackMessage {
  const counts = new Map<string, number>();
  for (const n of notifications) {
    const key = n.kind === 'alarm' ? n.alarm.newState : 'unrecognised';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const countText = ['ALARM', 'INSUFFICIENT_DATA', 'OK', 'unrecognised']
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${k}`)
    .join(', ');
  const ordered = [...notifications].sort((a, b) => severityOf(a) - severityOf(b));
  const max = options.maxSummaryLines ?? 40;
  const lines: string[] = [];
  let size = 0;
  for (const n of ordered.slice(0, max)) {
    const line = summaryLine(n, options.accountAliases);
    // Leave room in the 3000-character section for the "and N more" line.
    if (size + line.length + 1 > 2900) break;
    lines.push(line);
    size += line.length + 1;
  }
  const rest = notifications.length - lines.length;
  const firing = (counts.get('ALARM') ?? 0) > 0;
  const here = options.mentionHere === true && firing ? '<!here> ' : '';
  const blocks: Block[] = [
    {
      type: 'section',
      text: mrkdwn(
        `${here}${firing ? ':rotating_light:' : ':bell:'} *${notifications.length} alarm notifications* — ${countText}`,
      ),
    },
    {
      type: 'section',
      text: mrkdwn(lines.join('\n') + (rest > 0 ? `\n… and ${rest} more` : '') || 'No notifications.'),
    },
    { type: 'context', elements: [mrkdwn('Each one follows in this thread.')] },
  ];
  return {
    text: `${here}${firing ? '🚨' : '🔔'} ${notifications.length} alarm notifications: ${countText}`,
    blocks,
  };
}

/**
 * Plans the posts for a batch of notifications. Few: one top-level message each. Many: one
 * summary and a thread reply per notification. Every notification appears; the pacer spaces them,
 * because replies count against the channel's limit too.
 */
export function planAlarmPosts(
  notifications: readonly ParsedNotification[],
  options: StormPlanOptions,
): PostPlan {
  const threshold = options.stormThreshold ?? 4;
  const indexed = notifications
    .map((n, i) => ({ n, i }))
    .sort((a, b) => severityOf(a.n) - severityOf(b.n) || a.i - b.i);
  const storm = notifications.length >= threshold;
  const posts: PlannedPost[] = [];
  if (storm) {
    posts.push({
      kind: 'summary',
      message: buildStormSummary(notifications, options),
      notificationIndexes: indexed.map((x) => x.i),
    });
  }
  // Inside a storm only the summary may mention the channel.
  const itemOptions: AlarmViewOptions = storm ? { ...options, mentionHere: false } : options;
  for (const { n, i } of indexed) {
    posts.push({
      kind: 'notification',
      notificationIndex: i,
      thread: storm ? 'summary' : 'none',
      message: buildNotificationMessage(n, itemOptions),
    });
  }
  return { storm, posts };
}
