import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, type LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Milestone } from '../../../src/conference-app/contract/milestones';
import { Names } from '../naming';
import type { GumshoeFunction } from './gumshoe-function';

/** Options of {@link ServiceAlarms}. */
export interface ServiceAlarmsOptions {
  readonly topic: Topic;
  readonly functions: readonly GumshoeFunction[];
  /** The notifier's log group: its notification line carries the lead time. */
  readonly notifierLogGroup: LogGroup;
  readonly leadTimeThresholdMs: number;
  readonly saveDlq: Queue;
  readonly streamDlq: Queue;
  readonly api: HttpApi;
}

/** The metric namespace of the lead-time metric filter. */
export const LEAD_TIME_NAMESPACE = 'ConferenceSession';
/** The JSON field of the notification line that holds the lead time in milliseconds. */
export const LEAD_TIME_FIELD = 'leadTimeMs';
/** The metric counting the ERROR lines a function logs, with a `FunctionName` dimension. */
export const LOGGED_ERRORS_METRIC = 'LoggedErrors';

/** The service's alarms, each named `conference-…` and publishing ALARM and OK to the alarm topic. */
export class ServiceAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, options: ServiceAlarmsOptions) {
    super(scope, id);
    const action = new SnsAction(options.topic);
    const add = (alarm: Alarm) => {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    const fiveMinutes = Duration.minutes(5);

    for (const { fn, name, logGroup } of options.functions) {
      // Lambda's Errors metric counts only failed invocations. A function that catches a failure and
      // reports it as a partial batch failure (the save-session SQS consumer) logs an ERROR line but
      // never moves Errors, so the logged errors get a metric and an alarm of their own.
      new MetricFilter(this, `LoggedErrorsFilter-${name}`, {
        logGroup,
        filterPattern: FilterPattern.stringValue('$.level', '=', 'ERROR'),
        metricNamespace: LEAD_TIME_NAMESPACE,
        metricName: LOGGED_ERRORS_METRIC,
        metricValue: '1',
        dimensions: { FunctionName: '$.functionName' },
      });
      add(
        new Alarm(this, `LoggedErrors-${name}`, {
          alarmName: `${Names.alarmPrefix}logged-errors-${name}`,
          alarmDescription: `ERROR lines logged by ${name}, including failures reported as partial batch failures`,
          metric: new Metric({
            namespace: LEAD_TIME_NAMESPACE,
            metricName: LOGGED_ERRORS_METRIC,
            dimensionsMap: { FunctionName: name },
            statistic: 'Sum',
            period: Duration.minutes(1),
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      add(
        new Alarm(this, `Errors-${name}`, {
          alarmName: `${Names.alarmPrefix}errors-${name}`,
          alarmDescription: `Errors in ${name}`,
          metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // A Logs Insights query cannot drive an alarm, so the lead time reaches CloudWatch Metrics
    // through a metric filter on the notifier's "notification sent" line, which logs the lead time.
    new MetricFilter(this, 'LeadTimeFilter', {
      logGroup: options.notifierLogGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.milestone', '=', Milestone.slackNotificationSent),
        FilterPattern.exists(`$.${LEAD_TIME_FIELD}`),
      ),
      metricNamespace: LEAD_TIME_NAMESPACE,
      metricName: 'NotificationLeadTime',
      metricValue: `$.${LEAD_TIME_FIELD}`,
    });
    add(
      new Alarm(this, 'LeadTime', {
        alarmName: `${Names.alarmPrefix}notification-lead-time`,
        alarmDescription: `p90 lead time from request to Slack notification above ${options.leadTimeThresholdMs} ms`,
        metric: new Metric({
          namespace: LEAD_TIME_NAMESPACE,
          metricName: 'NotificationLeadTime',
          statistic: 'p90',
          period: fiveMinutes,
        }),
        threshold: options.leadTimeThresholdMs,
        evaluationPeriods: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    for (const [name, queue] of [
      ['save-dlq-depth', options.saveDlq],
      ['stream-dlq-depth', options.streamDlq],
    ] as const) {
      add(
        new Alarm(this, `Dlq-${name}`, {
          alarmName: `${Names.alarmPrefix}${name}`,
          alarmDescription: `Messages parked in the ${name.replace('-depth', '')}`,
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: fiveMinutes,
            statistic: 'Maximum',
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    add(
      new Alarm(this, 'Api5xx', {
        alarmName: `${Names.alarmPrefix}api-5xx`,
        alarmDescription: 'The conference API answered 5xx',
        metric: options.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      new Alarm(this, 'ApiLatencyP99', {
        alarmName: `${Names.alarmPrefix}api-latency-p99`,
        alarmDescription: 'p99 latency of the conference API above 3 s',
        metric: options.api.metricLatency({ period: fiveMinutes, statistic: 'p99' }),
        threshold: 3000,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
