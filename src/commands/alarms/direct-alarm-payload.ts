import * as z from 'zod';
import {
  type AlarmCondition,
  type AlarmEvent,
  AlarmStateValue,
  alarmNameFromArn,
  type MetricQuery,
  parseAlarmTime,
  parseArn,
} from './alarm-event';
import { dimensionsOf, functionsOf, type Result } from './alarm-functions';
import type { AlarmStateChangeEvent, DirectAlarmPayload } from './alarm-message-schemas';

/** Reads the threshold (and, for composites, triggering alarms) out of a direct payload's reasonData JSON. */
const ReasonData = z
  .object({
    threshold: z.number().optional(),
    triggeringAlarms: z
      .array(
        z.object({
          arn: z.string(),
          state: z.object({ value: AlarmStateValue, timestamp: z.string().optional() }),
        }),
      )
      .optional(),
  })
  .partial();

function parseReasonData(text: string | undefined): z.infer<typeof ReasonData> {
  if (!text) return {};
  try {
    const parsed = ReasonData.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** A direct alarm-to-Lambda payload as an {@link AlarmEvent}. */
export function fromDirectPayload(
  payload: DirectAlarmPayload,
  via: AlarmEvent['via'] = 'lambda',
): Result<AlarmEvent> {
  const data = payload.alarmData;
  const at = parseAlarmTime(data.state.timestamp) ?? parseAlarmTime(payload.time);
  if (!at) return { ok: false, error: 'alarmData.state.timestamp: unparseable time' };
  const reasonData = parseReasonData(data.state.reasonData);
  const config = data.configuration;
  let condition: AlarmCondition;
  if (config.alarmRule !== undefined) {
    condition = {
      kind: 'composite',
      rule: config.alarmRule,
      triggeringChildren: (reasonData.triggeringAlarms ?? []).map((c) => ({
        arn: c.arn,
        name: alarmNameFromArn(c.arn),
        state: c.state.value,
        ...(c.state.timestamp ? { timestamp: parseAlarmTime(c.state.timestamp) } : {}),
      })),
    };
  } else {
    const queries: MetricQuery[] = (config.metrics ?? []).map((m) => ({
      id: m.id,
      ...(m.expression ? { expression: m.expression } : {}),
      ...(m.label ? { label: m.label } : {}),
      returnData: m.returnData ?? false,
      ...(m.metricStat
        ? {
            metric: {
              namespace: m.metricStat.metric.namespace,
              metricName: m.metricStat.metric.name,
              dimensions: Object.entries(m.metricStat.metric.dimensions).map(([name, value]) => ({
                name,
                value,
              })),
              stat: m.metricStat.stat,
              period: m.metricStat.period,
            },
          }
        : {}),
    }));
    const single = queries.length === 1 ? queries[0] : undefined;
    if (single?.metric) {
      condition = {
        kind: 'metric',
        namespace: single.metric.namespace,
        metricName: single.metric.metricName,
        stat: single.metric.stat,
        dimensions: single.metric.dimensions,
        period: single.metric.period,
        // The payload names no evaluation periods: claiming "1 of 1 datapoints" would be a guess.
        ...(reasonData.threshold !== undefined ? { threshold: reasonData.threshold } : {}),
      };
    } else if (queries.length > 0) {
      condition = {
        kind: 'math',
        queries,
        ...(reasonData.threshold !== undefined ? { threshold: reasonData.threshold } : {}),
      };
    } else condition = { kind: 'unknown' };
  }
  const arn = parseArn(payload.alarmArn);
  const previous = data.previousState?.value;
  return {
    ok: true,
    value: {
      name: data.alarmName,
      arn: payload.alarmArn,
      accountId: payload.accountId,
      region: arn?.region || payload.region,
      ...(config.description ? { description: config.description } : {}),
      newState: data.state.value,
      ...(previous ? { oldState: previous } : {}),
      reason: data.state.reason,
      stateChangeTime: at,
      condition,
      logLines: [],
      functions: functionsOf(dimensionsOf(condition), []),
      via,
    },
  };
}

/** An EventBridge alarm state change as an {@link AlarmEvent} (its detail is the direct payload's alarmData). */
export function fromStateChangeEvent(event: AlarmStateChangeEvent): Result<AlarmEvent> {
  const alarmArn = event.resources.find((r) => r.includes(':alarm:')) ?? event.resources[0] ?? '';
  return fromDirectPayload(
    {
      source: 'aws.cloudwatch',
      alarmArn,
      accountId: event.account,
      time: event.time,
      region: event.region,
      alarmData: event.detail,
    },
    'eventbridge',
  );
}
