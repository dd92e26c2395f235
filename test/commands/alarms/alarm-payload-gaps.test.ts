import { describe, expect, it } from 'vitest';
import { parseAlarmEnvelope } from '../../../src/bot/alarms/alarm-envelope';
import type { AlarmEvent, ParsedNotification } from '../../../src/commands/alarms/alarm-event';
import { describeCondition } from '../../../src/commands/alarms/alarm-format';
import { buildNotificationMessage } from '../../../src/commands/alarms/alarm-view';
import { fixture } from './fixtures';
import { expectWithinSlackLimits } from './slack-limits';

const NOW = new Date('2026-05-01T10:06:00Z');

function only(name: string): { kind: string; notification: ParsedNotification } {
  const envelope = parseAlarmEnvelope(fixture('alarms', name));
  expect(envelope.items).toHaveLength(1);
  return {
    kind: envelope.kind,
    notification: (envelope.items[0] as { notification: ParsedNotification }).notification,
  };
}

function alarmOf(n: ParsedNotification): AlarmEvent {
  if (n.kind !== 'alarm') throw new Error(`expected an alarm, got ${n.kind}: ${JSON.stringify(n)}`);
  return n.alarm;
}

function rendered(n: ParsedNotification): string {
  const message = buildNotificationMessage(n, { now: NOW });
  expectWithinSlackLimits(message);
  return JSON.stringify(message);
}

describe('payloads real notifications showed gaps in (issue 12)', () => {
  it('says an anomaly-detection alarm is outside its band, naming the band expression', () => {
    const alarm = alarmOf(only('sns-anomaly-band.json').notification);

    expect(describeCondition(alarm.condition)).toBe(
      'Duration outside the band ad1 = ANOMALY_DETECTION_BAND(m1, 2) over 5 min (3 of 3 datapoints)',
    );
    expect(rendered(only('sns-anomaly-band.json').notification)).toContain('outside the band');
  });

  it('shows the SubscribeURL of an SNS subscription confirmation that reached the queue', () => {
    const { kind, notification } = only('sqs-subscription-confirmation.json');

    expect(kind).toBe('sqs');
    expect(notification).toMatchObject({
      kind: 'subscription',
      type: 'SubscriptionConfirmation',
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:gumshoe-alarms',
    });
    const text = rendered(notification);
    expect(text).toContain('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=');
    expect(text).toContain('confirm');
    expect(text).not.toContain('Unrecognised');
  });

  it('reads an EventBridge "CloudWatch Alarm State Change" event as the alarm it is', () => {
    const alarm = alarmOf(only('eventbridge-state-change.json').notification);

    expect(alarm).toMatchObject({
      name: 'forward-session-errors',
      arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:forward-session-errors',
      newState: 'ALARM',
      oldState: 'OK',
    });
    expect(alarm.stateChangeTime.toISOString()).toBe('2026-05-01T10:05:12.104Z');
    const text = rendered(only('eventbridge-state-change.json').notification);
    expect(text).toContain('forward-session-errors');
    expect(text).not.toContain('Unrecognised');
  });

  it('rebuilds the ARN of a pre-2019 body without AlarmArn from its topic, instead of calling it unrecognised', () => {
    const alarm = alarmOf(only('sns-pre-2019.json').notification);

    expect(alarm.arn).toBe('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:create-session-errors-legacy');
    expect(rendered(only('sns-pre-2019.json').notification)).not.toContain('Unrecognised');
  });

  it.each([
    ['lambda-direct-metric.json', 'Throttles Sum vs 0 over 1 min'],
    ['eventbridge-state-change.json', 'Errors Sum vs 1 over 1 min'],
  ])('claims no datapoint count that %s does not carry', (name, text) => {
    const alarm = alarmOf(only(name).notification);

    expect(describeCondition(alarm.condition)).toBe(text);
    expect(rendered(only(name).notification)).not.toMatch(/\(\d+ of \d+ datapoints\)/);
  });
});
