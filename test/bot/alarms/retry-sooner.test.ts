import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { returnDeferredSooner } from '../../../src/bot/alarms/retry-sooner';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';

describe('returnDeferredSooner', () => {
  let aws: LocalAws;
  let sqs: SQSClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    sqs = new SQSClient({
      endpoint: aws.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    sqs.destroy();
    await aws.close();
  });

  /** A queue holding `n` messages, all received once (in flight for 10 min), as Lambda's SQSEvent. */
  async function receivedBatch(name: string, n: number) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const queueUrl = QueueUrl ?? '';
    for (let i = 0; i < n; i += 10)
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: Math.min(10, n - i) }, (_, j) => ({
            Id: `e${i + j}`,
            MessageBody: `body-${i + j}`,
          })),
        }),
      );
    const records: { messageId: string; receiptHandle: string; body: string; eventSource: 'aws:sqs' }[] = [];
    while (records.length < n) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
      );
      for (const m of out.Messages ?? [])
        records.push({
          messageId: m.MessageId ?? '',
          receiptHandle: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          eventSource: 'aws:sqs',
        });
    }
    return { queueUrl, event: { Records: records } };
  }

  it('makes only the deferred records visible again after the short delay, in batches of 10', async () => {
    const { queueUrl, event } = await receivedBatch('alarm-deferred', 14);
    const deferred = event.Records.slice(0, 12).map((r) => r.messageId);

    const result = await returnDeferredSooner(sqs, {
      queueUrl,
      event,
      itemIdentifiers: deferred,
      delaySeconds: 0,
      log: () => {},
    });
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    const againToo = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );

    expect(result).toEqual({ shortened: 12, failed: 0 });
    const back = [...(again.Messages ?? []), ...(againToo.Messages ?? [])].map((m) => m.MessageId);
    expect(back.sort()).toEqual([...deferred].sort());
  });

  it('counts a record it cannot shorten and a dead endpoint as failed, without throwing', async () => {
    const { queueUrl, event } = await receivedBatch('alarm-stale', 2);
    const stale = {
      Records: event.Records.map((r, i) => (i === 0 ? { ...r, receiptHandle: 'not-a-handle' } : r)),
    };
    const logged: string[] = [];
    const log = (_level: string, message: string) => {
      logged.push(message);
    };

    const partly = await returnDeferredSooner(sqs, {
      queueUrl,
      event: stale,
      itemIdentifiers: stale.Records.map((r) => r.messageId),
      delaySeconds: 0,
      log,
    });
    const gone = await returnDeferredSooner(sqs, {
      queueUrl: `${queueUrl}-missing`,
      event,
      itemIdentifiers: [event.Records[0]?.messageId ?? ''],
      delaySeconds: 0,
      log,
    });

    expect(partly).toEqual({ shortened: 1, failed: 1 });
    expect(gone).toEqual({ shortened: 0, failed: 1 });
    expect(logged).toHaveLength(2);
  });
});
