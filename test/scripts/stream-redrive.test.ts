import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { redriveStreamFailures } from '../../scripts/lib/stream-redrive';

// Lambda's on-failure record as AWS sends it for a DynamoDB stream batch: where the records are, not the records.
const awsFailureRecord = JSON.stringify({
  requestContext: {
    requestId: '316aa6d0-8154-4e52-9f3a-0fbc5b1b8b2c',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:conference-slack-notification-lambda',
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 11,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2026-12-04T08:00:00.000Z',
  DDBStreamBatchInfo: {
    shardId: 'shardId-00000001733300000000-abcdef12',
    startSequenceNumber: '4200000000000000000001',
    endSequenceNumber: '4200000000000000000002',
    approximateArrivalOfFirstRecord: '2026-12-04T07:59:00Z',
    approximateArrivalOfLastRecord: '2026-12-04T07:59:01Z',
    batchSize: 2,
    streamArn:
      'arn:aws:dynamodb:eu-west-1:123456789012:table/conference-sessions/stream/2026-12-01T00:00:00.000',
  },
});

describe('redriveStreamFailures against AWS-only answers', () => {
  const sqs = mockClient(SQSClient);
  const streams = mockClient(DynamoDBStreamsClient);
  const lambda = mockClient(LambdaClient);
  const clients = () => ({
    sqs: new SQSClient({}),
    streams: new DynamoDBStreamsClient({}),
    lambda: new LambdaClient({}),
  });
  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/conference-stream-dlq';

  beforeEach(() => {
    sqs.reset();
    streams.reset();
    lambda.reset();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: awsFailureRecord }] })
      .resolves({ Messages: [] });
  });

  it('reports a batch past the 24 h stream retention as expired and leaves it visible in the queue', async () => {
    // Arrange: DynamoDB Streams has trimmed the records.
    streams
      .on(GetShardIteratorCommand)
      .rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));

    // Act
    const outcomes = await redriveStreamFailures(clients(), { queueUrl, max: 10, dryRun: false });

    // Assert
    expect(outcomes).toEqual([
      expect.objectContaining({ messageId: 'm1', result: 'expired', detail: 'TrimmedDataAccessException' }),
    ]);
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      ReceiptHandle: 'r1',
      VisibilityTimeout: 0,
    });
  });

  it('reads the batch from its first to its last sequence number and invokes the function the record names', async () => {
    // Arrange: the shard also holds a later record, which must not be re-driven.
    const record = (n: string) => ({
      eventID: n,
      eventName: 'INSERT' as const,
      dynamodb: { SequenceNumber: n, Keys: { pk: { S: n } }, NewImage: { pk: { S: n } } },
    });
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand).resolves({
      Records: [
        record('4200000000000000000001'),
        record('4200000000000000000002'),
        record('4200000000000000000003'),
      ],
      NextShardIterator: 'it-2',
    });
    // The SDK's Payload is bytes that can also read themselves as text.
    const answer = '{"batchItemFailures":[]}';
    const payload = Object.assign(new TextEncoder().encode(answer), { transformToString: () => answer });
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload });

    // Act
    const outcomes = await redriveStreamFailures(clients(), { queueUrl, max: 10, dryRun: false });

    // Assert
    expect(outcomes).toEqual([expect.objectContaining({ result: 'redriven', records: 2 })]);
    expect(streams).toHaveReceivedCommandWith(GetShardIteratorCommand, {
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: '4200000000000000000001',
    });
    const invoke = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(invoke?.FunctionName).toBe('conference-slack-notification-lambda');
    expect(invoke?.InvocationType).toBe('RequestResponse');
    const event = JSON.parse(new TextDecoder().decode(invoke?.Payload as Uint8Array)) as {
      Records: { eventSource: string; awsRegion: string; dynamodb: { SequenceNumber: string } }[];
    };
    expect(event.Records.map((r) => r.dynamodb.SequenceNumber)).toEqual([
      '4200000000000000000001',
      '4200000000000000000002',
    ]);
    expect(event.Records[0]).toMatchObject({ eventSource: 'aws:dynamodb', awsRegion: 'eu-west-1' });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'r1' });
  });
});
