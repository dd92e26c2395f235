import {
  type CloudWatchClient,
  DeleteAlarmMuteRuleCommand,
  GetMetricWidgetImageCommand,
  PutAlarmMuteRuleCommand,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmEvent, MetricQuery } from '../commands/alarms/alarm-event';
import { alarmWindow } from '../commands/alarms/investigate-query';
import type { AlarmControl } from '../commands/alarms/ports';
import { GumshoeError } from '../commands/errors';

/** A CloudWatch alarm call failed; `userMessage` is safe for Slack. */
export class CloudWatchAlarmsError extends GumshoeError {
  override readonly name = 'CloudWatchAlarmsError';
}

const STATS: Record<string, string> = {
  SUM: 'Sum',
  AVERAGE: 'Average',
  MINIMUM: 'Minimum',
  MAXIMUM: 'Maximum',
  SAMPLE_COUNT: 'SampleCount',
  SAMPLECOUNT: 'SampleCount',
};

/** SNS spells statistics in capitals (`SUM`); metric widgets want `Sum`. Percentiles pass through. */
export function widgetStat(stat: string): string {
  return STATS[stat.toUpperCase()] ?? stat;
}

function metricRow(
  namespace: string,
  metricName: string,
  dimensions: readonly { name: string; value: string }[],
  options: Record<string, unknown>,
): unknown[] {
  return [namespace, metricName, ...dimensions.flatMap((d) => [d.name, d.value]), options];
}

function mathRows(queries: readonly MetricQuery[]): unknown[] {
  return queries.map((q) =>
    q.metric
      ? metricRow(q.metric.namespace, q.metric.metricName, q.metric.dimensions, {
          id: q.id,
          stat: widgetStat(q.metric.stat),
          period: q.metric.period,
          visible: q.returnData,
        })
      : [{ expression: q.expression ?? '', id: q.id, label: q.label ?? q.id, visible: q.returnData }],
  );
}

/**
 * The GetMetricWidgetImage JSON for a metric or metric-math alarm over its window, with the
 * threshold drawn; undefined for composite, log and unknown alarms (nothing to plot).
 */
export function buildAlarmWidget(alarm: AlarmEvent): string | undefined {
  const c = alarm.condition;
  if (c.kind !== 'metric' && c.kind !== 'math') return undefined;
  const window = alarmWindow(alarm);
  // Show a little before the evaluated periods so the crossing is visible.
  const start = new Date(window.start.getTime() - 15 * 60 * 1000);
  const metrics =
    c.kind === 'metric'
      ? [metricRow(c.namespace, c.metricName, c.dimensions, { stat: widgetStat(c.stat), period: c.period })]
      : mathRows(c.queries);
  const threshold = c.threshold;
  return JSON.stringify({
    title: alarm.name,
    view: 'timeSeries',
    width: 600,
    height: 300,
    start: start.toISOString(),
    end: window.end.toISOString(),
    ...(c.period ? { period: c.period } : {}),
    metrics,
    ...(threshold !== undefined
      ? { annotations: { horizontal: [{ label: 'threshold', value: threshold, color: '#D72B3F' }] } }
      : {}),
  });
}

/** The name of the one-time mute rule for an alarm: stable, so unmute finds it. */
export function muteRuleName(alarmName: string): string {
  const safe = alarmName.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `gumshoe-mute-${safe}`.slice(0, 255);
}

/** `at(yyyy-MM-ddThh:mm)` in UTC: the minute the one-time mute starts. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 16)})`;
}

/** ISO 8601 duration in whole minutes (at least PT1M, as PutAlarmMuteRule requires). */
export function isoMinutes(durationMs: number): string {
  return `PT${Math.max(1, Math.round(durationMs / 60_000))}M`;
}

/** {@link AlarmControl} over the CloudWatch API. */
export class CloudWatchAlarmControl implements AlarmControl {
  constructor(private readonly client: CloudWatchClient) {}

  async metricImage(alarm: AlarmEvent): Promise<Uint8Array | undefined> {
    const widget = buildAlarmWidget(alarm);
    if (!widget) return undefined;
    try {
      const out = await this.client.send(
        new GetMetricWidgetImageCommand({ MetricWidget: widget, OutputFormat: 'png' }),
      );
      return out.MetricWidgetImage && out.MetricWidgetImage.length > 0 ? out.MetricWidgetImage : undefined;
    } catch (error) {
      throw new CloudWatchAlarmsError(
        `GetMetricWidgetImage for ${alarm.name} failed`,
        'The alarm graph is not available.',
        {
          cause: error,
        },
      );
    }
  }

  async mute(alarmName: string, now: Date, durationMs: number): Promise<void> {
    try {
      await this.client.send(
        new PutAlarmMuteRuleCommand({
          Name: muteRuleName(alarmName),
          Description: `Muted from Slack by Gumshoe for ${isoMinutes(durationMs)}`,
          Rule: {
            Schedule: { Expression: atExpression(now), Duration: isoMinutes(durationMs), Timezone: 'UTC' },
          },
          MuteTargets: { AlarmNames: [alarmName] },
        }),
      );
    } catch (error) {
      throw new CloudWatchAlarmsError(
        `PutAlarmMuteRule for ${alarmName} failed`,
        'CloudWatch refused the mute; check Gumshoe has cloudwatch:PutAlarmMuteRule on the alarm.',
        { cause: error },
      );
    }
  }

  async unmute(alarmName: string): Promise<void> {
    try {
      await this.client.send(new DeleteAlarmMuteRuleCommand({ AlarmMuteRuleName: muteRuleName(alarmName) }));
    } catch (error) {
      // Already gone (expired or deleted by hand) is what we wanted.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return;
      throw new CloudWatchAlarmsError(
        `DeleteAlarmMuteRule for ${alarmName} failed`,
        'CloudWatch refused the unmute.',
        {
          cause: error,
        },
      );
    }
  }
}
