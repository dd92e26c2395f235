import { z } from 'zod';
import type { JsonServiceDefinition } from '../registry';
import { parseInput } from '../validate';
import { type AlarmStore, cloudWatchError, type MuteRule, muteStatus, type StoredAlarm } from './alarm-store';
import { aggregate, isSupportedStat, type MetricSource } from './log-metrics';
import { renderMetricWidget } from './metric-widget-image';

const NS = 'com.amazonaws.cloudwatch';
const MISSING = { namespace: NS, queryCode: 'MissingParameter' } as const;

const Dimension = z.object({ Name: z.string().min(1), Value: z.string() });
const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;

const PutMetricAlarm = z.object({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().optional(),
  Namespace: z.string().min(1),
  MetricName: z.string().min(1),
  Dimensions: z.array(Dimension).default([]),
  Statistic: z.enum(['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount']).optional(),
  ExtendedStatistic: z
    .string()
    .regex(/^p\d{1,2}(\.\d+)?$/)
    .optional(),
  Period: z.number().int().positive(),
  EvaluationPeriods: z.number().int().positive(),
  DatapointsToAlarm: z.number().int().positive().optional(),
  Threshold: z.number(),
  ComparisonOperator: z.enum(COMPARISONS),
  TreatMissingData: z.enum(['breaching', 'notBreaching', 'ignore', 'missing']).optional(),
  Unit: z.string().optional(),
  ActionsEnabled: z.boolean().optional(),
  AlarmActions: z.array(z.string()).optional(),
  OKActions: z.array(z.string()).optional(),
  InsufficientDataActions: z.array(z.string()).optional(),
});

const DescribeAlarms = z.object({
  AlarmNames: z.array(z.string()).optional(),
  AlarmNamePrefix: z.string().optional(),
  StateValue: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).optional(),
  AlarmTypes: z.array(z.enum(['MetricAlarm', 'CompositeAlarm'])).optional(),
  MaxRecords: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().optional(),
});

const GetMetricData = z.object({
  MetricDataQueries: z
    .array(
      z.object({
        Id: z.string().regex(/^[a-z][A-Za-z0-9_]*$/),
        Label: z.string().optional(),
        ReturnData: z.boolean().optional(),
        Expression: z.string().optional(),
        MetricStat: z
          .object({
            Metric: z.object({
              Namespace: z.string(),
              MetricName: z.string(),
              Dimensions: z.array(Dimension).default([]),
            }),
            Period: z.number().int().positive(),
            Stat: z.string(),
            Unit: z.string().optional(),
          })
          .optional(),
      }),
    )
    .min(1)
    .max(500),
  StartTime: z.number(),
  EndTime: z.number(),
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
  NextToken: z.string().optional(),
  MaxDatapoints: z.number().int().positive().optional(),
});

const PutAlarmMuteRule = z.object({
  Name: z.string().min(1).max(255),
  Description: z.string().optional(),
  Rule: z.object({
    Schedule: z.object({ Expression: z.string(), Duration: z.string(), Timezone: z.string().optional() }),
  }),
  MuteTargets: z.object({ AlarmNames: z.array(z.string()).min(1) }),
  StartDate: z.number().optional(),
  ExpireDate: z.number().optional(),
});

const ListAlarmMuteRules = z.object({
  AlarmName: z.string().optional(),
  Statuses: z.array(z.enum(['ACTIVE', 'SCHEDULED', 'EXPIRED'])).optional(),
  MaxRecords: z.number().optional(),
  NextToken: z.string().optional(),
});

const seconds = (ms: number): number => ms / 1000;

function wireAlarm(alarm: StoredAlarm): unknown {
  const d = alarm.definition;
  return {
    ...d,
    AlarmArn: alarm.arn,
    ActionsEnabled: d.ActionsEnabled ?? true,
    AlarmActions: d.AlarmActions ?? [],
    OKActions: d.OKActions ?? [],
    InsufficientDataActions: d.InsufficientDataActions ?? [],
    AlarmConfigurationUpdatedTimestamp: seconds(alarm.configurationUpdatedMs),
    StateValue: alarm.state,
    StateReason: alarm.stateReason,
    StateUpdatedTimestamp: seconds(alarm.stateUpdatedMs),
    StateTransitionedTimestamp: seconds(alarm.stateUpdatedMs),
  };
}

function wireMuteRule(rule: MuteRule, now: number): unknown {
  return {
    Name: rule.name,
    AlarmMuteRuleArn: rule.arn,
    ...(rule.description === undefined ? {} : { Description: rule.description }),
    Rule: { Schedule: { Expression: rule.expression, Duration: rule.duration, Timezone: rule.timezone } },
    MuteTargets: { AlarmNames: rule.alarmNames },
    StartDate: seconds(rule.fromMs),
    ExpireDate: seconds(rule.untilMs),
    Status: muteStatus(rule, now),
    MuteType: 'ONE_TIME',
    LastUpdatedTimestamp: seconds(rule.updatedMs),
  };
}

/** Options of {@link createCloudWatchService}. */
export interface CloudWatchServiceOptions {
  readonly alarms: AlarmStore;
  readonly metrics: MetricSource;
  readonly now?: () => number;
}

/**
 * CloudWatch (awsJson1_0, awsQuery-compatible: `GraniteServiceVersion20100801.*`): metric alarms
 * and their states, metric data and widget images derived from the captured logs, and mute rules.
 */
export function createCloudWatchService(options: CloudWatchServiceOptions): JsonServiceDefinition {
  const { alarms, metrics } = options;
  const now = options.now ?? Date.now;
  const invalid = (message: string) =>
    cloudWatchError('InvalidParameterValueException', 'InvalidParameterValue', message);
  return {
    targetPrefix: 'GraniteServiceVersion20100801',
    jsonVersion: '1.0',
    queryCompatible: true,
    operations: {
      PutMetricAlarm(raw) {
        const input = parseInput(PutMetricAlarm, raw, 'MissingRequiredParameterException', MISSING);
        if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined))
          throw invalid('Exactly one of Statistic and ExtendedStatistic must be set');
        if ((input.DatapointsToAlarm ?? input.EvaluationPeriods) > input.EvaluationPeriods)
          throw invalid('DatapointsToAlarm must not exceed EvaluationPeriods');
        alarms.putAlarm(input, now());
        return {};
      },
      DescribeAlarms(raw) {
        const input = parseInput(DescribeAlarms, raw, 'MissingRequiredParameterException', MISSING);
        const wantMetric = input.AlarmTypes === undefined || input.AlarmTypes.includes('MetricAlarm');
        const names = input.AlarmNames ? new Set(input.AlarmNames) : undefined;
        const matching = wantMetric
          ? alarms
              .list()
              .filter((a) => !names || names.has(a.definition.AlarmName))
              .filter(
                (a) => !input.AlarmNamePrefix || a.definition.AlarmName.startsWith(input.AlarmNamePrefix),
              )
              .filter((a) => !input.StateValue || a.state === input.StateValue)
          : [];
        const offset = input.NextToken ? Number(input.NextToken) : 0;
        if (!Number.isInteger(offset) || offset < 0) throw invalid('Invalid NextToken');
        const size = input.MaxRecords ?? 50;
        const page = matching.slice(offset, offset + size);
        return {
          MetricAlarms: page.map(wireAlarm),
          CompositeAlarms: [],
          ...(offset + size < matching.length ? { NextToken: String(offset + size) } : {}),
        };
      },
      GetMetricData(raw) {
        const input = parseInput(GetMetricData, raw, 'MissingRequiredParameterException', MISSING);
        const startMs = input.StartTime * 1000;
        const endMs = input.EndTime * 1000;
        if (endMs <= startMs)
          throw invalid('The parameter StartTime must be less than the parameter EndTime.');
        const results = input.MetricDataQueries.filter((q) => q.ReturnData !== false).map((q) => {
          if (q.Expression !== undefined || !q.MetricStat)
            throw invalid(`Query ${q.Id}: metric math expressions are not supported locally`);
          const stat = q.MetricStat;
          if (!isSupportedStat(stat.Stat)) throw invalid(`Query ${q.Id}: unsupported Stat ${stat.Stat}`);
          const metric = {
            namespace: stat.Metric.Namespace,
            metricName: stat.Metric.MetricName,
            dimensions: stat.Metric.Dimensions.map((d) => ({ name: d.Name, value: d.Value })),
          };
          const points = aggregate(
            metrics.samples(metric, startMs, endMs) ?? [],
            startMs,
            endMs,
            stat.Period,
            stat.Stat,
          );
          if (input.ScanBy !== 'TimestampAscending') points.reverse();
          return {
            Id: q.Id,
            Label: q.Label ?? stat.Metric.MetricName,
            Timestamps: points.map((p) => seconds(p.timestamp)),
            Values: points.map((p) => p.value),
            StatusCode: 'Complete',
          };
        });
        return { MetricDataResults: results, Messages: [] };
      },
      GetMetricWidgetImage(raw) {
        const input = parseInput(
          z.object({ MetricWidget: z.string(), OutputFormat: z.string().optional() }),
          raw,
          'MissingRequiredParameterException',
          MISSING,
        );
        if (input.OutputFormat !== undefined && input.OutputFormat !== 'png')
          throw invalid(`Only the png OutputFormat is supported locally, got ${input.OutputFormat}`);
        return {
          MetricWidgetImage: renderMetricWidget(input.MetricWidget, metrics, now()).toString('base64'),
        };
      },
      PutAlarmMuteRule(raw) {
        const input = parseInput(PutAlarmMuteRule, raw, 'MissingRequiredParameterException', MISSING);
        const schedule = input.Rule.Schedule;
        alarms.putMuteRule({
          name: input.Name,
          description: input.Description,
          expression: schedule.Expression,
          duration: schedule.Duration,
          timezone: schedule.Timezone,
          alarmNames: input.MuteTargets.AlarmNames,
          startDate: input.StartDate === undefined ? undefined : input.StartDate * 1000,
          expireDate: input.ExpireDate === undefined ? undefined : input.ExpireDate * 1000,
          now: now(),
        });
        return {};
      },
      DeleteAlarmMuteRule(raw) {
        const input = parseInput(
          z.object({ AlarmMuteRuleName: z.string().min(1) }),
          raw,
          'MissingRequiredParameterException',
          MISSING,
        );
        alarms.deleteMuteRule(input.AlarmMuteRuleName);
        return {};
      },
      GetAlarmMuteRule(raw) {
        const input = parseInput(
          z.object({ AlarmMuteRuleName: z.string().min(1) }),
          raw,
          'MissingRequiredParameterException',
          MISSING,
        );
        const rule = alarms.muteRule(input.AlarmMuteRuleName);
        if (!rule)
          throw cloudWatchError(
            'ResourceNotFoundException',
            'ResourceNotFoundException',
            `Mute rule ${input.AlarmMuteRuleName} does not exist`,
            404,
          );
        return wireMuteRule(rule, now());
      },
      ListAlarmMuteRules(raw) {
        const input = parseInput(ListAlarmMuteRules, raw, 'MissingRequiredParameterException', MISSING);
        const t = now();
        const rules = alarms
          .muteRules()
          .filter((r) => !input.AlarmName || r.alarmNames.includes(input.AlarmName))
          .filter((r) => !input.Statuses || input.Statuses.includes(muteStatus(r, t)));
        return { AlarmMuteRuleSummaries: rules.map((r) => wireMuteRule(r, t)) };
      },
    },
  };
}
