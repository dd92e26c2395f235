import {
  type AlarmCondition,
  type AlarmEvent,
  type AlarmLogLine,
  alarmNameFromArn,
  parseAlarmTime,
  parseArn,
} from './alarm-event';
import { dimensionsOf, functionsOf, logGroupsOf, type Result } from './alarm-functions';
import { LOG_LINE_FIELDS, type SnsAlarmMessage } from './alarm-message-schemas';

/** Region names as pre-2019 notifications spell them (`Region`), for the ARN they do not carry. */
const REGION_CODES: Readonly<Record<string, string>> = {
  'US East (N. Virginia)': 'us-east-1',
  'US East (Ohio)': 'us-east-2',
  'US West (N. California)': 'us-west-1',
  'US West (Oregon)': 'us-west-2',
  'EU (Ireland)': 'eu-west-1',
  'EU (London)': 'eu-west-2',
  'EU (Paris)': 'eu-west-3',
  'EU (Frankfurt)': 'eu-central-1',
  'EU (Stockholm)': 'eu-north-1',
  'Asia Pacific (Tokyo)': 'ap-northeast-1',
  'Asia Pacific (Seoul)': 'ap-northeast-2',
  'Asia Pacific (Singapore)': 'ap-southeast-1',
  'Asia Pacific (Sydney)': 'ap-southeast-2',
  'Asia Pacific (Mumbai)': 'ap-south-1',
  'Canada (Central)': 'ca-central-1',
  'South America (Sao Paulo)': 'sa-east-1',
};

/**
 * The ARN of an alarm whose notification predates `AlarmArn` (2019): the topic's region (same
 * region as the alarm, SNS actions cannot cross regions), else the region name's code.
 */
function rebuiltAlarmArn(message: SnsAlarmMessage, topicArn: string | undefined): string | undefined {
  const region =
    (topicArn ? parseArn(topicArn)?.region : undefined) ||
    (message.Region
      ? (REGION_CODES[message.Region] ??
        (/^[a-z]{2}(-[a-z]+)+-\d$/.test(message.Region) ? message.Region : undefined))
      : undefined);
  if (!region) return undefined;
  return `arn:aws:cloudwatch:${region}:${message.AWSAccountId}:alarm:${message.AlarmName}`;
}

function carriedLogLines(message: SnsAlarmMessage): AlarmLogLine[] {
  for (const field of LOG_LINE_FIELDS) {
    const lines = message[field];
    if (!lines) continue;
    return lines.map((line) => {
      if (typeof line === 'string') return { message: line };
      const ts =
        typeof line.timestamp === 'number'
          ? new Date(line.timestamp)
          : line.timestamp
            ? parseAlarmTime(line.timestamp)
            : undefined;
      const logGroup = line.logGroup ?? line.logGroupName;
      return {
        message: line.message,
        ...(ts && !Number.isNaN(ts.getTime()) ? { timestamp: ts } : {}),
        ...(logGroup ? { logGroup } : {}),
      };
    });
  }
  return [];
}

function conditionOfSns(message: SnsAlarmMessage): AlarmCondition {
  const t = message.Trigger;
  if (!t) {
    if (message.AlarmRule !== undefined) {
      return {
        kind: 'composite',
        rule: message.AlarmRule,
        triggeringChildren: (message.TriggeringChildren ?? []).map((c) => ({
          arn: c.Arn,
          name: alarmNameFromArn(c.Arn),
          state: c.State.Value,
          ...(c.State.Timestamp ? { timestamp: parseAlarmTime(c.State.Timestamp) } : {}),
        })),
      };
    }
    return { kind: 'unknown' };
  }
  const common = {
    ...(t.Threshold !== undefined ? { threshold: t.Threshold } : {}),
    ...(t.ComparisonOperator ? { comparison: t.ComparisonOperator } : {}),
    ...(t.DatapointsToAlarm != null ? { datapointsToAlarm: t.DatapointsToAlarm } : {}),
  };
  const logQuery = t.ScheduledQueryConfiguration;
  const query = t.QueryString ?? logQuery?.QueryString;
  const logGroups = t.LogGroupIdentifiers ?? logQuery?.LogGroupIdentifiers;
  if (query !== undefined || logGroups !== undefined) {
    return {
      kind: 'log',
      ...(query !== undefined ? { query } : {}),
      logGroups: logGroups ?? [],
      ...common,
      ...(t.QueryResultsToEvaluate !== undefined ? { evaluationPeriods: t.QueryResultsToEvaluate } : {}),
      ...(t.QueryResultsToAlarm !== undefined ? { datapointsToAlarm: t.QueryResultsToAlarm } : {}),
    };
  }
  if (t.Metrics && t.Metrics.length > 0) {
    return {
      kind: 'math',
      queries: t.Metrics.map((m) => ({
        id: m.Id,
        ...(m.Expression ? { expression: m.Expression } : {}),
        ...(m.Label ? { label: m.Label } : {}),
        returnData: m.ReturnData ?? false,
        ...(m.MetricStat
          ? {
              metric: {
                namespace: m.MetricStat.Metric.Namespace,
                metricName: m.MetricStat.Metric.MetricName,
                dimensions: m.MetricStat.Metric.Dimensions,
                stat: m.MetricStat.Stat,
                period: m.MetricStat.Period,
              },
            }
          : {}),
      })),
      ...(t.Period !== undefined ? { period: t.Period } : {}),
      ...(t.EvaluationPeriods !== undefined ? { evaluationPeriods: t.EvaluationPeriods } : {}),
      ...(t.ThresholdMetricId ? { thresholdMetricId: t.ThresholdMetricId } : {}),
      ...common,
    };
  }
  if (t.MetricName && t.Namespace) {
    return {
      kind: 'metric',
      namespace: t.Namespace,
      metricName: t.MetricName,
      stat: t.ExtendedStatistic ?? t.Statistic ?? 'unknown',
      dimensions: t.Dimensions ?? [],
      period: t.Period ?? 60,
      evaluationPeriods: t.EvaluationPeriods ?? 1,
      ...common,
      ...(t.Unit ? { unit: t.Unit } : {}),
      ...(t.TreatMissingData
        ? { treatMissingData: t.TreatMissingData.replace(/^-\s*TreatMissingData:\s*/, '') }
        : {}),
    };
  }
  return { kind: 'unknown' };
}

/** The classic alarm message as an {@link AlarmEvent}; `topicArn` is the SNS topic it came through. */
export function fromSnsMessage(message: SnsAlarmMessage, topicArn: string | undefined): Result<AlarmEvent> {
  const alarmArn = message.AlarmArn ?? rebuiltAlarmArn(message, topicArn);
  if (!alarmArn) return { ok: false, error: 'Message.AlarmArn: missing, and the region is unknown' };
  const arn = parseArn(alarmArn);
  if (!arn) return { ok: false, error: 'Message.AlarmArn: not an ARN' };
  const at = parseAlarmTime(message.StateChangeTime);
  if (!at)
    return {
      ok: false,
      error: `Message.StateChangeTime: unparseable time ${JSON.stringify(message.StateChangeTime)}`,
    };
  const condition = conditionOfSns(message);
  const logLines = carriedLogLines(message);
  return {
    ok: true,
    value: {
      name: message.AlarmName,
      arn: alarmArn,
      accountId: message.AWSAccountId,
      region: arn.region,
      ...(message.AlarmDescription ? { description: message.AlarmDescription } : {}),
      newState: message.NewStateValue,
      ...(message.OldStateValue ? { oldState: message.OldStateValue } : {}),
      reason: message.NewStateReason,
      stateChangeTime: at,
      condition,
      logLines,
      functions: functionsOf(dimensionsOf(condition), logGroupsOf(condition, logLines)),
      via: 'sns',
      ...(topicArn ? { topicArn } : {}),
    },
  };
}
