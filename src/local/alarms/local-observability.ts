import { FunctionNames } from '../../conference-app/contract';
import { ResourceNames } from '../../topology';
import { LOCAL_AWS_ACCOUNT_ID, type LocalAws } from '../aws';
import { AlarmStore, type MetricAlarmDefinition } from '../aws/cloudwatch/alarm-store';
import { createCloudWatchService } from '../aws/cloudwatch/cloudwatch-service';
import { LEAD_TIME_METRIC, LogDerivedMetrics } from '../aws/cloudwatch/log-metrics';
import { createSnsService, SnsTopics } from '../aws/sns/sns-service';
import { TraceStore } from '../aws/xray/trace-store';
import { createXRayService } from '../aws/xray/xray-service';
import { type AlarmEvaluator, startAlarmEvaluator } from './alarm-evaluator';

/** The alarm topic, named as deployed; the bot's alarm queue subscribes to it. */
export const LOCAL_ALARM_TOPIC = ResourceNames.alarmTopic;

/** Names of the alarms the local stack evaluates. */
export const LOCAL_ALARMS = {
  saveSessionErrors: 'conference-save-session-errors',
  notificationLeadTime: 'conference-notification-lead-time',
} as const;

/** The alarms evaluated locally, notifying `topicArn` on ALARM and on OK. */
export function localAlarmDefinitions(topicArn: string): MetricAlarmDefinition[] {
  const actions = {
    ActionsEnabled: true,
    AlarmActions: [topicArn],
    OKActions: [topicArn],
    InsufficientDataActions: [],
  };
  return [
    {
      AlarmName: LOCAL_ALARMS.saveSessionErrors,
      AlarmDescription: 'Errors of the save-session Lambda (any failed invocation in one minute)',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: FunctionNames.saveSession }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ...actions,
    },
    {
      AlarmName: LOCAL_ALARMS.notificationLeadTime,
      AlarmDescription: 'p90 lead time from create request to Slack notification above 5 s over 5 minutes',
      Namespace: LEAD_TIME_METRIC.namespace,
      MetricName: LEAD_TIME_METRIC.metricName,
      Dimensions: [],
      ExtendedStatistic: 'p90',
      Period: 300,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 5000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Unit: LEAD_TIME_METRIC.unit,
      ...actions,
    },
  ];
}

/** Options of {@link installLocalObservability}. */
export interface LocalObservabilityOptions {
  readonly region: string;
  /** Segments persist under `<dataDir>/xray/` when set. */
  readonly dataDir?: string | undefined;
  /** The alarm topic's name; {@link LOCAL_ALARM_TOPIC} by default. */
  readonly alarmTopicName?: string;
  /** How often alarms are evaluated (ms); 10 s by default, 0 for manual `evaluateNow` only. */
  readonly evaluationIntervalMs?: number;
}

/** The observability services plugged into a local endpoint, and the running evaluator. */
export interface LocalObservability {
  readonly traces: TraceStore;
  readonly alarms: AlarmStore;
  readonly topics: SnsTopics;
  readonly metrics: LogDerivedMetrics;
  readonly alarmTopicArn: string;
  readonly evaluator: AlarmEvaluator;
  close(): void;
}

/**
 * Registers X-Ray, CloudWatch and SNS on the local endpoint, creates the alarm topic and the local
 * alarms, and starts evaluating them; lambda subscribers are invoked once `topics.setInvoker` is set.
 */
export function installLocalObservability(
  aws: LocalAws,
  options: LocalObservabilityOptions,
): LocalObservability {
  const traces = new TraceStore(options.dataDir);
  const alarms = new AlarmStore(options.region, LOCAL_AWS_ACCOUNT_ID);
  const topics = new SnsTopics(options.region, LOCAL_AWS_ACCOUNT_ID);
  const metrics = new LogDerivedMetrics(aws.logs);
  aws.registerRestService(createXRayService(traces));
  aws.registerRestService(createSnsService(topics));
  aws.registerJsonService(createCloudWatchService({ alarms, metrics }));
  const alarmTopicArn = topics.createTopic(options.alarmTopicName ?? LOCAL_ALARM_TOPIC);
  for (const definition of localAlarmDefinitions(alarmTopicArn)) alarms.putAlarm(definition);
  const evaluator = startAlarmEvaluator({
    alarms,
    metrics,
    notifier: topics,
    ...(options.evaluationIntervalMs === undefined ? {} : { intervalMs: options.evaluationIntervalMs }),
  });
  return { traces, alarms, topics, metrics, alarmTopicArn, evaluator, close: () => evaluator.stop() };
}
