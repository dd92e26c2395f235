import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DynamoDbStreamEventSourceOptions,
  fileFailureDestination,
  type StreamFailureRecord,
  startDynamoDbStreamEventSource,
} from '../../../src/local/event-sources/dynamodb-stream-event-source';
import type { EventSourceMapping } from '../../../src/local/event-sources/sqs-event-source';
import { FakeInvoker, FakeStream } from './fakes';

const ids = (event: unknown) => (event as DynamoDBStreamEvent).Records.map((r) => r.dynamodb?.Keys?.pk?.S);

describe('startDynamoDbStreamEventSource', () => {
  let mapping: EventSourceMapping | undefined;
  afterEach(() => mapping?.stop());

  function start(
    stream: FakeStream,
    invoker: FakeInvoker,
    options: Partial<DynamoDbStreamEventSourceOptions> = {},
  ) {
    mapping = startDynamoDbStreamEventSource({
      reader: stream,
      invoker,
      functionName: 'notify',
      startingPosition: 'TRIM_HORIZON',
      pollIntervalMs: 10,
      retryDelayMs: 5,
      ...options,
    });
  }

  it('delivers the shard in order, in batches, with Lambda record shape', async () => {
    const stream = new FakeStream();
    for (const id of ['a', 'b', 'c', 'd', 'e']) stream.put(id);
    const invoker = new FakeInvoker(() => ({ payload: null }));

    start(stream, invoker, { batchSize: 2 });

    await expect.poll(() => invoker.events.length).toBe(3);
    expect(invoker.events.map(ids)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    const record = (invoker.events[0] as DynamoDBStreamEvent).Records[0];
    expect(record).toMatchObject({
      eventID: 'e-a',
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: 'us-east-1',
      eventSourceARN: stream.arn,
      dynamodb: {
        ApproximateCreationDateTime: Date.parse('2026-11-24T15:00:00Z') / 1000,
        Keys: { pk: { S: 'a' } },
        NewImage: { title: { S: 'talk a' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  });

  it('starts at LATEST by default, skipping records written before it started', async () => {
    const stream = new FakeStream();
    stream.put('old');
    const invoker = new FakeInvoker(() => ({ payload: null }));
    start(stream, invoker, { startingPosition: undefined });
    await new Promise((resolve) => setTimeout(resolve, 50));

    stream.put('new');

    await expect.poll(() => invoker.events.length).toBe(1);
    expect(ids(invoker.events[0])).toEqual(['new']);
  });

  it('retries from the first failed sequence number, re-sending the records after it', async () => {
    const stream = new FakeStream();
    const sequence = ['a', 'b', 'c', 'd'].map((id) => stream.put(id));
    let failed = false;
    const invoker = new FakeInvoker(() => {
      if (failed) return { payload: { batchItemFailures: [] } };
      failed = true;
      // Report c and b: Lambda restarts at the lowest, b.
      return {
        payload: { batchItemFailures: [{ itemIdentifier: sequence[2] }, { itemIdentifier: sequence[1] }] },
      };
    });

    start(stream, invoker, { batchSize: 10 });

    await expect.poll(() => invoker.events.length).toBe(2);
    expect(invoker.events.map(ids)).toEqual([
      ['a', 'b', 'c', 'd'],
      ['b', 'c', 'd'],
    ]);
  });

  it('discards a batch to the on-failure destination after maximumRetryAttempts, then moves on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stream-failures-'));
    const stream = new FakeStream();
    stream.put('poison');
    const invoker = new FakeInvoker((event) =>
      ids(event).includes('poison') ? { functionError: 'Unhandled', payload: { errorType: 'Error' } } : {},
    );
    const failures: StreamFailureRecord[] = [];
    const toFile = fileFailureDestination(dir, 'notify');

    start(stream, invoker, {
      maximumRetryAttempts: 2,
      onFailure: async (failure) => {
        failures.push(failure);
        await toFile(failure);
      },
    });
    await expect.poll(() => failures.length).toBe(1);
    stream.put('next');

    await expect.poll(() => invoker.events.length).toBe(4);
    expect(invoker.events.map(ids)).toEqual([['poison'], ['poison'], ['poison'], ['next']]);
    expect(failures[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { functionError: 'Unhandled' },
      DDBStreamBatchInfo: { shardId: 'shardId-1', batchSize: 1, streamArn: stream.arn },
    });
    const lines = (await readFile(join(dir, 'notify.jsonl'), 'utf8')).trim().split('\n');
    expect(JSON.parse(lines[0] ?? '{}').records[0].dynamodb.Keys).toEqual({ pk: { S: 'poison' } });
    await rm(dir, { recursive: true });
  });

  it('bisects a failing batch so only the poison record is discarded', async () => {
    const stream = new FakeStream();
    for (const id of ['a', 'b', 'poison', 'd']) stream.put(id);
    const invoker = new FakeInvoker((event) =>
      ids(event).includes('poison') ? { functionError: 'Unhandled', payload: {} } : {},
    );
    const failures: StreamFailureRecord[] = [];

    start(stream, invoker, {
      maximumRetryAttempts: 0,
      bisectBatchOnFunctionError: true,
      onFailure: (f) => void failures.push(f),
    });

    await expect.poll(() => failures.length).toBe(1);
    const succeeded = invoker.events.filter((e) => !ids(e).includes('poison')).flatMap(ids);
    expect(succeeded).toEqual(['a', 'b', 'd']);
    expect(failures[0]?.records.map((r) => r.dynamodb?.Keys?.pk?.S)).toEqual(['poison']);
  });

  it('spaces retries out, doubling the wait, and sends the batch once the function recovers', async () => {
    const stream = new FakeStream();
    stream.put('a');
    let failuresLeft = 4;
    const invoker = new FakeInvoker(() =>
      failuresLeft-- > 0 ? { functionError: 'Unhandled', payload: {} } : { payload: null },
    );
    const waits: number[] = [];

    start(stream, invoker, {
      maximumRetryAttempts: 10,
      retryDelayMs: 500,
      maxRetryDelayMs: 2_000,
      retrySleep: async (ms) => void waits.push(ms),
    });

    await expect.poll(() => invoker.events.length).toBe(5);
    expect(waits).toEqual([500, 1000, 2000, 2000]);
  });

  it('sends a failing batch older than maximumRecordAgeMs to the failure destination', async () => {
    const stream = new FakeStream();
    stream.put('old');
    const invoker = new FakeInvoker(() => ({ functionError: 'Unhandled', payload: {} }));
    const failures: StreamFailureRecord[] = [];

    start(stream, invoker, {
      maximumRetryAttempts: 10,
      maximumRecordAgeMs: 60_000,
      // The fake stream's records were written at 15:00:00; now is two minutes later.
      now: () => Date.parse('2026-11-24T15:02:00Z'),
      retrySleep: async () => undefined,
      onFailure: (f) => void failures.push(f),
    });

    await expect.poll(() => failures.length).toBe(1);
    expect(invoker.events).toHaveLength(1);
    expect(failures[0]?.requestContext.condition).toBe('RecordAgeExceeded');
  });

  it('waits up to the batching window to fill a batch', async () => {
    const stream = new FakeStream();
    const invoker = new FakeInvoker(() => ({}));
    start(stream, invoker, { maximumBatchingWindowMs: 300, batchSize: 10 });
    await new Promise((resolve) => setTimeout(resolve, 30));

    stream.put('a');
    await new Promise((resolve) => setTimeout(resolve, 100));
    stream.put('b');

    await expect.poll(() => invoker.events.length).toBe(1);
    expect(ids(invoker.events[0])).toEqual(['a', 'b']);
  });
});
