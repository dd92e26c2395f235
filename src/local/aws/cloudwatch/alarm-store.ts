import { AwsServiceError } from '../errors';

/** The three states of a CloudWatch alarm. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A metric alarm as PutMetricAlarm defines it (the subset the local evaluator honours). */
export interface MetricAlarmDefinition {
  readonly AlarmName: string;
  readonly AlarmDescription?: string | undefined;
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
  readonly Statistic?: string | undefined;
  readonly ExtendedStatistic?: string | undefined;
  readonly Period: number;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number | undefined;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData?: string | undefined;
  readonly Unit?: string | undefined;
  readonly ActionsEnabled?: boolean | undefined;
  readonly AlarmActions?: readonly string[] | undefined;
  readonly OKActions?: readonly string[] | undefined;
  readonly InsufficientDataActions?: readonly string[] | undefined;
}

/** An alarm with its current state. */
export interface StoredAlarm {
  readonly definition: MetricAlarmDefinition;
  readonly arn: string;
  readonly configurationUpdatedMs: number;
  state: AlarmState;
  stateReason: string;
  stateUpdatedMs: number;
}

/** A one-time mute rule (`at(yyyy-MM-ddThh:mm)` + ISO duration), as PutAlarmMuteRule stores it. */
export interface MuteRule {
  readonly name: string;
  readonly arn: string;
  readonly description?: string | undefined;
  readonly expression: string;
  readonly duration: string;
  readonly timezone: string;
  readonly alarmNames: readonly string[];
  /** The window in which the rule mutes (epoch ms). */
  readonly fromMs: number;
  readonly untilMs: number;
  readonly updatedMs: number;
}

const NS = 'com.amazonaws.cloudwatch';

/** A CloudWatch error with its awsQuery code, so the SDK names it right. */
export function cloudWatchError(
  code: string,
  queryCode: string,
  message: string,
  status = 400,
): AwsServiceError {
  return new AwsServiceError(code, message, { namespace: NS, queryCode, status });
}

/** Milliseconds of an ISO 8601 duration such as `PT30M`, `PT2H`, `P1D`; undefined when malformed. */
export function isoDurationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  return ((d * 24 + h) * 60 + min) * 60_000 + s * 1000;
}

/** Alarms, their states and mute rules: shared by the CloudWatch service and the evaluator. */
export class AlarmStore {
  private readonly alarms = new Map<string, StoredAlarm>();
  private readonly mutes = new Map<string, MuteRule>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  /** Creates or replaces an alarm; a new alarm starts in INSUFFICIENT_DATA, a replaced one keeps its state. */
  putAlarm(definition: MetricAlarmDefinition, now = Date.now()): StoredAlarm {
    const previous = this.alarms.get(definition.AlarmName);
    const alarm: StoredAlarm = {
      definition,
      arn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${definition.AlarmName}`,
      configurationUpdatedMs: now,
      state: previous?.state ?? 'INSUFFICIENT_DATA',
      stateReason: previous?.stateReason ?? 'Unchecked: Initial alarm creation',
      stateUpdatedMs: previous?.stateUpdatedMs ?? now,
    };
    this.alarms.set(definition.AlarmName, alarm);
    return alarm;
  }

  /** Every alarm, by name. */
  list(): StoredAlarm[] {
    return [...this.alarms.values()].sort((a, b) =>
      a.definition.AlarmName.localeCompare(b.definition.AlarmName),
    );
  }

  get(name: string): StoredAlarm | undefined {
    return this.alarms.get(name);
  }

  /** Stores a one-time mute rule; only `at(...)` schedules in UTC are supported locally. */
  putMuteRule(input: {
    name: string;
    description?: string | undefined;
    expression: string;
    duration: string;
    timezone?: string | undefined;
    alarmNames: readonly string[];
    startDate?: number | undefined;
    expireDate?: number | undefined;
    now?: number;
  }): MuteRule {
    const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?::\d{2})?\)$/.exec(input.expression);
    if (!at)
      throw cloudWatchError(
        'InvalidParameterValueException',
        'InvalidParameterValue',
        `The local endpoint supports only one-time schedules at(yyyy-MM-ddThh:mm), got ${input.expression}`,
      );
    const timezone = input.timezone ?? 'UTC';
    if (timezone !== 'UTC' && timezone !== 'Etc/UTC')
      throw cloudWatchError(
        'InvalidParameterValueException',
        'InvalidParameterValue',
        'Only the UTC timezone is supported locally',
      );
    const durationMs = isoDurationMs(input.duration);
    if (durationMs === undefined || durationMs < 60_000)
      throw cloudWatchError(
        'InvalidParameterValueException',
        'InvalidParameterValue',
        `Duration must be an ISO 8601 duration of at least PT1M, got ${input.duration}`,
      );
    const start = Date.parse(`${at[1]}:00Z`);
    const fromMs = Math.max(start, input.startDate ?? start);
    const untilMs = Math.min(start + durationMs, input.expireDate ?? Number.POSITIVE_INFINITY);
    const rule: MuteRule = {
      name: input.name,
      arn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm-mute-rule:${input.name}`,
      description: input.description,
      expression: input.expression,
      duration: input.duration,
      timezone,
      alarmNames: [...input.alarmNames],
      fromMs,
      untilMs,
      updatedMs: input.now ?? Date.now(),
    };
    this.mutes.set(rule.name, rule);
    return rule;
  }

  deleteMuteRule(name: string): void {
    if (!this.mutes.delete(name))
      throw cloudWatchError(
        'ResourceNotFoundException',
        'ResourceNotFoundException',
        `Mute rule ${name} does not exist`,
        404,
      );
  }

  muteRule(name: string): MuteRule | undefined {
    return this.mutes.get(name);
  }

  muteRules(): MuteRule[] {
    return [...this.mutes.values()];
  }

  /** True while an active mute rule targets the alarm: its notifications are not sent. */
  isMuted(alarmName: string, now = Date.now()): boolean {
    return this.muteRules().some((r) => r.alarmNames.includes(alarmName) && muteStatus(r, now) === 'ACTIVE');
  }
}

/** ACTIVE inside the rule's window, SCHEDULED before it, EXPIRED after it. */
export function muteStatus(rule: MuteRule, now = Date.now()): 'ACTIVE' | 'SCHEDULED' | 'EXPIRED' {
  if (now < rule.fromMs) return 'SCHEDULED';
  return now < rule.untilMs ? 'ACTIVE' : 'EXPIRED';
}
