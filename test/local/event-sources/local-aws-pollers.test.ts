import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import {
  type EventSourceMapping,
  SdkQueueReceiver,
  SdkStreamReader,
  type SqsBatchOutcome,
  startDynamoDbStreamEventSource,
  startSqsEventSource,
} from '../../../src/local/event-sources';
import { FakeInvoker } from './fakes';

describe('event sources against the local AWS endpoint', () => {
  let aws: LocalAws;
  let config: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  const mappings: EventSourceMapping[] = [];

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, region: 'us-east-1' });
    config = {
      endpoint: aws.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    };
  });
  afterAll(async () => {
    await Promise.all(mappings.map((m) => m.stop()));
    await aws.close();
  });

  it('delivers SQS batches, deletes successes and lets a failing message reach the DLQ', async () => {
    const sqs = new SQSClient(config);
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'save-dlq' }));
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'save',
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      }),
    );
    const queueUrl = queue.QueueUrl ?? '';
    for (const body of ['a', 'bad', 'c'])
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const invoker = new FakeInvoker((event) => ({
      payload: {
        batchItemFailures: (event as SQSEvent).Records.filter((r) => r.body === 'bad').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      },
    }));
    const outcomes: SqsBatchOutcome[] = [];

    mappings.push(
      startSqsEventSource({
        receiver: new SdkQueueReceiver(sqs, queueUrl),
        invoker,
        functionName: 'save',
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:save',
        onBatch: (o) => outcomes.push(o),
      }),
    );

    await expect.poll(() => outcomes.flatMap((o) => o.deleted).length, { timeout: 3000 }).toBe(2);
    await expect
      .poll(
        async () =>
          (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 0 })))
            .Messages?.[0]?.Body,
        { timeout: 5000, interval: 200 },
      )
      .toBe('bad');
    const badDeliveries = invoker.events
      .flatMap((e) => (e as SQSEvent).Records)
      .filter((r) => r.body === 'bad');
    expect(badDeliveries.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(badDeliveries[0]?.eventSourceARN).toBe('arn:aws:sqs:us-east-1:000000000000:save');
    sqs.destroy();
  }, 10_000);

  it('feeds two independent mappings from one table stream, in order', async () => {
    const dynamodb = new DynamoDBClient(config);
    const streams = new DynamoDBStreamsClient(config);
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'sessions',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const notify = new FakeInvoker(() => ({}));
    const forward = new FakeInvoker(() => ({}));
    for (const [name, invoker] of [
      ['notify', notify],
      ['forward', forward],
    ] as const) {
      mappings.push(
        startDynamoDbStreamEventSource({
          reader: new SdkStreamReader(dynamodb, streams, 'sessions'),
          invoker,
          functionName: name,
          pollIntervalMs: 20,
        }),
      );
    }
    // LATEST: the mappings must have their iterators before the writes.
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (const id of ['s-1', 's-2', 's-3']) {
      await dynamodb.send(
        new PutItemCommand({ TableName: 'sessions', Item: { pk: { S: id }, title: { S: `t ${id}` } } }),
      );
    }

    const keys = (invoker: FakeInvoker) =>
      invoker.events.flatMap((e) => (e as DynamoDBStreamEvent).Records.map((r) => r.dynamodb?.Keys?.pk?.S));
    await expect.poll(() => keys(notify), { timeout: 3000 }).toEqual(['s-1', 's-2', 's-3']);
    await expect.poll(() => keys(forward), { timeout: 3000 }).toEqual(['s-1', 's-2', 's-3']);
    const record = (notify.events[0] as DynamoDBStreamEvent).Records[0];
    expect(record?.eventName).toBe('INSERT');
    expect(record?.eventSourceARN).toMatch(/^arn:aws:dynamodb:.*:table\/sessions\/stream\//);
    expect(record?.dynamodb?.NewImage).toEqual({ pk: { S: 's-1' }, title: { S: 't s-1' } });
    dynamodb.destroy();
    streams.destroy();
  }, 10_000);
});
