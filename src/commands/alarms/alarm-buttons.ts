import * as z from 'zod';
import { type Block, type ButtonElement, plain, truncate } from '../slack/block-kit';
import type { TimeWindow } from '../time-window';
import { xrayTraceConsoleUrl } from '../xray/waterfall-view';
import { type AlarmEvent, alarmNameFromArn } from './alarm-event';
import { alarmConsoleUrl, logsInsightsConsoleUrl } from './alarm-links';
import type { AlarmViewOptions } from './alarm-view-options';
import { type InvestigateTarget, investigateQueryForAlarm } from './investigate-query';

/** The action ids of the alarm message's buttons, for the edge's listeners. */
export const AlarmActionIds = {
  investigate: 'alarm_investigate',
  openTrace: 'xray_open',
  findTraces: 'alarm_traces',
  acknowledge: 'alarm_ack',
  snooze: 'alarm_snooze',
  unsnooze: 'alarm_unsnooze',
  /** Opens the confirmation dialog; the dialog's submission creates the mute rule. */
  mute: 'alarm_mute',
  unmute: 'alarm_unmute',
  console: 'alarm_console',
  logsInsights: 'alarm_logs_insights',
} as const;

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

/** The alarm message's buttons: investigate, trace, acknowledge, snooze, mute, console links. */
export function alarmActionsBlock(
  alarm: AlarmEvent,
  options: AlarmViewOptions,
  window: TimeWindow,
  status: { readonly muted: boolean; readonly snoozed: boolean },
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
      text: plain(
        truncate(`Open X-Ray trace${options.traceFunction ? ` (${options.traceFunction})` : ''}`, 75),
      ),
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
    status.snoozed
      ? { type: 'button', action_id: AlarmActionIds.unsnooze, text: plain('End snooze'), value }
      : { type: 'button', action_id: AlarmActionIds.snooze, text: plain('Snooze in Slack 1 h'), value },
    status.muted
      ? { type: 'button', action_id: AlarmActionIds.unmute, text: plain('Unmute alarm actions'), value }
      : {
          type: 'button',
          action_id: AlarmActionIds.mute,
          text: plain('Mute alarm actions…'),
          value,
          confirm: {
            title: plain('Mute every action of this alarm?'),
            text: plain(
              'This creates a CloudWatch mute rule for 1 hour: the alarm sends no notification to anyone — pager, e-mail and this channel included. To silence only Gumshoe, use Snooze in Slack.',
            ),
            confirm: plain('Mute for 1 h'),
            deny: plain('Cancel'),
            style: 'danger',
          },
        },
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
