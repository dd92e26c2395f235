import { describe, expect, it } from 'vitest';
import {
  isSqsEvent,
  parseQueuedBody,
  parseQueuedNotifications,
} from '../../../src/commands/alarms/alarm-queue';
import { fixture } from './fixtures';

/** The body SNS writes into the alarm queue for the SNS fixture `name` (raw delivery off). */
function envelopeOf(name: string): string {
  const event = fixture('alarms', name) as { Records: { Sns: Record<string, unknown> }[] };
  const sns = event.Records[0]?.Sns ?? {};
  return JSON.stringify({
    Type: 'Notification',
    MessageId: sns.MessageId,
    TopicArn: sns.TopicArn,
    ...(sns.Subject ? { Subject: sns.Subject } : {}),
    Message: sns.Message,
    Timestamp: sns.Timestamp,
    SignatureVersion: '1',
    Signature: 'bG9jYWw=',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/x.pem',
    UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
  });
}

function sqsEvent(...bodies: string[]) {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `sqs-${i}`,
      receiptHandle: `rh-${i}`,
      body,
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:gumshoe-alarm-queue',
      awsRegion: 'eu-west-1',
    })),
  };
}

describe('isSqsEvent', () => {
  it('tells an SQS batch from an SNS event and a direct payload', () => {
    expect(isSqsEvent(sqsEvent('{}'))).toBe(true);
    expect(isSqsEvent(fixture('alarms', 'sns-metric-alarm.json'))).toBe(false);
    expect(isSqsEvent(fixture('alarms', 'lambda-direct-metric.json'))).toBe(false);
    expect(isSqsEvent({ Records: [] })).toBe(false);
  });
});

describe('parseQueuedNotifications', () => {
  it('keys an SNS envelope by its SNS MessageId and names the SQS record for batch item failures', () => {
    const event = fixture('alarms', 'sns-metric-alarm.json') as { Records: { Sns: { MessageId: string } }[] };
    const snsId = event.Records[0]?.Sns.MessageId;

    const [queued] = parseQueuedNotifications(sqsEvent(envelopeOf('sns-metric-alarm.json'))) ?? [];

    expect(queued?.itemIdentifier).toBe('sqs-0');
    expect(queued?.notification).toMatchObject({ kind: 'alarm', messageId: snsId });
    if (queued?.notification.kind !== 'alarm') throw new Error('expected an alarm');
    expect(queued.notification.alarm).toMatchObject({
      name: 'save-session-errors',
      via: 'sns',
      newState: 'ALARM',
    });
    expect(queued.source).toBe(envelopeOf('sns-metric-alarm.json'));
  });

  it('gives the same key to two deliveries of one SNS message in different SQS messages', () => {
    const body = envelopeOf('sns-metric-ok.json');

    const queued = parseQueuedNotifications(sqsEvent(body, body)) ?? [];

    expect(queued.map((q) => q.itemIdentifier)).toEqual(['sqs-0', 'sqs-1']);
    const ids = queued.map((q) => (q.notification.kind === 'alarm' ? q.notification.messageId : undefined));
    expect(ids[0]).toBeDefined();
    expect(ids[0]).toBe(ids[1]);
  });

  it('reads a direct alarm payload sent to the queue', () => {
    const body = JSON.stringify(fixture('alarms', 'lambda-direct-metric.json'));

    const [queued] = parseQueuedNotifications(sqsEvent(body)) ?? [];

    expect(queued?.notification).toMatchObject({
      kind: 'alarm',
      alarm: { name: 'create-session-throttles', via: 'lambda' },
    });
  });

  it('keeps a malformed body as unparsed, keyed by the SQS message id, and says which path failed', () => {
    const [notJson, notAlarm] =
      parseQueuedNotifications(sqsEvent('<<not json', envelopeOf('sns-malformed-message.json'))) ?? [];

    expect(notJson?.notification).toMatchObject({
      kind: 'unparsed',
      raw: '<<not json',
      messageId: 'sqs:sqs-0',
    });
    expect(notAlarm?.notification.kind).toBe('unparsed');
    if (notAlarm?.notification.kind !== 'unparsed') throw new Error('expected unparsed');
    // The SNS MessageId stays the key when the envelope itself was fine.
    expect(notAlarm.notification.messageId).not.toMatch(/^sqs:/);
    expect(notAlarm.notification.error).toMatch(/^Sns\.Message/);
  });

  it('returns undefined for an event that is no SQS batch', () => {
    expect(parseQueuedNotifications({ Records: [{ eventSource: 'aws:sqs', body: 'x' }] })).toBeUndefined();
    expect(parseQueuedNotifications(fixture('alarms', 'sns-metric-alarm.json'))).toBeUndefined();
  });
});

describe('parseQueuedBody', () => {
  it('treats an envelope of another Type (SubscriptionConfirmation) as unparsed, not as an alarm', () => {
    const body = JSON.stringify({
      Type: 'SubscriptionConfirmation',
      MessageId: 'm',
      TopicArn: 't',
      Message: 'hi',
    });

    const parsed = parseQueuedBody(body, 'q-1');

    expect(parsed.kind).toBe('unparsed');
  });
});
