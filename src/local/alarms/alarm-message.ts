import type { AlarmState, StoredAlarm } from '../aws/cloudwatch/alarm-store';

const REGION_NAMES: Record<string, string> = {
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
};

/** The display name CloudWatch puts in `Region` and in the subject (`EU (Ireland)`). */
export function regionDisplayName(region: string): string {
  return REGION_NAMES[region] ?? region;
}

/** CloudWatch's timestamp style in alarm messages: `2026-05-01T10:00:00.512+0000`. */
export function alarmTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** One state change, as the evaluator decided it. */
export interface AlarmTransition {
  readonly alarm: StoredAlarm;
  readonly oldState: AlarmState;
  readonly newState: AlarmState;
  readonly reason: string;
  readonly atMs: number;
}

/** The subject SNS carries for an alarm notification: `ALARM: "name" in EU (Ireland)`. */
export function alarmSubject(transition: AlarmTransition, region: string): string {
  // SNS subjects are at most 100 characters.
  return `${transition.newState}: "${transition.alarm.definition.AlarmName}" in ${regionDisplayName(region)}`.slice(
    0,
    100,
  );
}

/** The classic CloudWatch alarm notification (the SNS `Message`), field for field. */
export function classicAlarmMessage(transition: AlarmTransition, region: string, accountId: string): string {
  const { alarm } = transition;
  const d = alarm.definition;
  const statistic = d.ExtendedStatistic
    ? { StatisticType: 'ExtendedStatistic', ExtendedStatistic: d.ExtendedStatistic }
    : {
        StatisticType: 'Statistic',
        Statistic: (d.Statistic ?? 'Average').toUpperCase().replace('SAMPLECOUNT', 'SAMPLE_COUNT'),
      };
  return JSON.stringify({
    AlarmName: d.AlarmName,
    AlarmDescription: d.AlarmDescription ?? null,
    AWSAccountId: accountId,
    AlarmConfigurationUpdatedTimestamp: alarmTimestamp(alarm.configurationUpdatedMs),
    NewStateValue: transition.newState,
    NewStateReason: transition.reason,
    StateChangeTime: alarmTimestamp(transition.atMs),
    Region: regionDisplayName(region),
    AlarmArn: alarm.arn,
    OldStateValue: transition.oldState,
    OKActions: d.OKActions ?? [],
    AlarmActions: d.AlarmActions ?? [],
    InsufficientDataActions: d.InsufficientDataActions ?? [],
    Trigger: {
      MetricName: d.MetricName,
      Namespace: d.Namespace,
      ...statistic,
      Unit: d.Unit ?? null,
      Dimensions: d.Dimensions.map((x) => ({ value: x.Value, name: x.Name })),
      Period: d.Period,
      EvaluationPeriods: d.EvaluationPeriods,
      DatapointsToAlarm: d.DatapointsToAlarm ?? d.EvaluationPeriods,
      ComparisonOperator: d.ComparisonOperator,
      Threshold: d.Threshold,
      TreatMissingData: d.TreatMissingData ?? 'missing',
      EvaluateLowSampleCountPercentile: '',
    },
  });
}
