import * as z from 'zod';
import {
  type Block,
  type ButtonElement,
  codeBlock,
  escapeMrkdwn,
  mrkdwn,
  plain,
  type SlackMessage,
  truncate,
} from '../slack/block-kit';
import type { TimeWindow } from '../time-window';
import { xrayTraceConsoleUrl } from '../xray/waterfall-view';
import {
  type AlarmCondition,
  type AlarmEvent,
  type AlarmStateValue,
  alarmNameFromArn,
  type ParsedNotification,
} from './alarm-event';
import { alarmWindow, type InvestigateTarget, investigateQueryForAlarm } from './investigate';

/** The action ids of the alarm message's buttons, for the edge's listeners. */
export const AlarmActionIds = {
  investigate: 'alarm_investigate',
  openTrace: 'xray_open',
  findTraces: 'alarm_traces',
  acknowledge: 'alarm_ack',
  mute: 'alarm_mute',
  unmute: 'alarm_unmute',
  console: 'alarm_console',
  logsInsights: 'alarm_logs_insights',
} as const;

/** How each state looks: emoji, colour of the attachment bar, label. */
export const AlarmStateStyles = {
  ALARM: { emoji: ':rotating_light:', unicode: '🚨', color: '#D72B3F' },
  OK: { emoji: ':white_check_mark:', unicode: '✅', color: '#2EB67D' },
  INSUFFICIENT_DATA: { emoji: ':grey_question:', unicode: '❔', color: '#9E9E9E' },
} as const satisfies Record<AlarmStateValue, { emoji: string; unicode: string; color: string }>;

/** What an alarm button carries back (≤ 2000 characters): the alarm and its window in epoch seconds. */
export const AlarmButtonValueSchema = z.object({
  arn: z.string().startsWith('arn:'),
  s: z.number().int(),
  e: z.number().int(),
  f: z.array(z.string()).default([]),
  /** For an alarm on slow invocations: traces slower than this many seconds count as affected. */
  d: z.number().positive().optional(),
});
export type AlarmButtonValue = z.infer<typeof AlarmButtonValueSchema>;

/** Encodes a button value, dropping function names until it fits Slack's 2000-character limit. */
export function encodeAlarmButtonValue(
  arn: string,
  window: TimeWindow,
  functions: readonly string[],
  slowerThanSeconds?: number,
): string {
  const base = {
    arn,
    s: Math.floor(window.start.getTime() / 1000),
    e: Math.ceil(window.end.getTime() / 1000),
    ...(slowerThanSeconds !== undefined && slowerThanSeconds > 0 ? { d: slowerThanSeconds } : {}),
  };
  const fs = [...functions];
  let text = JSON.stringify({ ...base, f: fs });
  while (text.length > 2000 && fs.length > 0) {
    fs.pop();
    text = JSON.stringify({ ...base, f: fs });
  }
  return text;
}

/** Parses a button value back; undefined when it is not one of ours. */
export function parseAlarmButtonValue(value: string | undefined): AlarmButtonValue | undefined {
  if (!value) return undefined;
  try {
    const parsed = AlarmButtonValueSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An alarm message: the shared SlackMessage plus one attachment, because Slack paints an
 * attachment's `color` as a bar down its left edge (blocks stay top-level so nothing folds away).
 */
export interface AlarmMessage extends SlackMessage {
  readonly attachments?: readonly {
    readonly color: string;
    readonly fallback: string;
    readonly blocks: Block[];
  }[];
}

/** The Investigate target a button value names (the edge passes it to `investigateAlarm`). */
export function investigateTargetOf(value: AlarmButtonValue): InvestigateTarget {
  return {
    alarmName: alarmNameFromArn(value.arn),
    functions: value.f,
    window: { start: new Date(value.s * 1000), end: new Date(value.e * 1000) },
    ...(value.d !== undefined ? { slowerThanSeconds: value.d } : {}),
  };
}

/**
 * The response time, in seconds, above which a trace is one the alarm is about: for an alarm on
 * Lambda's `Duration` (milliseconds) crossed upwards, its threshold. Undefined for every other alarm.
 */
export function slowTraceThresholdSeconds(alarm: AlarmEvent): number | undefined {
  const c = alarm.condition;
  if (c.kind !== 'metric' || c.namespace !== 'AWS/Lambda' || c.metricName !== 'Duration') return undefined;
  if (c.threshold === undefined || !(c.threshold > 0)) return undefined;
  if (c.comparison !== undefined && !c.comparison.startsWith('GreaterThan')) return undefined;
  return c.threshold / 1000;
}

/** Options of the alarm message; everything not in the alarm itself is passed in (the core does no I/O). */
export interface AlarmViewOptions {
  /** The clock, for "in this state for …". */
  readonly now: Date;
  /** Account id → alias shown at a glance. */
  readonly accountAliases?: Readonly<Record<string, string>>;
  /** Prefix `<!here>` when the alarm fires. */
  readonly mentionHere?: boolean;
  /** When the alarm entered its current state, if earlier than this notification (reminders, updates). */
  readonly stateSince?: Date;
  readonly ack?: { readonly userId: string; readonly at: Date };
  readonly mutedUntil?: Date;
  /** The first error/exception log lines, already fetched by the edge. */
  readonly errorLines?: readonly string[];
  /** A trace known to be affected, for the Open X-Ray trace button. */
  readonly traceId?: string;
}

const COMPARISONS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

/** `60` → `1 min`, `300` → `5 min`, `10` → `10 s`, `3600` → `1 h`, `86400` → `1 day`. */
export function formatPeriod(seconds: number): string {
  if (seconds % 86400 === 0) return seconds === 86400 ? '1 day' : `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** `45 s`, `12 min`, `1 h 05 min`, `2 d 3 h`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** `10:05 UTC` — for lines people read next to Slack's own timestamps. */
export function formatClock(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

function comparisonText(comparison: string | undefined): string {
  return comparison ? (COMPARISONS[comparison] ?? comparison) : 'vs';
}

function datapoints(
  datapointsToAlarm: number | undefined,
  evaluationPeriods: number | undefined,
  unit = 'datapoints',
): string {
  if (evaluationPeriods === undefined) return '';
  return ` (${datapointsToAlarm ?? evaluationPeriods} of ${evaluationPeriods} ${unit})`;
}

function thresholdText(comparison: string | undefined, threshold: number | undefined): string {
  return threshold === undefined ? '' : ` ${comparisonText(comparison)} ${threshold}`;
}

/** One line saying what the alarm compares: `Errors SUM ≥ 1 over 1 min (1 of 1 datapoints)`. */
export function describeCondition(condition: AlarmCondition): string {
  switch (condition.kind) {
    case 'metric':
      return `${condition.metricName} ${condition.stat}${thresholdText(condition.comparison, condition.threshold)} over ${formatPeriod(condition.period)}${datapoints(condition.datapointsToAlarm, condition.evaluationPeriods)}`;
    case 'math': {
      const main =
        condition.queries.find((q) => q.returnData && q.expression) ??
        condition.queries.find((q) => q.returnData);
      const what = main?.expression
        ? `${main.label ?? main.id} = ${main.expression}`
        : (main?.label ?? main?.id ?? 'expression');
      const period = condition.period !== undefined ? ` over ${formatPeriod(condition.period)}` : '';
      return `${what}${thresholdText(condition.comparison, condition.threshold)}${period}${datapoints(condition.datapointsToAlarm, condition.evaluationPeriods)}`;
    }
    case 'composite':
      return `Rule: ${condition.rule}`;
    case 'log':
      return `Log query result${thresholdText(condition.comparison, condition.threshold)}${datapoints(condition.datapointsToAlarm, condition.evaluationPeriods, 'query results')}`;
    case 'unknown':
      return 'Condition not included in the notification';
  }
}

/** The console page of an alarm. */
export function alarmConsoleUrl(region: string, alarmName: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** Encodes one value of the console's Logs Insights `queryDetail` (a JSURL-like format): `%` becomes `*`. */
function insightsValue(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%/g, '*');
}

/** What a Logs Insights console link opens. */
export interface LogsInsightsLink {
  readonly region: string;
  readonly query: string;
  readonly logGroups: readonly string[];
  readonly start: Date;
  readonly end: Date;
}

/**
 * The console deep link that opens Logs Insights with a query, its log groups and an absolute UTC
 * window. The fragment is the console's own format: `queryDetail=~(…)` with `*`-escaped values,
 * URI-encoded once more with `$` in place of `%`.
 */
export function logsInsightsConsoleUrl(link: LogsInsightsLink): string {
  const detail =
    `~(end~'${insightsValue(link.end.toISOString())}~start~'${insightsValue(link.start.toISOString())}` +
    `~timeType~'ABSOLUTE~tz~'UTC~editorString~'${insightsValue(link.query)}` +
    `~source~(${link.logGroups.map((g) => `~'${insightsValue(g)}`).join('')}))`;
  const fragment = `?queryDetail=${detail}`;
  const r = encodeURIComponent(link.region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#logsV2:logs-insights${encodeURIComponent(fragment).replace(/%/g, '$')}`;
}

function slackDate(date: Date): string {
  // Slack renders <!date^…> in the reader's time zone; the fallback is for clients that cannot.
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} {time_secs}|${date.toISOString()}>`;
}

function accountText(alarm: AlarmEvent, aliases: Readonly<Record<string, string>> | undefined): string {
  const alias = aliases?.[alarm.accountId];
  return alias ? `${alias} (${alarm.accountId})` : alarm.accountId;
}

function linesBlocks(title: string, lines: readonly string[]): Block[] {
  const body = lines.map((l) => truncate(l.replace(/\s+$/g, ''), 400)).join('\n');
  return [{ type: 'context', elements: [mrkdwn(`*${title}*`)] }, codeBlock(escapeMrkdwn(body))];
}

/** The one-line summary that also serves as the notification text (escaped: Slack parses `text` as mrkdwn too). */
export function alarmSummaryText(alarm: AlarmEvent, aliases?: Readonly<Record<string, string>>): string {
  const style = AlarmStateStyles[alarm.newState];
  const where = `${aliases?.[alarm.accountId] ?? alarm.accountId} (${alarm.region})`;
  const reason = alarm.reason ? ` — ${truncate(alarm.reason, 300)}` : '';
  return escapeMrkdwn(`${style.unicode} ${alarm.newState}: ${alarm.name} in ${where}${reason}`);
}

/** Builds the alarm message: state, condition, account and region, links, log lines and the buttons. */
export function buildAlarmMessage(alarm: AlarmEvent, options: AlarmViewOptions): AlarmMessage {
  const style = AlarmStateStyles[alarm.newState];
  const since = options.stateSince ?? alarm.stateChangeTime;
  const window = alarmWindow(alarm);
  const name = escapeMrkdwn(alarm.name);
  const account = escapeMrkdwn(accountText(alarm, options.accountAliases));
  const muted = options.mutedUntil !== undefined && options.mutedUntil.getTime() > options.now.getTime();
  const here = options.mentionHere === true && alarm.newState === 'ALARM' && !muted ? '<!here> ' : '';

  const blocks: Block[] = [
    {
      type: 'section',
      block_id: 'alarm_title',
      text: mrkdwn(
        truncate(
          `${here}${style.emoji} *${alarm.newState}* · *${name}*` +
            (alarm.oldState && alarm.oldState !== alarm.newState ? ` (was ${alarm.oldState})` : '') +
            (alarm.description ? `\n${escapeMrkdwn(truncate(alarm.description, 1000))}` : ''),
          3000,
        ),
      ),
    },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `:office: *${account}* · :earth_africa: *${escapeMrkdwn(alarm.region)}* · ${slackDate(alarm.stateChangeTime)} · ` +
            `in ${alarm.newState} for ${formatElapsed(options.now.getTime() - since.getTime())}`,
        ),
      ],
    },
  ];
  if (alarm.reason)
    blocks.push({ type: 'section', text: mrkdwn(`*Reason:* ${escapeMrkdwn(truncate(alarm.reason, 2900))}`) });
  blocks.push(...conditionBlocks(alarm.condition));

  if (options.ack) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `:raised_hand: Acknowledged by <@${escapeMrkdwn(options.ack.userId)}> at ${formatClock(options.ack.at)}`,
        ),
      ],
    });
  }
  if (muted && options.mutedUntil) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(`:no_bell: Muted until ${formatClock(options.mutedUntil)}: no reminders or mentions`),
      ],
    });
  }
  if (options.errorLines && options.errorLines.length > 0)
    blocks.push(...linesBlocks('First errors', options.errorLines.slice(0, 10)));
  if (alarm.logLines.length > 0)
    blocks.push(
      ...linesBlocks(
        'Log lines in the notification',
        alarm.logLines.slice(0, 10).map((l) => l.message),
      ),
    );

  blocks.push(actionsBlock(alarm, options, window, muted));
  const text = `${here}${alarmSummaryText(alarm, options.accountAliases)}`;
  return {
    text,
    blocks,
    attachments: [
      {
        color: style.color,
        fallback: text,
        blocks: [
          {
            type: 'context',
            elements: [mrkdwn(`${style.emoji} ${alarm.newState} · ${escapeMrkdwn(alarm.arn)}`)],
          },
        ],
      },
    ],
  };
}

function conditionBlocks(condition: AlarmCondition): Block[] {
  const main: Block = {
    type: 'section',
    text: mrkdwn(truncate(`*Condition:* ${escapeMrkdwn(describeCondition(condition))}`, 3000)),
  };
  const extra: string[] = [];
  if (condition.kind === 'metric') {
    extra.push(`${escapeMrkdwn(condition.namespace)}`);
    for (const d of condition.dimensions) extra.push(`${escapeMrkdwn(d.name)}=\`${escapeMrkdwn(d.value)}\``);
  } else if (condition.kind === 'math') {
    for (const q of condition.queries) {
      const body =
        q.expression ??
        (q.metric
          ? `${q.metric.namespace} ${q.metric.metricName} ${q.metric.stat} ${q.metric.dimensions.map((d) => `${d.name}=${d.value}`).join(',')}`
          : '');
      extra.push(`\`${escapeMrkdwn(q.id)}\`: ${escapeMrkdwn(truncate(body, 200))}`);
    }
  } else if (condition.kind === 'composite') {
    if (condition.triggeringChildren.length === 0) extra.push('No triggering child alarm reported');
    for (const c of condition.triggeringChildren.slice(0, 10)) {
      extra.push(
        `${AlarmStateStyles[c.state].emoji} ${escapeMrkdwn(c.name)} (${c.state}${c.timestamp ? ` at ${formatClock(c.timestamp)}` : ''})`,
      );
    }
    if (condition.triggeringChildren.length > 10)
      extra.push(`and ${condition.triggeringChildren.length - 10} more`);
  } else if (condition.kind === 'log') {
    if (condition.query)
      extra.push(`\`${escapeMrkdwn(truncate(condition.query.replace(/\s+/g, ' '), 400))}\``);
    for (const g of condition.logGroups.slice(0, 5)) extra.push(escapeMrkdwn(g));
  }
  if (extra.length === 0) return [main];
  return [main, { type: 'context', elements: [mrkdwn(truncate(extra.join(' · '), 3000))] }];
}

function actionsBlock(
  alarm: AlarmEvent,
  options: AlarmViewOptions,
  window: TimeWindow,
  muted: boolean,
): Block {
  const value = encodeAlarmButtonValue(alarm.arn, window, alarm.functions, slowTraceThresholdSeconds(alarm));
  const query = investigateQueryForAlarm(alarm);
  const buttons: ButtonElement[] = [];
  if (query)
    buttons.push({
      type: 'button',
      action_id: AlarmActionIds.investigate,
      text: plain(':mag: Investigate'),
      value,
      style: 'primary',
    });
  if (options.traceId) {
    buttons.push({
      type: 'button',
      action_id: AlarmActionIds.openTrace,
      text: plain('Open X-Ray trace'),
      value: options.traceId,
    });
  } else if (alarm.functions.length > 0) {
    buttons.push({
      type: 'button',
      action_id: AlarmActionIds.findTraces,
      text: plain('Find X-Ray traces'),
      value,
    });
  }
  if (alarm.newState === 'ALARM' && !options.ack) {
    buttons.push({
      type: 'button',
      action_id: AlarmActionIds.acknowledge,
      text: plain('Acknowledge'),
      value,
    });
  }
  buttons.push(
    muted
      ? { type: 'button', action_id: AlarmActionIds.unmute, text: plain('Unmute'), value }
      : { type: 'button', action_id: AlarmActionIds.mute, text: plain('Mute 1 h'), value },
  );
  buttons.push({
    type: 'button',
    action_id: AlarmActionIds.console,
    text: plain('Alarm in console'),
    url: alarmConsoleUrl(alarm.region, alarm.name),
  });
  if (query) {
    const url = logsInsightsConsoleUrl({
      region: alarm.region,
      query: query.queryString,
      logGroups: query.logGroupNames,
      start: query.startTime,
      end: query.endTime,
    });
    // A URL button may hold 3000 characters; with many log groups we leave the link out rather than break the message.
    if (url.length <= 3000)
      buttons.push({
        type: 'button',
        action_id: AlarmActionIds.logsInsights,
        text: plain('Logs Insights'),
        url,
      });
  }
  if (options.traceId) {
    const url = xrayTraceConsoleUrl(alarm.region, options.traceId);
    if (url.length <= 3000)
      buttons.push({
        type: 'button',
        action_id: 'alarm_trace_console',
        text: plain('Trace in console'),
        url,
      });
  }
  return { type: 'actions', block_id: 'alarm_actions', elements: buttons };
}

/** The clearly labelled message for a notification we could not read; the raw text is kept, size-limited. */
export function buildUnparsedMessage(
  notification: Extract<ParsedNotification, { kind: 'unparsed' }>,
): SlackMessage {
  const from = notification.topicArn
    ? (notification.topicArn.split(':').at(-1) ?? notification.topicArn)
    : 'an unknown source';
  const text = `⚠️ Unrecognised notification from ${from}`;
  const subject = notification.subject
    ? `\n*Subject:* ${escapeMrkdwn(truncate(notification.subject, 250))}`
    : '';
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(`:warning: *Unrecognised notification from ${escapeMrkdwn(from)}*${subject}`),
      },
      {
        type: 'context',
        elements: [
          mrkdwn(
            truncate(
              `Not an alarm we can read: ${escapeMrkdwn(notification.error)}` +
                (notification.messageId ? ` · message ${escapeMrkdwn(notification.messageId)}` : ''),
              3000,
            ),
          ),
        ],
      },
      codeBlock(escapeMrkdwn(notification.raw)),
    ],
  };
}

/** The message for any parsed notification: an alarm view or the unrecognised-notification view. */
export function buildNotificationMessage(
  notification: ParsedNotification,
  options: AlarmViewOptions,
): SlackMessage {
  return notification.kind === 'alarm'
    ? buildAlarmMessage(notification.alarm, options)
    : buildUnparsedMessage(notification);
}
