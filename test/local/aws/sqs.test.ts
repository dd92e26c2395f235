import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { clientConfig, corruptBody, rejectionOf } from './helpers';

describe('local SQS endpoint', () => {
  let aws: LocalAws;
  let sqs: SQSClient;
  const captured: Record<string, string>[] = [];

  const createQueue = async (QueueName: string, Attributes?: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName, ...(Attributes ? { Attributes } : {}) })))
      .QueueUrl as string;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    sqs = new SQSClient(clientConfig(aws.url));
    sqs.middlewareStack.add(
      (next) => async (args) => {
        captured.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
  });

  afterAll(async () => {
    sqs.destroy();
    await aws.close();
  });

  it('is spoken to in awsJson1_0 with X-Amz-Target AmazonSQS.<Op> and query-compatible mode', async () => {
    await createQueue('protocol');
    await sqs.send(new GetQueueUrlCommand({ QueueName: 'protocol' }));
    const last = captured.at(-1) ?? {};
    expect(last['x-amz-target']).toBe('AmazonSQS.GetQueueUrl');
    expect(last['content-type']).toBe('application/x-amz-json-1.0');
    expect(last['x-amzn-query-mode']).toBe('true');
  });

  it('creates queues with URL and ARN in the local account and reports attributes', async () => {
    const url = await createQueue('orders', { VisibilityTimeout: '5' });
    const again = await createQueue('orders', { VisibilityTimeout: '5' });
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(url).toBe(`${aws.url}/000000000000/orders`);
    expect(again).toBe(url);
    expect(found.QueueUrl).toBe(url);
    expect(attrs.Attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:orders',
      ApproximateNumberOfMessages: '1',
      VisibilityTimeout: '5',
    });
    const conflict = await rejectionOf(createQueue('orders', { VisibilityTimeout: '9' }));
    expect(conflict.name).toBe('QueueNameExists');
  });

  it('sends with the real MD5s and receives with attributes and receive counts', async () => {
    const url = await createQueue('md5');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'héllo',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
      }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const message = received.Messages?.[0];
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('héllo').digest('hex'));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(message?.Body).toBe('héllo');
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.MessageAttributes?.kind?.StringValue).toBe('greeting');
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('hides a received message for its visibility timeout and deletes it by receipt handle', async () => {
    const url = await createQueue('visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 30 }));
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const handle = first.Messages?.[0]?.ReceiptHandle as string;
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    );
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(hidden.Messages ?? []).toEqual([]);
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    const stale = await rejectionOf(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: handle })),
    );
    expect(stale).toBeInstanceOf(ReceiptHandleIsInvalid);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages?.[0]?.ReceiptHandle }),
    );
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attrs.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('makes a message visible again once its visibility timeout expires', async () => {
    const url = await createQueue('expiry', { VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retry me' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const started = Date.now();
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    expect(back.Messages?.[0]?.Body).toBe('retry me');
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('returns a long poll early when a message arrives', async () => {
    const url = await createQueue('long-poll');
    const started = Date.now();
    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' })), 150);
    const out = await poll;
    expect(out.Messages?.[0]?.Body).toBe('late');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('waits out WaitTimeSeconds on an empty queue and returns no messages', async () => {
    const url = await createQueue('empty');
    const started = Date.now();
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(out.Messages ?? []).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const dlqUrl = await createQueue('work-dlq');
    const url = await createQueue('work', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:work-dlq',
        maxReceiveCount: 2,
      }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    const receives: number[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
      receives.push(out.Messages?.length ?? 0);
    }
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['All'] }),
    );
    expect(receives).toEqual([1, 1, 0]);
    expect(dead.Messages?.[0]?.Body).toBe('poison');
  });

  it('sends and deletes in batches, reporting bad receipt handles per entry', async () => {
    const url = await createQueue('batch');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'A' },
          { Id: 'b', MessageBody: 'B' },
        ],
      }),
    );
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...(received.Messages ?? []).map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
          { Id: 'bad', ReceiptHandle: 'nope' },
        ],
      }),
    );
    expect(sent.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(received.Messages?.map((m) => m.Body)).toEqual(['A', 'B']);
    expect(deleted.Successful?.map((s) => s.Id)).toEqual(['m0', 'm1']);
    expect(deleted.Failed?.map((f) => [f.Id, f.Code])).toEqual([['bad', 'ReceiptHandleIsInvalid']]);
    const empty = await rejectionOf(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(empty.name).toBe('EmptyBatchRequest');
  });

  it('answers an unknown queue with QueueDoesNotExist via the query-compatible error code', async () => {
    const err = await rejectionOf(
      sqs.send(new SendMessageCommand({ QueueUrl: `${aws.url}/000000000000/missing`, MessageBody: 'x' })),
    );
    expect(err).toBeInstanceOf(QueueDoesNotExist);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect((err as unknown as { Code?: string }).Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
  });

  it('answers a missing parameter and malformed JSON with 400s and keeps serving', async () => {
    const missing = await rejectionOf(
      sqs.send(new SendMessageCommand({ QueueUrl: `${aws.url}/000000000000/orders` } as never)),
    );
    const broken = new SQSClient(clientConfig(aws.url));
    broken.middlewareStack.add(corruptBody('{"QueueName":'), { step: 'finalizeRequest' });
    const malformed = await rejectionOf(broken.send(new GetQueueUrlCommand({ QueueName: 'orders' })));
    broken.destroy();
    expect([missing.name, missing.$metadata?.httpStatusCode]).toEqual(['MissingParameter', 400]);
    expect([malformed.name, malformed.$metadata?.httpStatusCode]).toEqual(['SerializationException', 400]);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).resolves.toBeDefined();
  });
});
