import * as z from 'zod';

/** The three states a CloudWatch alarm can be in. */
export const AlarmStateValue = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
export type AlarmStateValue = z.infer<typeof AlarmStateValue>;

/** One SNS record as Lambda receives it; `Message` is a JSON string we parse separately. */
export const SnsRecordSchema = z.object({
  EventSource: z.string().optional(),
  Sns: z.object({
    Type: z.string().optional(),
    MessageId: z.string(),
    TopicArn: z.string(),
    Subject: z.string().nullish(),
    Message: z.string(),
    Timestamp: z.string().optional(),
  }),
});

/** The Lambda SNSEvent envelope. */
export const SnsEventSchema = z.object({ Records: z.array(SnsRecordSchema).min(1) });

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
const LOG_LINE_FIELDS = ['LogLines', 'LogEvents', 'logLines', 'logEvents', 'Logs'] as const;

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
  AlarmArn: z.string().startsWith('arn:'),
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

/** A metric dimension, normalised. */
export interface Dimension {
  readonly name: string;
  readonly value: string;
}

/** One query of a metric-math alarm: either an expression or a metric with its stat. */
export interface MetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly label?: string;
  readonly returnData: boolean;
  readonly metric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Dimension[];
    readonly stat: string;
    readonly period: number;
  };
}

/** What the alarm watches, by kind. */
export type AlarmCondition =
  | {
      readonly kind: 'metric';
      readonly namespace: string;
      readonly metricName: string;
      readonly stat: string;
      readonly dimensions: Dimension[];
      readonly period: number;
      readonly evaluationPeriods: number;
      readonly datapointsToAlarm?: number;
      readonly threshold?: number;
      readonly comparison?: string;
      readonly unit?: string;
      readonly treatMissingData?: string;
    }
  | {
      readonly kind: 'math';
      readonly queries: MetricQuery[];
      readonly period?: number;
      readonly evaluationPeriods?: number;
      readonly datapointsToAlarm?: number;
      readonly threshold?: number;
      readonly comparison?: string;
    }
  | {
      readonly kind: 'composite';
      readonly rule: string;
      readonly triggeringChildren: TriggeringChild[];
    }
  | {
      readonly kind: 'log';
      readonly query?: string;
      readonly logGroups: string[];
      readonly threshold?: number;
      readonly comparison?: string;
      readonly evaluationPeriods?: number;
      readonly datapointsToAlarm?: number;
    }
  | { readonly kind: 'unknown' };

/** A child alarm that made a composite alarm change state. */
export interface TriggeringChild {
  readonly arn: string;
  readonly name: string;
  readonly state: AlarmStateValue;
  readonly timestamp?: Date;
}

/** A log line carried by the notification itself. */
export interface AlarmLogLine {
  readonly message: string;
  readonly timestamp?: Date;
  readonly logGroup?: string;
}

/** One normalised alarm state change, whatever payload it came in. */
export interface AlarmEvent {
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  /** The region CODE (eu-west-1), taken from the ARN. */
  readonly region: string;
  readonly description?: string;
  readonly newState: AlarmStateValue;
  readonly oldState?: AlarmStateValue;
  readonly reason: string;
  readonly stateChangeTime: Date;
  readonly condition: AlarmCondition;
  readonly logLines: AlarmLogLine[];
  /** Lambda functions the alarm concerns (FunctionName dimensions, /aws/lambda/<fn> log groups). */
  readonly functions: string[];
  readonly via: 'sns' | 'lambda';
  readonly topicArn?: string;
}

/** The outcome of parsing one notification: nothing is dropped, unknown input becomes `unparsed`. */
export type ParsedNotification =
  | { readonly kind: 'alarm'; readonly alarm: AlarmEvent; readonly messageId: string }
  | {
      readonly kind: 'unparsed';
      readonly raw: string;
      readonly error: string;
      readonly messageId?: string;
      readonly topicArn?: string;
      readonly subject?: string;
    };

/** How much of an unrecognised payload we keep for the channel. */
export const UNPARSED_RAW_LIMIT = 2500;

/** Parses `2015-06-03T17:43:27.123+0000` (no colon in the offset, as CloudWatch sends it) and ISO strings. */
export function parseAlarmTime(text: string): Date | undefined {
  const withColon = text.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(withColon);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The region code and account of an ARN such as `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x`. */
export function parseArn(arn: string): { region: string; accountId: string; resource: string } | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { region: parts[3] ?? '', accountId: parts[4] ?? '', resource: parts.slice(5).join(':') };
}

/** The alarm name in an alarm ARN (everything after `:alarm:`). */
export function alarmNameFromArn(arn: string): string {
  const at = arn.indexOf(':alarm:');
  return at >= 0 ? arn.slice(at + ':alarm:'.length) : arn;
}

/** The function name behind a `/aws/lambda/<fn>` log group, if it is one. */
export function functionOfLogGroup(logGroup: string): string | undefined {
  // Log group identifiers may be ARNs: arn:aws:logs:r:a:log-group:/aws/lambda/fn(:*)
  const match = /\/aws\/lambda\/([A-Za-z0-9_-]+)/.exec(logGroup);
  return match?.[1];
}

function describeZodError(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (!issue) return `${prefix}: invalid`;
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${prefix}.${path}: ${issue.message}`;
}

function rawOf(input: unknown): string {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = JSON.stringify(input) ?? String(input);
    } catch {
      text = String(input);
    }
  }
  return text.length > UNPARSED_RAW_LIMIT ? `${text.slice(0, UNPARSED_RAW_LIMIT - 1)}…` : text;
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

function functionsOf(dimensions: Dimension[], logGroups: string[]): string[] {
  const fromDims = dimensions.filter((d) => d.name === 'FunctionName').map((d) => d.value);
  const fromGroups = logGroups.map(functionOfLogGroup).filter((f): f is string => f !== undefined);
  return unique([...fromDims, ...fromGroups]);
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

function dimensionsOf(condition: AlarmCondition): Dimension[] {
  if (condition.kind === 'metric') return condition.dimensions;
  if (condition.kind === 'math') return condition.queries.flatMap((q) => q.metric?.dimensions ?? []);
  return [];
}

function logGroupsOf(condition: AlarmCondition, lines: AlarmLogLine[]): string[] {
  const fromLines = lines.map((l) => l.logGroup).filter((g): g is string => g !== undefined);
  return condition.kind === 'log' ? [...condition.logGroups, ...fromLines] : fromLines;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function fromSnsMessage(message: SnsAlarmMessage, topicArn: string | undefined): Result<AlarmEvent> {
  const arn = parseArn(message.AlarmArn);
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
      arn: message.AlarmArn,
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

function fromDirectPayload(payload: DirectAlarmPayload): Result<AlarmEvent> {
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
        evaluationPeriods: 1,
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
      via: 'lambda',
    },
  };
}

function parseJson(text: string): Result<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the text of an SNS `Message` (or any alarm message object) into a notification. */
function parseMessageBody(
  body: unknown,
  meta: { messageId?: string; topicArn?: string; subject?: string },
  prefix: string,
): ParsedNotification {
  const idOnly = {
    ...(meta.messageId ? { messageId: meta.messageId } : {}),
    ...(meta.topicArn ? { topicArn: meta.topicArn } : {}),
    ...(meta.subject ? { subject: meta.subject } : {}),
  };
  let value: unknown = body;
  if (typeof body === 'string') {
    const json = parseJson(body);
    if (!json.ok) return { kind: 'unparsed', raw: rawOf(body), error: `${prefix}: ${json.error}`, ...idOnly };
    value = json.value;
  }
  if (isObject(value) && value.source === 'aws.cloudwatch') {
    const direct = DirectAlarmPayloadSchema.safeParse(value);
    if (!direct.success)
      return { kind: 'unparsed', raw: rawOf(body), error: describeZodError(direct.error, prefix), ...idOnly };
    const alarm = fromDirectPayload(direct.data);
    if (!alarm.ok)
      return { kind: 'unparsed', raw: rawOf(body), error: `${prefix}.${alarm.error}`, ...idOnly };
    // Direct invocations carry no message id; the alarm ARN plus the state time identifies the change.
    const messageId =
      meta.messageId ?? `${direct.data.alarmArn}@${alarm.value.stateChangeTime.toISOString()}`;
    return { kind: 'alarm', alarm: alarm.value, messageId };
  }
  const message = SnsAlarmMessageSchema.safeParse(value);
  if (!message.success)
    return { kind: 'unparsed', raw: rawOf(body), error: describeZodError(message.error, prefix), ...idOnly };
  const alarm = fromSnsMessage(message.data, meta.topicArn);
  if (!alarm.ok) return { kind: 'unparsed', raw: rawOf(body), error: alarm.error, ...idOnly };
  const messageId = meta.messageId ?? `${message.data.AlarmArn}@${alarm.value.stateChangeTime.toISOString()}`;
  return { kind: 'alarm', alarm: alarm.value, messageId };
}

/**
 * Parses one alarm notification: an SNS record, the `Sns` object of one, a direct alarm-to-Lambda
 * payload, a bare alarm message object or its JSON text. Anything else comes back as `unparsed`.
 */
export function parseAlarmNotification(input: unknown): ParsedNotification {
  if (isObject(input) && isObject(input.Sns)) {
    const record = SnsRecordSchema.safeParse(input);
    if (!record.success)
      return { kind: 'unparsed', raw: rawOf(input), error: describeZodError(record.error, 'Record') };
    const sns = record.data.Sns;
    return parseMessageBody(
      sns.Message,
      { messageId: sns.MessageId, topicArn: sns.TopicArn, ...(sns.Subject ? { subject: sns.Subject } : {}) },
      'Sns.Message',
    );
  }
  if (isObject(input) && typeof input.Message === 'string' && typeof input.MessageId === 'string') {
    const sns = SnsRecordSchema.shape.Sns.safeParse(input);
    if (sns.success) {
      return parseMessageBody(
        sns.data.Message,
        {
          messageId: sns.data.MessageId,
          topicArn: sns.data.TopicArn,
          ...(sns.data.Subject ? { subject: sns.data.Subject } : {}),
        },
        'Sns.Message',
      );
    }
  }
  return parseMessageBody(input, {}, 'Message');
}

/** Parses every record of a Lambda SNSEvent (or a single payload), one result per record, none dropped. */
export function parseAlarmNotifications(event: unknown): ParsedNotification[] {
  if (isObject(event) && Array.isArray(event.Records)) {
    return event.Records.map((record) => parseAlarmNotification(record));
  }
  return [parseAlarmNotification(event)];
}
