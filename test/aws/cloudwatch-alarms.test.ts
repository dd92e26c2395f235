import {
  CloudWatchClient,
  DeleteAlarmMuteRuleCommand,
  GetMetricWidgetImageCommand,
  PutAlarmMuteRuleCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  buildAlarmWidget,
  CloudWatchAlarmControl,
  CloudWatchAlarmsError,
  muteRuleName,
} from '../../src/aws/cloudwatch-alarms';
import { parseAlarmNotifications } from '../../src/bot/alarms/alarm-envelope';
import { alarmFixture } from '../bot/alarms/helpers';

const cw = mockClient(CloudWatchClient);

function alarmOf(fixture: string) {
  const [n] = parseAlarmNotifications(alarmFixture(fixture));
  if (n?.kind !== 'alarm') throw new Error(`${fixture} is not an alarm`);
  return n.alarm;
}

describe('CloudWatchAlarmControl', () => {
  beforeEach(() => cw.reset());

  it('draws a metric alarm with its dimensions, widget stat and threshold', () => {
    const widget = JSON.parse(buildAlarmWidget(alarmOf('sns-metric-alarm.json')) ?? '{}');

    expect(widget.metrics).toEqual([
      [
        'AWS/Lambda',
        'Errors',
        'FunctionName',
        'conference-save-session-dynamodb-lambda',
        { stat: 'Sum', period: 60 },
      ],
    ]);
    expect(widget.annotations.horizontal[0].value).toBe(1);
    expect(new Date(widget.end).getTime()).toBeGreaterThan(new Date(widget.start).getTime());
  });

  it('has no graph for a composite alarm', () => {
    expect(buildAlarmWidget(alarmOf('sns-composite.json'))).toBeUndefined();
  });

  it('asks GetMetricWidgetImage for a PNG and returns its bytes', async () => {
    cw.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: new Uint8Array([137, 80, 78, 71]) });

    const image = await new CloudWatchAlarmControl(new CloudWatchClient({ region: 'eu-west-1' })).metricImage(
      alarmOf('sns-metric-alarm.json'),
    );

    expect(image).toEqual(new Uint8Array([137, 80, 78, 71]));
    expect(cw).toHaveReceivedCommandWith(GetMetricWidgetImageCommand, { OutputFormat: 'png' });
  });

  it('wraps a GetMetricWidgetImage failure in a typed error', async () => {
    cw.on(GetMetricWidgetImageCommand).rejects(new Error('Throttling'));
    const control = new CloudWatchAlarmControl(new CloudWatchClient({ region: 'eu-west-1' }));

    await expect(control.metricImage(alarmOf('sns-metric-alarm.json'))).rejects.toBeInstanceOf(
      CloudWatchAlarmsError,
    );
  });

  it('mutes with a one-time at() rule of one hour and unmutes by the same rule name', async () => {
    cw.on(PutAlarmMuteRuleCommand).resolves({});
    cw.on(DeleteAlarmMuteRuleCommand).resolves({});
    const control = new CloudWatchAlarmControl(new CloudWatchClient({ region: 'eu-west-1' }));

    await control.mute('save-session errors', new Date('2026-05-01T10:05:42Z'), 60 * 60 * 1000);
    await control.unmute('save-session errors');

    expect(cw).toHaveReceivedCommandWith(PutAlarmMuteRuleCommand, {
      Name: 'gumshoe-mute-save-session_errors',
      Rule: { Schedule: { Expression: 'at(2026-05-01T10:05)', Duration: 'PT60M', Timezone: 'UTC' } },
      MuteTargets: { AlarmNames: ['save-session errors'] },
    });
    expect(cw).toHaveReceivedCommandWith(DeleteAlarmMuteRuleCommand, {
      AlarmMuteRuleName: muteRuleName('save-session errors'),
    });
  });

  it('reports a refused mute with a user-safe message', async () => {
    cw.on(PutAlarmMuteRuleCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const control = new CloudWatchAlarmControl(new CloudWatchClient({ region: 'eu-west-1' }));

    const error = await control.mute('a', new Date(), 3_600_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CloudWatchAlarmsError);
    expect((error as CloudWatchAlarmsError).userMessage).toContain('PutAlarmMuteRule');
  });
});
