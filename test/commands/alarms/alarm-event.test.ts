import { describe, expect, it } from 'vitest';
import { parseAlarmNotification, parseAlarmNotifications } from '../../../src/bot/alarms/alarm-envelope';
import {
  type AlarmEvent,
  type ParsedNotification,
  parseAlarmTime,
  UNPARSED_RAW_LIMIT,
} from '../../../src/commands/alarms/alarm-event';
import { fixture } from './fixtures';

function alarmOf(result: ParsedNotification): AlarmEvent {
  if (result.kind !== 'alarm') throw new Error(`expected an alarm, got: ${result.kind}`);
  return result.alarm;
}

function only(name: string): ParsedNotification {
  const results = parseAlarmNotifications(fixture('alarms', name));
  expect(results).toHaveLength(1);
  return results[0] as ParsedNotification;
}

describe('parseAlarmTime', () => {
  it.each([
    ['2015-06-03T17:43:27.123+0000', '2015-06-03T17:43:27.123Z'],
    ['2026-05-01T12:00:00.000+0200', '2026-05-01T10:00:00.000Z'],
    ['2026-05-01T10:00:00.512Z', '2026-05-01T10:00:00.512Z'],
    ['2026-05-01T10:00:00-0130', '2026-05-01T11:30:00.000Z'],
  ])('parses %s', (text, iso) => {
    expect(parseAlarmTime(text)?.toISOString()).toBe(iso);
  });

  it('returns undefined for nonsense', () => {
    expect(parseAlarmTime('yesterday')).toBeUndefined();
  });
});

describe('parseAlarmNotification', () => {
  it('normalises a metric alarm, taking the region code from the ARN', () => {
    const result = only('sns-metric-alarm.json');
    const alarm = alarmOf(result);
    expect(result.kind === 'alarm' && result.messageId).toBe('a1b2c3d4-0001-5e6f-8a9b-000000000001');
    expect(alarm).toMatchObject({
      name: 'save-session-errors',
      accountId: '123456789012',
      region: 'eu-west-1',
      description: 'Errors of the save-session Lambda',
      newState: 'ALARM',
      oldState: 'OK',
      via: 'sns',
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:gumshoe-alarms',
      functions: ['conference-save-session-dynamodb-lambda'],
    });
    expect(alarm.stateChangeTime.toISOString()).toBe('2026-05-01T10:00:00.512Z');
    expect(alarm.condition).toEqual({
      kind: 'metric',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      stat: 'SUM',
      dimensions: [{ name: 'FunctionName', value: 'conference-save-session-dynamodb-lambda' }],
      period: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparison: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
    });
  });

  it('reads extended statistics and strips the TreatMissingData prefix', () => {
    const alarm = alarmOf(only('sns-insufficient-data.json'));
    expect(alarm.newState).toBe('INSUFFICIENT_DATA');
    expect(alarm.condition).toMatchObject({
      kind: 'metric',
      stat: 'p99',
      unit: 'Milliseconds',
      treatMissingData: 'missing',
    });
  });

  it('reads metric-math queries and finds the function in their dimensions', () => {
    const alarm = alarmOf(only('sns-metric-math.json'));
    expect(alarm.condition.kind).toBe('math');
    if (alarm.condition.kind !== 'math') return;
    expect(alarm.condition.queries.map((q) => q.id)).toEqual(['rate', 'errors', 'invocations']);
    expect(alarm.condition.queries[0]).toMatchObject({
      expression: '100 * errors / invocations',
      returnData: true,
    });
    expect(alarm.condition.queries[1]?.metric).toMatchObject({
      metricName: 'Errors',
      stat: 'Sum',
      period: 60,
    });
    expect(alarm.condition).toMatchObject({
      threshold: 5,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    expect(alarm.functions).toEqual(['conference-save-session-dynamodb-lambda']);
  });

  it.each([
    ['sns-composite.json', ['save-session-errors']],
    ['sns-composite-empty.json', []],
  ])('reads composite alarm %s with its triggering children', (name, children) => {
    const alarm = alarmOf(only(name));
    expect(alarm.condition.kind).toBe('composite');
    if (alarm.condition.kind !== 'composite') return;
    expect(alarm.condition.rule).toBe('ALARM("save-session-errors") OR ALARM("list-sessions-p99")');
    expect(alarm.condition.triggeringChildren.map((c) => c.name)).toEqual(children);
  });

  it('keeps the log lines a log alarm carries and derives the function from the log group', () => {
    const alarm = alarmOf(only('sns-log-alarm.json'));
    expect(alarm.condition).toMatchObject({
      kind: 'log',
      logGroups: ['/aws/lambda/conference-save-session-dynamodb-lambda'],
      threshold: 1,
      evaluationPeriods: 1,
    });
    expect(alarm.logLines).toHaveLength(2);
    expect(alarm.logLines[0]?.message).toContain('ConditionalCheckFailedException');
    expect(alarm.logLines[0]?.timestamp?.toISOString()).toBe(new Date(1777629594120).toISOString());
    expect(alarm.functions).toEqual(['conference-save-session-dynamodb-lambda']);
  });

  it('normalises the direct alarm-to-Lambda payload, threshold from reasonData', () => {
    const result = parseAlarmNotification(fixture('alarms', 'lambda-direct-metric.json'));
    const alarm = alarmOf(result);
    expect(alarm).toMatchObject({
      name: 'create-session-throttles',
      region: 'us-east-1',
      accountId: '210987654321',
      newState: 'ALARM',
      oldState: 'OK',
      via: 'lambda',
      description: 'Throttles of create-session',
      functions: ['conference-create-session-lambda'],
    });
    expect(alarm.condition).toMatchObject({
      kind: 'metric',
      metricName: 'Throttles',
      stat: 'Sum',
      threshold: 0,
    });
    expect(result.kind === 'alarm' && result.messageId).toBe(
      'arn:aws:cloudwatch:us-east-1:210987654321:alarm:create-session-throttles@2026-05-01T10:03:15.490Z#ALARM',
    );
  });

  it('reads a direct composite payload with triggering alarms from reasonData', () => {
    const alarm = alarmOf(parseAlarmNotification(fixture('alarms', 'lambda-direct-composite.json')));
    expect(alarm.condition).toMatchObject({
      kind: 'composite',
      triggeringChildren: [{ name: 'save-session-errors', state: 'ALARM' }],
    });
  });

  it.each([
    ['sns-malformed-message.json', /^Sns\.Message: not JSON/],
    ['sns-s3-test-event.json', /^Sns\.Message\.AlarmName:/],
    ['sns-plain-string.json', /^Sns\.Message: not JSON/],
    ['sns-missing-fields.json', /^Sns\.Message\.AWSAccountId:/],
  ])('keeps %s as unparsed with the failing path', (name, error) => {
    const result = only(name);
    expect(result.kind).toBe('unparsed');
    if (result.kind !== 'unparsed') return;
    expect(result.error).toMatch(error);
    expect(result.messageId).toMatch(/^a1b2c3d4-/);
    expect(result.topicArn).toBe('arn:aws:sns:eu-west-1:123456789012:gumshoe-alarms');
    expect(result.raw.length).toBeGreaterThan(0);
  });

  it('limits the raw text of an unparsed payload', () => {
    const result = parseAlarmNotification({ junk: 'x'.repeat(10_000) });
    expect(result.kind).toBe('unparsed');
    if (result.kind !== 'unparsed') return;
    expect(result.raw.length).toBe(UNPARSED_RAW_LIMIT);
    expect(result.error).toBe('Message.AlarmName: Invalid input: expected string, received undefined');
  });

  it('returns one result per record and never drops one', () => {
    const ok = fixture('alarms', 'sns-metric-ok.json') as { Records: unknown[] };
    const bad = fixture('alarms', 'sns-plain-string.json') as { Records: unknown[] };
    const results = parseAlarmNotifications({ Records: [...ok.Records, ...bad.Records] });
    expect(results.map((r) => r.kind)).toEqual(['alarm', 'unparsed']);
  });

  it('accepts the bare JSON text of an alarm message', () => {
    const record = (fixture('alarms', 'sns-metric-ok.json') as { Records: [{ Sns: { Message: string } }] })
      .Records[0];
    const alarm = alarmOf(parseAlarmNotification(record.Sns.Message));
    expect(alarm).toMatchObject({ newState: 'OK', oldState: 'ALARM' });
  });
});
