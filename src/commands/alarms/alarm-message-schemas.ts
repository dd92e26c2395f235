import * as z from 'zod';
import { AlarmStateValue } from './alarm-event';

const nullableString = z.string().nullish();

/** A metric dimension in the SNS alarm message: keys are lower-case there. */
const SnsDimension = z.object({ name: z.string(), value: z.string() });

/** Metric-math query in the SNS message (`Trigger.Metrics[]`). */
const SnsMetricQuery = z.object({
  Id: z.string(),
  Expression: z.string().optional(),
  Label: z.string().nullish(),
  ReturnData: z.boolean().optional(),
  MetricStat: z
    .object({
      Metric: z.object({
        MetricName: z.string(),
        Namespace: z.string(),
        Dimensions: z.array(SnsDimension).default([]),
      }),
      Period: z.number(),
      Stat: z.string(),
      Unit: nullableString,
    })
    .optional(),
});

/** Log-based alarms (PutLogAlarm) describe their scheduled query instead of a metric. */
const SnsLogQuery = z.object({
  QueryString: z.string().optional(),
  LogGroupIdentifiers: z.array(z.string()).optional(),
  AggregationExpression: z.string().optional(),
});

const SnsTrigger = z.object({
  MetricName: z.string().optional(),
  Namespace: z.string().optional(),
  StatisticType: z.string().optional(),
  Statistic: z.string().optional(),
  ExtendedStatistic: z.string().optional(),
  Unit: nullableString,
  Dimensions: z.array(SnsDimension).optional(),
  Metrics: z.array(SnsMetricQuery).optional(),
  Period: z.number().optional(),
  EvaluationPeriods: z.number().optional(),
  DatapointsToAlarm: z.number().nullish(),
  ComparisonOperator: z.string().optional(),
  Threshold: z.number().optional(),
  TreatMissingData: nullableString,
  /** Anomaly-detection alarms: the query drawing the band the metric is compared with. */
  ThresholdMetricId: z.string().optional(),
  // Log alarms: the scheduled query, at the trigger or nested (the field name is not yet documented).
  QueryString: z.string().optional(),
  LogGroupIdentifiers: z.array(z.string()).optional(),
  ScheduledQueryConfiguration: SnsLogQuery.optional(),
  QueryResultsToEvaluate: z.number().optional(),
  QueryResultsToAlarm: z.number().optional(),
});

/**
 * A log line carried by a notification. The exact field of CloudWatch log-alarm notifications
 * (ActionLogLineCount > 0) is not documented yet, so we accept strings and `{timestamp, message}` objects.
 */
const CarriedLogLine = z.union([
  z.string(),
  z.object({
    timestamp: z.union([z.number(), z.string()]).optional(),
    message: z.string(),
    logGroup: z.string().optional(),
    logGroupName: z.string().optional(),
  }),
]);

/** The fields that may carry log lines, in the order we look for them. */
export const LOG_LINE_FIELDS = ['LogLines', 'LogEvents', 'logLines', 'logEvents', 'Logs'] as const;

/** The classic alarm message (SNS `Message` parsed): metric, metric math, composite and log alarms. */
export const SnsAlarmMessageSchema = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: nullableString,
  AWSAccountId: z.string(),
  NewStateValue: AlarmStateValue,
  OldStateValue: AlarmStateValue.optional(),
  NewStateReason: z.string().default(''),
  StateChangeTime: z.string(),
  Region: z.string().optional(),
  /** Absent from notifications sent before 2019: the ARN is then rebuilt from name, account and region. */
  AlarmArn: z.string().startsWith('arn:').optional(),
  Trigger: SnsTrigger.optional(),
  AlarmRule: z.string().optional(),
  TriggeringChildren: z
    .array(
      z.object({
        Arn: z.string(),
        State: z.object({ Value: AlarmStateValue, Timestamp: z.string().optional() }),
      }),
    )
    .optional(),
  LogLines: z.array(CarriedLogLine).optional(),
  LogEvents: z.array(CarriedLogLine).optional(),
  logLines: z.array(CarriedLogLine).optional(),
  logEvents: z.array(CarriedLogLine).optional(),
  Logs: z.array(CarriedLogLine).optional(),
});
export type SnsAlarmMessage = z.infer<typeof SnsAlarmMessageSchema>;

/** Metric-math / metric query in the direct alarm-to-Lambda payload. */
const DirectMetricQuery = z.object({
  id: z.string(),
  expression: z.string().optional(),
  label: z.string().optional(),
  returnData: z.boolean().optional(),
  metricStat: z
    .object({
      metric: z.object({
        namespace: z.string(),
        name: z.string(),
        dimensions: z.record(z.string(), z.string()).default({}),
      }),
      period: z.number(),
      stat: z.string(),
      unit: z.string().optional(),
    })
    .optional(),
});

const DirectState = z.object({
  value: AlarmStateValue,
  reason: z.string().default(''),
  reasonData: z.string().optional(),
  timestamp: z.string(),
});

/** The payload CloudWatch sends when an alarm action invokes Lambda directly. */
export const DirectAlarmPayloadSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  alarmArn: z.string().startsWith('arn:'),
  accountId: z.string(),
  time: z.string(),
  region: z.string(),
  alarmData: z.object({
    alarmName: z.string().min(1),
    state: DirectState,
    previousState: DirectState.partial().optional(),
    configuration: z
      .object({
        description: z.string().optional(),
        metrics: z.array(DirectMetricQuery).optional(),
        alarmRule: z.string().optional(),
      })
      .default({}),
  }),
});
export type DirectAlarmPayload = z.infer<typeof DirectAlarmPayloadSchema>;

/** An EventBridge "CloudWatch Alarm State Change" event: `detail` has the direct payload's `alarmData` shape. */
export const AlarmStateChangeEventSchema = z.object({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  id: z.string().optional(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()).min(1),
  detail: DirectAlarmPayloadSchema.shape.alarmData,
});
export type AlarmStateChangeEvent = z.infer<typeof AlarmStateChangeEventSchema>;
