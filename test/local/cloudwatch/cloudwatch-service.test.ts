import {
  CloudWatchClient,
  DeleteAlarmMuteRuleCommand,
  DescribeAlarmsCommand,
  GetAlarmMuteRuleCommand,
  GetMetricDataCommand,
  GetMetricWidgetImageCommand,
  ListAlarmMuteRulesCommand,
  PutAlarmMuteRuleCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionNames, logGroupOf } from '../../../src/conference-app/contract';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { AlarmStore } from '../../../src/local/aws/cloudwatch/alarm-store';
import { createCloudWatchService } from '../../../src/local/aws/cloudwatch/cloudwatch-service';
import { LogDerivedMetrics } from '../../../src/local/aws/cloudwatch/log-metrics';
import { clientConfig, rejectionOf } from '../aws/helpers';

const fn = FunctionNames.saveSession;
const minute = 60_000;
// Two whole minutes in the past, so the buckets are stable.
const t0 = Math.floor(Date.now() / minute) * minute - 2 * minute;

/** Appends one invocation's START/(ERROR)/REPORT lines as the runner writes them. */
function invocation(aws: LocalAws, at: number, id: string, durationMs: number, failed: boolean) {
  const lines = [`START RequestId: ${id} Version: $LATEST`];
  if (failed) lines.push(`${new Date(at).toISOString()}\t${id}\tERROR\tInvoke Error \t{"errorType":"Error"}`);
  lines.push(`END RequestId: ${id}`);
  lines.push(
    `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: 128 MB\tMax Memory Used: 80 MB`,
  );
  aws.logs.append(
    logGroupOf(fn),
    'stream',
    lines.map((message, i) => ({ timestamp: at + i, message })),
  );
}

describe('local CloudWatch service', () => {
  let aws: LocalAws;
  let cw: CloudWatchClient;
  const alarms = new AlarmStore('eu-west-1', '000000000000');

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    aws.registerJsonService(createCloudWatchService({ alarms, metrics: new LogDerivedMetrics(aws.logs) }));
    cw = new CloudWatchClient(clientConfig(aws.url));
    invocation(aws, t0 + 1000, 'a', 100, false);
    invocation(aws, t0 + 2000, 'b', 300, true);
    invocation(aws, t0 + minute + 1000, 'c', 50, false);
  });

  afterAll(async () => {
    cw.destroy();
    await aws.close();
  });

  it('derives AWS/Lambda Invocations, Errors and Duration per minute from the REPORT lines', async () => {
    const metric = (MetricName: string) => ({
      Namespace: 'AWS/Lambda',
      MetricName,
      Dimensions: [{ Name: 'FunctionName', Value: fn }],
    });
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0),
        EndTime: new Date(t0 + 2 * minute),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          { Id: 'inv', MetricStat: { Metric: metric('Invocations'), Period: 60, Stat: 'Sum' } },
          { Id: 'err', MetricStat: { Metric: metric('Errors'), Period: 60, Stat: 'Sum' } },
          { Id: 'dur', MetricStat: { Metric: metric('Duration'), Period: 60, Stat: 'Maximum' } },
        ],
      }),
    );
    const byId = Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, r]));
    expect(byId.inv?.Values).toEqual([2, 1]);
    expect(byId.inv?.Timestamps?.map((d: Date) => d.getTime())).toEqual([t0, t0 + minute]);
    expect(byId.err?.Values).toEqual([1, 0]);
    expect(byId.dur?.Values).toEqual([300, 50]);
  });

  it('rejects metric math instead of ignoring it', async () => {
    const error = await rejectionOf(
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(t0),
          EndTime: new Date(t0 + minute),
          MetricDataQueries: [{ Id: 'e1', Expression: 'SUM(METRICS())' }],
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValueException');
  });

  it('stores alarms from PutMetricAlarm and filters DescribeAlarms by name, state and type', async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'errors',
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    const all = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['errors'] }));
    expect(all.MetricAlarms?.[0]).toMatchObject({
      AlarmName: 'errors',
      AlarmArn: 'arn:aws:cloudwatch:eu-west-1:000000000000:alarm:errors',
      StateValue: 'INSUFFICIENT_DATA',
      Threshold: 1,
    });
    expect(all.MetricAlarms?.[0]?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect((await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }))).MetricAlarms).toEqual([]);
    expect(
      (await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }))).MetricAlarms,
    ).toEqual([]);
  });

  it('rejects an alarm with both Statistic and ExtendedStatistic', async () => {
    const error = await rejectionOf(
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'bad',
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Statistic: 'Sum',
          ExtendedStatistic: 'p90',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValueException');
  });

  it('draws the metric and its threshold as a real PNG of the asked size', async () => {
    const widget = {
      width: 640,
      height: 320,
      start: new Date(t0 - minute).toISOString(),
      end: new Date(t0 + 2 * minute).toISOString(),
      metrics: [['AWS/Lambda', 'Errors', 'FunctionName', fn, { stat: 'Sum', period: 60 }]],
      annotations: { horizontal: [{ label: 'threshold', value: 1 }] },
    };
    const out = await cw.send(
      new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget), OutputFormat: 'png' }),
    );
    const bytes = Buffer.from(out.MetricWidgetImage ?? new Uint8Array());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([640, 320]);
    // Threshold red and series blue are both drawn.
    const colors = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4)
      colors.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    expect(colors.has('215,43,63')).toBe(true);
    expect(colors.has('31,119,180')).toBe(true);
  });

  it('rejects a widget that is not JSON', async () => {
    const error = await rejectionOf(cw.send(new GetMetricWidgetImageCommand({ MetricWidget: '{nope' })));
    expect(error.name).toBe('InvalidParameterValueException');
  });

  it('puts, lists, gets and deletes one-time mute rules, and knows which alarms they mute', async () => {
    const now = new Date();
    await cw.send(
      new PutAlarmMuteRuleCommand({
        Name: 'mute-errors',
        Rule: {
          Schedule: {
            Expression: `at(${now.toISOString().slice(0, 16)})`,
            Duration: 'PT30M',
            Timezone: 'UTC',
          },
        },
        MuteTargets: { AlarmNames: ['errors'] },
      }),
    );
    expect(alarms.isMuted('errors')).toBe(true);
    expect(alarms.isMuted('other')).toBe(false);
    const listed = await cw.send(new ListAlarmMuteRulesCommand({ AlarmName: 'errors' }));
    expect(listed.AlarmMuteRuleSummaries?.[0]).toMatchObject({
      AlarmMuteRuleArn: 'arn:aws:cloudwatch:eu-west-1:000000000000:alarm-mute-rule:mute-errors',
      Status: 'ACTIVE',
    });
    const got = await cw.send(new GetAlarmMuteRuleCommand({ AlarmMuteRuleName: 'mute-errors' }));
    expect(got.MuteTargets?.AlarmNames).toEqual(['errors']);
    await cw.send(new DeleteAlarmMuteRuleCommand({ AlarmMuteRuleName: 'mute-errors' }));
    expect(alarms.isMuted('errors')).toBe(false);
    const gone = await rejectionOf(
      cw.send(new DeleteAlarmMuteRuleCommand({ AlarmMuteRuleName: 'mute-errors' })),
    );
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('rejects recurring schedules it cannot honour', async () => {
    const error = await rejectionOf(
      cw.send(
        new PutAlarmMuteRuleCommand({
          Name: 'weekly',
          Rule: { Schedule: { Expression: 'cron(0 2 ? * SAT *)', Duration: 'PT4H' } },
          MuteTargets: { AlarmNames: ['errors'] },
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValueException');
  });
});
