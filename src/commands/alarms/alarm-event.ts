import * as z from 'zod';

/** The three states a CloudWatch alarm can be in. */
export const AlarmStateValue = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
export type AlarmStateValue = z.infer<typeof AlarmStateValue>;

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
      /** Absent when the payload does not say (direct alarm-to-Lambda actions). */
      readonly evaluationPeriods?: number;
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
      /** Anomaly-detection alarms compare against a band: the id of the query that draws it. */
      readonly thresholdMetricId?: string;
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
  readonly via: 'sns' | 'lambda' | 'eventbridge';
  readonly topicArn?: string;
}

/** The outcome of parsing one notification: nothing is dropped, unknown input becomes `unparsed`. */
export type ParsedNotification =
  | { readonly kind: 'alarm'; readonly alarm: AlarmEvent; readonly messageId: string }
  | {
      /** An SNS subscription (or unsubscribe) confirmation: someone must open `url` to confirm. */
      readonly kind: 'subscription';
      readonly type: string;
      readonly url: string;
      readonly topicArn: string;
      readonly messageId: string;
      readonly message: string;
    }
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

const StoredLogLine = z.object({
  message: z.string(),
  timestamp: z.coerce.date().optional(),
  logGroup: z.string().optional(),
});

const StoredChild = z.object({
  arn: z.string(),
  name: z.string(),
  state: AlarmStateValue,
  timestamp: z.coerce.date().optional(),
});

/**
 * The normalised alarm as stored beside its conversation (JSON: dates become strings), read back
 * with dates revived; the condition's own fields are kept as written.
 */
export const StoredAlarmEventSchema = z
  .object({
    name: z.string(),
    arn: z.string(),
    accountId: z.string(),
    region: z.string(),
    description: z.string().optional(),
    newState: AlarmStateValue,
    oldState: AlarmStateValue.optional(),
    reason: z.string(),
    stateChangeTime: z.coerce.date(),
    condition: z.looseObject({
      kind: z.enum(['metric', 'math', 'composite', 'log', 'unknown']),
      triggeringChildren: z.array(StoredChild).optional(),
    }),
    logLines: z.array(StoredLogLine),
    functions: z.array(z.string()),
    via: z.enum(['sns', 'lambda', 'eventbridge']),
    topicArn: z.string().optional(),
  })
  .transform((value) => value as unknown as AlarmEvent);

/** The alarm as a JSON string for storage. */
export function storeAlarmEvent(alarm: AlarmEvent): string {
  return JSON.stringify(alarm);
}

/** The stored alarm read back, or undefined when the text is not one. */
export function readStoredAlarmEvent(text: string): AlarmEvent | undefined {
  try {
    const parsed = StoredAlarmEventSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
