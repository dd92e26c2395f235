import { type Block, escapeMrkdwn, mrkdwn, type SlackMessage, truncate } from '../slack/block-kit';
import type { AlarmStateValue, ParsedNotification } from './alarm-event';
import { AlarmStateStyles } from './alarm-format';
import { type AlarmMessage, buildNotificationMessage } from './alarm-view';
import type { AlarmViewOptions } from './alarm-view-options';
import type { StormEntry } from './ports';

/** How a batch of notifications is posted. */
export interface StormPlanOptions extends AlarmViewOptions {
  /** From this many notifications on, one summary plus thread replies (default 4). */
  readonly stormThreshold?: number;
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

// Short lines (state and name; account and region are in each thread reply), so more alarms fit.
function summaryLine(n: ParsedNotification): string {
  if (n.kind === 'subscription') return `:link: subscription confirmation for ${escapeMrkdwn(n.topicArn)}`;
  if (n.kind === 'unparsed')
    return `:warning: unrecognised notification${n.subject ? `: ${escapeMrkdwn(truncate(n.subject, 80))}` : ''}`;
  return `${AlarmStateStyles[n.alarm.newState].emoji} *${escapeMrkdwn(truncate(n.alarm.name, 120))}*`;
}

/** The summary line of one notification, with what the counts and the order need. */
export function stormEntryOf(n: ParsedNotification, key: string): StormEntry {
  return {
    key,
    severity: severityOf(n),
    state: n.kind === 'alarm' ? n.alarm.newState : 'unrecognised',
    line: summaryLine(n),
  };
}

// A section's text holds 3000 characters, and a message's blocks about 11,000 in all (block-kit.ts):
// the lines that fit are listed, the rest counted (each one still gets its thread reply).
const SECTION_CHARS = 2900;
const LIST_CHARS = 10_000;

/**
 * The storm summary: counts by state, then every alarm by name, most severe first, in as many
 * sections as Slack allows; redrawn with chat.update as later batches join the storm.
 */
export function buildStormSummary(
  entries: readonly StormEntry[],
  options: { mentionHere?: boolean },
): SlackMessage {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.state, (counts.get(e.state) ?? 0) + 1);
  const countText = ['ALARM', 'INSUFFICIENT_DATA', 'OK', 'unrecognised']
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${k}`)
    .join(', ');
  const ordered = [...entries].sort((a, b) => a.severity - b.severity);
  const sections: string[][] = [[]];
  let size = 0;
  let listed = 0;
  let total = 0;
  for (const e of ordered) {
    if (total + e.line.length + 1 > LIST_CHARS) break;
    total += e.line.length + 1;
    if (size + e.line.length + 1 > SECTION_CHARS) {
      sections.push([]);
      size = 0;
    }
    sections.at(-1)?.push(e.line);
    size += e.line.length + 1;
    listed += 1;
  }
  const rest = entries.length - listed;
  if (rest > 0) sections.at(-1)?.push(`… and ${rest} more, each in this thread`);
  const firing = (counts.get('ALARM') ?? 0) > 0;
  const here = options.mentionHere === true && firing ? '<!here> ' : '';
  const blocks: Block[] = [
    {
      type: 'section',
      text: mrkdwn(
        `${here}${firing ? ':rotating_light:' : ':bell:'} *${entries.length} alarm notifications* — ${countText}`,
      ),
    },
    ...sections.map(
      (lines): Block => ({ type: 'section', text: mrkdwn(lines.join('\n') || 'No notifications.') }),
    ),
    {
      type: 'context',
      elements: [mrkdwn('Each one follows in this thread; this list grows as alarms arrive.')],
    },
  ];
  return {
    text: `${here}${firing ? '🚨' : '🔔'} ${entries.length} alarm notifications: ${countText}`,
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
      message: buildStormSummary(
        notifications.map((n, i) => stormEntryOf(n, String(i))),
        options,
      ),
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
