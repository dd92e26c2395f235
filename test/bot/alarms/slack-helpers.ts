import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { alarmFixture } from './helpers';

/** The SNS metric-alarm fixture re-labelled as alarm `name` with message id `messageId`. */
export function snsAlarmRecord(
  name: string,
  messageId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const event = alarmFixture('sns-metric-alarm.json') as { Records: { Sns: Record<string, unknown> }[] };
  const record = event.Records[0];
  if (!record) throw new Error('fixture without a record');
  const message = JSON.parse(String(record.Sns.Message)) as Record<string, unknown>;
  const body = {
    ...message,
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
    ...overrides,
  };
  return { ...record, Sns: { ...record.Sns, MessageId: messageId, Message: JSON.stringify(body) } };
}

/** An SNS event of the given records. */
export function snsEvent(...records: Record<string, unknown>[]): { Records: Record<string, unknown>[] } {
  return { Records: records };
}

/**
 * A loopback proxy in front of the local Slack that answers HTTP 500 to chat.postMessage while
 * `failing` is true: the one failure the local Slack cannot produce itself.
 */
export async function startFailingProxy(target: string): Promise<{
  apiUrl: string;
  setFailing: (on: boolean) => void;
  failures: () => number;
  close: () => Promise<void>;
}> {
  let failing = false;
  let failures = 0;
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (failing && req.url?.includes('chat.postMessage')) {
      failures += 1;
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && k !== 'host') headers[k] = v;
    const upstream = await fetch(new URL(req.url ?? '/', target), {
      method: req.method ?? 'POST',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const outHeaders: Record<string, string> = {};
    upstream.headers.forEach((value, key) => {
      if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'content-encoding')
        outHeaders[key] = value;
    });
    res.writeHead(upstream.status, outHeaders);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    setFailing: (on) => {
      failing = on;
    },
    failures: () => failures,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The SQS record SNS writes for one SNS record (raw delivery off: the body is the SNS envelope JSON). */
export function sqsRecordOf(
  snsRecord: Record<string, unknown>,
  sqsMessageId: string,
): Record<string, unknown> {
  const sns = snsRecord.Sns as Record<string, unknown>;
  const envelope = {
    Type: 'Notification',
    MessageId: sns.MessageId,
    TopicArn: sns.TopicArn,
    ...(sns.Subject ? { Subject: sns.Subject } : {}),
    Message: sns.Message,
    Timestamp: sns.Timestamp ?? '2026-05-01T10:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'bG9jYWw=',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem',
    UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
  };
  return {
    messageId: sqsMessageId,
    receiptHandle: `rh-${sqsMessageId}`,
    body: JSON.stringify(envelope),
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:gumshoe-alarm-queue',
    awsRegion: 'eu-west-1',
  };
}
