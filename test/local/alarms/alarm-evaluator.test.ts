import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricWidgetImageCommand,
  PutAlarmMuteRuleCommand,
} from '@aws-sdk/client-cloudwatch';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsAlarmMessageSchema } from '../../../src/commands/alarms/alarm-message-schemas';
import {
  FunctionNames,
  LEAD_TIME_FROM,
  LEAD_TIME_TO,
  logGroupOf,
} from '../../../src/conference-app/contract';
import { startAlarmEvaluator } from '../../../src/local/alarms/alarm-evaluator';
import {
  installLocalObservability,
  LOCAL_ALARMS,
  type LocalObservability,
} from '../../../src/local/alarms/local-observability';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { clientConfig } from '../aws/helpers';

const minute = 60_000;

describe('local alarm evaluation', () => {
  let aws: LocalAws;
  let local: LocalObservability;
  let cw: CloudWatchClient;
  let clock = Date.now();
  let evaluator: ReturnType<typeof startAlarmEvaluator>;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    local = installLocalObservability(aws, { region: 'eu-west-1', evaluationIntervalMs: 0 });
    evaluator = startAlarmEvaluator({
      alarms: local.alarms,
      metrics: local.metrics,
      notifier: local.topics,
      intervalMs: 0,
      now: () => clock,
    });
    cw = new CloudWatchClient(clientConfig(aws.url));
  });

  afterAll(async () => {
    evaluator.stop();
    local.close();
    cw.destroy();
    await aws.close();
  });

  const published = () =>
    local.topics.published.map((p) => ({
      subject: p.subject,
      message: SnsAlarmMessageSchema.parse(JSON.parse(p.message)),
    }));
  const stateOf = async (name: string) =>
    (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.StateValue;

  it('creates the alarm topic and starts both alarms in INSUFFICIENT_DATA', async () => {
    const sns = new SNSClient(clientConfig(aws.url));
    const topics = await sns.send(new ListTopicsCommand({}));
    sns.destroy();
    expect(topics.Topics?.map((t) => t.TopicArn)).toContain(local.alarmTopicArn);
    expect(local.alarmTopicArn).toBe('arn:aws:sns:eu-west-1:000000000000:conference-alarms');
    expect(await stateOf(LOCAL_ALARMS.saveSessionErrors)).toBe('INSUFFICIENT_DATA');
    expect(await stateOf(LOCAL_ALARMS.notificationLeadTime)).toBe('INSUFFICIENT_DATA');
  });

  it('goes to OK without data (missing data is not breaching) and says so', async () => {
    const transitions = evaluator.evaluateNow();
    expect(transitions.map((t) => [t.alarm.definition.AlarmName, t.newState]).sort()).toEqual([
      [LOCAL_ALARMS.notificationLeadTime, 'OK'],
      [LOCAL_ALARMS.saveSessionErrors, 'OK'],
    ]);
    expect(published()).toHaveLength(2);
    expect(evaluator.evaluateNow()).toEqual([]);
  });

  it('raises the save-session errors alarm on a failed invocation and publishes the classic message', async () => {
    const id = '6b1c0d2e-0000-4000-8000-000000000001';
    aws.logs.append(logGroupOf(FunctionNames.saveSession), 's', [
      { timestamp: clock - 5000, message: `START RequestId: ${id} Version: $LATEST` },
      {
        timestamp: clock - 4000,
        message: JSON.stringify({ level: 'ERROR', message: 'Saving session failed', AWSRequestId: id }),
      },
      {
        timestamp: clock - 3000,
        message: `REPORT RequestId: ${id}\tDuration: 12.00 ms\tBilled Duration: 12 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB`,
      },
    ]);
    const transitions = evaluator.evaluateNow();
    expect(transitions.map((t) => t.newState)).toEqual(['ALARM']);
    expect(await stateOf(LOCAL_ALARMS.saveSessionErrors)).toBe('ALARM');

    const last = published().at(-1);
    expect(last?.subject).toBe(`ALARM: "${LOCAL_ALARMS.saveSessionErrors}" in EU (Ireland)`);
    const raw = JSON.parse(local.topics.published.at(-1)?.message ?? '{}');
    expect(Object.keys(raw)).toEqual(
      expect.arrayContaining([
        'AlarmName',
        'AlarmDescription',
        'AWSAccountId',
        'NewStateValue',
        'OldStateValue',
        'NewStateReason',
        'StateChangeTime',
        'Region',
        'AlarmArn',
        'Trigger',
      ]),
    );
    expect(raw).toMatchObject({
      AlarmName: LOCAL_ALARMS.saveSessionErrors,
      AWSAccountId: '000000000000',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      Region: 'EU (Ireland)',
      AlarmArn: `arn:aws:cloudwatch:eu-west-1:000000000000:alarm:${LOCAL_ALARMS.saveSessionErrors}`,
      Trigger: {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        StatisticType: 'Statistic',
        Statistic: 'SUM',
        Unit: null,
        Dimensions: [{ value: FunctionNames.saveSession, name: 'FunctionName' }],
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
        EvaluateLowSampleCountPercentile: '',
      },
    });
    expect(raw.StateChangeTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    expect(raw.NewStateReason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[1\.0 \(/);
  });

  it('renders the alarm graph the bot asks for as a PNG', async () => {
    const widget = JSON.stringify({
      width: 300,
      height: 200,
      start: new Date(clock - 10 * minute).toISOString(),
      end: new Date(clock).toISOString(),
      metrics: [
        ['AWS/Lambda', 'Errors', 'FunctionName', FunctionNames.saveSession, { stat: 'Sum', period: 60 }],
      ],
      annotations: { horizontal: [{ value: 1 }] },
    });
    const out = await cw.send(new GetMetricWidgetImageCommand({ MetricWidget: widget }));
    expect(
      Buffer.from(out.MetricWidgetImage ?? [])
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('changes state but sends nothing while a mute rule is active', async () => {
    await cw.send(
      new PutAlarmMuteRuleCommand({
        Name: 'quiet',
        Rule: {
          Schedule: { Expression: `at(${new Date(clock).toISOString().slice(0, 16)})`, Duration: 'PT1H' },
        },
        MuteTargets: { AlarmNames: [LOCAL_ALARMS.saveSessionErrors] },
      }),
    );
    const before = local.topics.published.length;
    clock += 2 * minute;
    const transitions = evaluator.evaluateNow();
    expect(transitions.map((t) => [t.oldState, t.newState])).toEqual([['ALARM', 'OK']]);
    expect(local.topics.published.length).toBe(before);
    expect(await stateOf(LOCAL_ALARMS.saveSessionErrors)).toBe('OK');
  });

  it('raises the lead-time alarm when the p90 lead time over 5 minutes exceeds 5 s', async () => {
    const line = (group: string, milestone: string, traceId: string, at: number) =>
      aws.logs.append(logGroupOf(group), 's', [
        {
          timestamp: at,
          message: JSON.stringify({
            timestamp: new Date(at).toISOString(),
            level: 'INFO',
            message: milestone,
            traceId,
            milestone,
          }),
        },
      ]);
    for (let i = 0; i < 5; i++) {
      line(FunctionNames.createSession, LEAD_TIME_FROM, `t${i}`, clock - 60_000 + i * 1000);
      line(FunctionNames.notifyNewSession, LEAD_TIME_TO, `t${i}`, clock - 60_000 + i * 1000 + 6500);
    }
    const transitions = evaluator.evaluateNow();
    expect(transitions.map((t) => [t.alarm.definition.AlarmName, t.newState])).toEqual([
      [LOCAL_ALARMS.notificationLeadTime, 'ALARM'],
    ]);
    const last = published().at(-1)?.message;
    expect(last?.Trigger).toMatchObject({
      StatisticType: 'ExtendedStatistic',
      ExtendedStatistic: 'p90',
      Threshold: 5000,
    });
  });
});
