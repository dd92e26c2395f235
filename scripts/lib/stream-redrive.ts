import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { z } from 'zod';
import { toDynamoDbRecord } from '../../src/local/event-sources/dynamodb-stream-event-source';

/**
 * The fields of Lambda's on-failure record for a stream batch that a re-drive needs: the function
 * and the batch's place in the stream (AWS sends no records, only where they are).
 */
export const StreamFailureMessage = z.object({
  requestContext: z.object({ functionArn: z.string().regex(/^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+/) }),
  DDBStreamBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().regex(/^\d+$/),
    endSequenceNumber: z.string().regex(/^\d+$/),
    streamArn: z.string().startsWith('arn:'),
  }),
});
export type StreamFailureMessage = z.infer<typeof StreamFailureMessage>;

/** What happened to one failure record. */
export interface RedriveOutcome {
  messageId: string;
  functionName?: string;
  records: number;
  result: 'redriven' | 'failed' | 'unreadable' | 'expired' | 'dry-run';
  detail?: string;
}

/** The AWS clients a re-drive uses (pointed at the local endpoint or at AWS). */
export interface RedriveClients {
  sqs: SQSClient;
  streams: DynamoDBStreamsClient;
  lambda: LambdaClient;
}

/** Options of {@link redriveStreamFailures}. */
export interface RedriveOptions {
  queueUrl: string;
  /** Invoke this function instead of the one named in each failure record. */
  functionName?: string;
  /** At most this many failure records per run. */
  max: number;
  /** Read and count, invoke nothing, delete nothing. */
  dryRun: boolean;
}

// Records are read from the stream; pages of an open shard may come back empty before the next record.
const MAX_EMPTY_PAGES = 5;

/** The batch's records, read back from the stream between its first and last sequence numbers. */
export async function readFailedBatch(
  streams: DynamoDBStreamsClient,
  info: StreamFailureMessage['DDBStreamBatchInfo'],
): Promise<StreamRecord[]> {
  const end = BigInt(info.endSequenceNumber);
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: info.streamArn,
      ShardId: info.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: info.startSequenceNumber,
    }),
  );
  const records: StreamRecord[] = [];
  let iterator = ShardIterator;
  for (let empty = 0; iterator && empty < MAX_EMPTY_PAGES; ) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    iterator = page.NextShardIterator;
    const batch = page.Records ?? [];
    if (batch.length === 0) empty += 1;
    for (const record of batch) {
      const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
      if (sequence > end) return records;
      records.push(record);
      if (sequence === end) return records;
    }
  }
  return records;
}

/** Which records the function reported as failed (Lambda's partial batch response), or undefined for none. */
function reportedFailures(payload: Uint8Array | undefined): string[] {
  if (!payload || payload.length === 0) return [];
  try {
    const parsed = z
      .object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })).optional() })
      .safeParse(JSON.parse(new TextDecoder().decode(payload)));
    return parsed.success ? (parsed.data.batchItemFailures ?? []).map((f) => f.itemIdentifier) : [];
  } catch {
    return [];
  }
}

/** Re-drives one failure record; resolves to what happened (the caller deletes it when redriven). */
async function redriveOne(
  clients: RedriveClients,
  message: Message,
  options: RedriveOptions,
): Promise<RedriveOutcome> {
  const messageId = message.MessageId ?? '?';
  let failure: StreamFailureMessage;
  try {
    const parsed = StreamFailureMessage.safeParse(JSON.parse(message.Body ?? ''));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        messageId,
        records: 0,
        result: 'unreadable',
        detail: `${issue?.path.join('.')}: ${issue?.message}`,
      };
    }
    failure = parsed.data;
  } catch {
    return { messageId, records: 0, result: 'unreadable', detail: 'not JSON' };
  }
  const functionName = options.functionName ?? failure.requestContext.functionArn.split(':')[6] ?? '';
  const info = failure.DDBStreamBatchInfo;
  let records: StreamRecord[];
  try {
    records = await readFailedBatch(clients.streams, info);
  } catch (error) {
    // TrimmedDataAccessException, ExpiredIteratorException, ResourceNotFoundException: past the 24 h retention.
    return { messageId, functionName, records: 0, result: 'expired', detail: (error as Error).name };
  }
  if (records.length === 0)
    return {
      messageId,
      functionName,
      records: 0,
      result: 'expired',
      detail: 'no records left in the stream',
    };
  if (options.dryRun) return { messageId, functionName, records: records.length, result: 'dry-run' };
  const region = info.streamArn.split(':')[3] ?? '';
  const event: { Records: DynamoDBRecord[] } = {
    Records: records.map((r) => toDynamoDbRecord(r, info.streamArn, region)),
  };
  const answer = await clients.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  if (answer.FunctionError)
    return {
      messageId,
      functionName,
      records: records.length,
      result: 'failed',
      detail: answer.FunctionError,
    };
  const failed = reportedFailures(answer.Payload);
  if (failed.length > 0)
    return {
      messageId,
      functionName,
      records: records.length,
      result: 'failed',
      detail: `${failed.length} record(s) reported failed again`,
    };
  return { messageId, functionName, records: records.length, result: 'redriven' };
}

/**
 * Re-drives a stream source's failure destination: for each failure record, reads the batch back
 * from the stream and invokes the function with it, synchronously; deletes the record once the
 * function handled every item, and leaves it (visible again) otherwise. The consumers are
 * idempotent per session, so records of the batch that had already succeeded are not redone.
 */
export async function redriveStreamFailures(
  clients: RedriveClients,
  options: RedriveOptions,
): Promise<RedriveOutcome[]> {
  const outcomes: RedriveOutcome[] = [];
  const kept: string[] = [];
  try {
    while (outcomes.length < options.max) {
      const { Messages } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - outcomes.length),
          // Hidden while this run holds them, so one run never sees a record twice.
          VisibilityTimeout: 900,
          WaitTimeSeconds: 0,
        }),
      );
      if (!Messages || Messages.length === 0) break;
      for (const message of Messages) {
        const outcome = await redriveOne(clients, message, options).catch(
          (error: unknown): RedriveOutcome => ({
            messageId: message.MessageId ?? '?',
            records: 0,
            result: 'failed',
            detail: `${(error as Error).name}: ${(error as Error).message}`,
          }),
        );
        outcomes.push(outcome);
        if (outcome.result === 'redriven')
          await clients.sqs.send(
            new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        else if (message.ReceiptHandle) kept.push(message.ReceiptHandle);
      }
    }
  } finally {
    // What was not re-driven is visible again at once, for the next run or a look in the console.
    for (const handle of kept)
      await clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: handle,
          VisibilityTimeout: 0,
        }),
      );
  }
  return outcomes;
}
