import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type FunctionInvoker, sleep } from './function-invoker';
import type { EventSourceMapping } from './sqs-event-source';
import { failedItemIds } from './sqs-event-source';

/** One stream record, in the Streams API's shape. */
export type { StreamRecord };

/** Where to start reading a shard. */
export type ShardPosition =
  | { type: 'LATEST' | 'TRIM_HORIZON' }
  | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

/** A shard of the stream; a closed shard has an ending sequence number. */
export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
}

/** What the stream event source needs from a stream: its ARN, shards, iterators and records. */
export interface StreamReader {
  streamArn(): Promise<string>;
  listShards(): Promise<ShardInfo[]>;
  iterator(shardId: string, position: ShardPosition): Promise<string>;
  records(iterator: string, limit: number): Promise<{ records: StreamRecord[]; nextIterator?: string }>;
}

/** A StreamReader over the real DynamoDB and DynamoDB Streams APIs (any endpoint). */
export class SdkStreamReader implements StreamReader {
  private arn: string | undefined;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly streams: DynamoDBStreamsClient,
    private readonly tableName: string,
  ) {}

  async streamArn(): Promise<string> {
    if (this.arn !== undefined) return this.arn;
    const table = await this.dynamodb.send(new DescribeTableCommand({ TableName: this.tableName }));
    const arn = table.Table?.LatestStreamArn;
    if (arn === undefined) throw new Error(`table ${this.tableName} has no stream enabled`);
    this.arn = arn;
    return arn;
  }

  async listShards(): Promise<ShardInfo[]> {
    const StreamArn = await this.streamArn();
    const shards: ShardInfo[] = [];
    let ExclusiveStartShardId: string | undefined;
    do {
      const output = await this.streams.send(new DescribeStreamCommand({ StreamArn, ExclusiveStartShardId }));
      for (const shard of output.StreamDescription?.Shards ?? []) {
        if (shard.ShardId === undefined) continue;
        shards.push({
          shardId: shard.ShardId,
          ...(shard.ParentShardId === undefined ? {} : { parentShardId: shard.ParentShardId }),
        });
      }
      ExclusiveStartShardId = output.StreamDescription?.LastEvaluatedShardId;
    } while (ExclusiveStartShardId !== undefined);
    return shards;
  }

  async iterator(shardId: string, position: ShardPosition): Promise<string> {
    const output = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: await this.streamArn(),
        ShardId: shardId,
        ShardIteratorType: position.type,
        ...('sequenceNumber' in position ? { SequenceNumber: position.sequenceNumber } : {}),
      }),
    );
    if (output.ShardIterator === undefined) throw new Error(`no iterator for shard ${shardId}`);
    return output.ShardIterator;
  }

  async records(
    iterator: string,
    limit: number,
  ): Promise<{ records: StreamRecord[]; nextIterator?: string }> {
    const output = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    return {
      records: output.Records ?? [],
      ...(output.NextShardIterator === undefined ? {} : { nextIterator: output.NextShardIterator }),
    };
  }
}

/** The record Lambda's on-failure destination receives for a discarded stream batch (plus the records, locally). */
export interface StreamFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: { functionError?: string };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    batchSize: number;
    streamArn: string;
  };
  records: DynamoDBRecord[];
}

/** How one stream → Lambda event source mapping is set up (defaults as deployed in the conference stack). */
export interface DynamoDbStreamEventSourceOptions {
  reader: StreamReader;
  invoker: FunctionInvoker;
  functionName: string;
  batchSize?: number;
  /** Wait up to this long to fill a batch (Lambda's MaximumBatchingWindowInSeconds, in ms). */
  maximumBatchingWindowMs?: number;
  startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  /** Retries of a failing batch; -1 retries until stopped (Lambda's default). */
  maximumRetryAttempts?: number;
  bisectBatchOnFunctionError?: boolean;
  reportBatchItemFailures?: boolean;
  pollIntervalMs?: number;
  /** The wait before the first retry of a failing batch; it doubles each retry, up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Records older than this are not retried but sent to the failure destination (MaximumRecordAgeInSeconds). */
  maximumRecordAgeMs?: number;
  /** The clock record ages are measured with, and the wait between retries (tests control both). */
  now?: () => number;
  retrySleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  region?: string;
  /** Where a batch goes once its retries are exhausted. */
  onFailure?: (failure: StreamFailureRecord) => void | Promise<void>;
  /** Told about each invocation (for logs and tests). */
  onInvoke?: (sequenceNumbers: string[], outcome: 'ok' | 'partial' | 'error') => void;
}

/** Turns a Streams API record into the record Lambda hands the function. */
export function toDynamoDbRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  const dynamodb: NonNullable<DynamoDBRecord['dynamodb']> = {
    ...(created === undefined
      ? {}
      : { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) }),
    ...(data.Keys === undefined
      ? {}
      : { Keys: data.Keys as NonNullable<DynamoDBRecord['dynamodb']>['Keys'] }),
    ...(data.NewImage === undefined
      ? {}
      : { NewImage: data.NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] }),
    ...(data.OldImage === undefined
      ? {}
      : { OldImage: data.OldImage as NonNullable<DynamoDBRecord['dynamodb']>['OldImage'] }),
    ...(data.SequenceNumber === undefined ? {} : { SequenceNumber: data.SequenceNumber }),
    ...(data.SizeBytes === undefined ? {} : { SizeBytes: data.SizeBytes }),
    ...(data.StreamViewType === undefined ? {} : { StreamViewType: data.StreamViewType }),
  };
  return {
    ...(record.eventID === undefined ? {} : { eventID: record.eventID }),
    ...(record.eventName === undefined ? {} : { eventName: record.eventName }),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? region,
    dynamodb,
    eventSourceARN: streamArn,
    ...(record.userIdentity === undefined
      ? {}
      : { userIdentity: record.userIdentity as NonNullable<DynamoDBRecord['userIdentity']> }),
  };
}

/** An on-failure destination appending each discarded batch as a JSON line to `<dir>/<function>.jsonl`. */
export function fileFailureDestination(
  dir: string,
  functionName: string,
): (failure: StreamFailureRecord) => Promise<void> {
  return async (failure) => {
    await mkdir(dir, { recursive: true });
    await appendFile(join(dir, `${functionName}.jsonl`), `${JSON.stringify(failure)}\n`);
  };
}

/** Starts reading every shard of a stream and invoking the function with ordered batches. */
export function startDynamoDbStreamEventSource(
  options: DynamoDbStreamEventSourceOptions,
): EventSourceMapping {
  const controller = new AbortController();
  const { signal } = controller;
  const batchSize = options.batchSize ?? 10;
  const region = options.region ?? 'us-east-1';
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const maxRetries = options.maximumRetryAttempts ?? -1;
  const started = new Map<string, Promise<void>>();
  // The last sequence number handled per shard, so a restarted shard reader resumes after it.
  const checkpoints = new Map<string, string>();
  let streamArn = '';

  type Delivery = { ok: true } | { ok: false; fromIndex: number; functionError?: string };

  async function invokeOnce(records: StreamRecord[]): Promise<Delivery> {
    const event: DynamoDBStreamEvent = {
      Records: records.map((r) => toDynamoDbRecord(r, streamArn, region)),
    };
    const sequenceNumbers = records.map((r) => r.dynamodb?.SequenceNumber ?? '');
    const result = await options.invoker.invoke(options.functionName, event);
    if (result.functionError !== undefined) {
      options.onInvoke?.(sequenceNumbers, 'error');
      return { ok: false, fromIndex: 0, functionError: result.functionError };
    }
    const failed = options.reportBatchItemFailures === false ? undefined : failedItemIds(result.payload);
    if (failed === undefined || failed.length === 0) {
      options.onInvoke?.(sequenceNumbers, 'ok');
      return { ok: true };
    }
    options.onInvoke?.(sequenceNumbers, 'partial');
    // Lambda restarts from the lowest failed sequence number; an unknown one fails the whole batch.
    const indexes = failed.map((id) => sequenceNumbers.indexOf(id));
    const fromIndex = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
    return { ok: false, fromIndex };
  }

  async function deliver(shardId: string, batch: StreamRecord[]): Promise<void> {
    let records = batch;
    let attempts = 0;
    while (!signal.aborted && records.length > 0) {
      const outcome = await invokeOnce(records);
      attempts += 1;
      if (outcome.ok) return;
      records = records.slice(outcome.fromIndex);
      if (
        outcome.functionError !== undefined &&
        options.bisectBatchOnFunctionError === true &&
        records.length > 1
      ) {
        // Bisect: retry each half on its own, so one bad record does not hold back the good ones.
        const half = Math.ceil(records.length / 2);
        await deliver(shardId, records.slice(0, half));
        await deliver(shardId, records.slice(half));
        return;
      }
      if (maxRetries >= 0 && attempts > maxRetries) {
        await discard(shardId, records, attempts, 'RetryAttemptsExhausted', outcome.functionError);
        return;
      }
      if (tooOld(records)) {
        await discard(shardId, records, attempts, 'RecordAgeExceeded', outcome.functionError);
        return;
      }
      // Spaced out: an outage of a few seconds is outlasted instead of burning every retry at once.
      const base = options.retryDelayMs ?? 500;
      const delayMs = Math.min(options.maxRetryDelayMs ?? 30_000, base * 2 ** (attempts - 1));
      await (options.retrySleep ?? sleep)(delayMs, signal);
    }
  }

  function tooOld(records: StreamRecord[]): boolean {
    const created = records[0]?.dynamodb?.ApproximateCreationDateTime;
    if (options.maximumRecordAgeMs === undefined || created === undefined) return false;
    return (options.now ?? Date.now)() - new Date(created).getTime() > options.maximumRecordAgeMs;
  }

  async function discard(
    shardId: string,
    records: StreamRecord[],
    attempts: number,
    condition: StreamFailureRecord['requestContext']['condition'],
    functionError?: string,
  ) {
    const failure: StreamFailureRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        functionArn: `arn:aws:lambda:${region}:000000000000:function:${options.functionName}`,
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: functionError === undefined ? {} : { functionError },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
        endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '',
        batchSize: records.length,
        streamArn,
      },
      records: records.map((r) => toDynamoDbRecord(r, streamArn, region)),
    };
    process.stderr.write(
      `stream event source ${options.functionName}: discarded ${records.length} record(s) after ${attempts} attempt(s)\n`,
    );
    await options.onFailure?.(failure);
  }

  async function readShard(shardId: string, position: ShardPosition): Promise<void> {
    let iterator: string | undefined = await options.reader.iterator(shardId, position);
    const buffer: StreamRecord[] = [];
    let firstBufferedAt = 0;
    while (!signal.aborted && iterator !== undefined) {
      const page: { records: StreamRecord[]; nextIterator?: string } = await options.reader.records(
        iterator,
        batchSize,
      );
      iterator = page.nextIterator;
      if (buffer.length === 0 && page.records.length > 0) firstBufferedAt = Date.now();
      buffer.push(...page.records);
      const windowOver = Date.now() - firstBufferedAt >= (options.maximumBatchingWindowMs ?? 0);
      // Batches go out in shard order, one at a time, like Lambda's per-shard poller.
      while (buffer.length >= batchSize || (buffer.length > 0 && (windowOver || iterator === undefined))) {
        const batch = buffer.splice(0, batchSize);
        await deliver(shardId, batch);
        if (signal.aborted) return;
        const last = batch.at(-1)?.dynamodb?.SequenceNumber;
        if (last !== undefined) checkpoints.set(shardId, last);
      }
      if (page.records.length === 0) await sleep(pollIntervalMs, signal);
    }
  }

  async function discoverShards(firstRun: boolean): Promise<void> {
    const shards = await options.reader.listShards();
    for (const shard of shards) {
      if (started.has(shard.shardId)) continue;
      // Shards found at start begin at the configured position; later ones (children) from their start.
      const checkpoint = checkpoints.get(shard.shardId);
      const position: ShardPosition =
        checkpoint !== undefined
          ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint }
          : { type: firstRun ? (options.startingPosition ?? 'LATEST') : 'TRIM_HORIZON' };
      const reading = readShard(shard.shardId, position).catch((error: unknown) => {
        if (!signal.aborted)
          process.stderr.write(`stream event source ${options.functionName}: ${String(error)}\n`);
        started.delete(shard.shardId);
      });
      started.set(shard.shardId, reading);
    }
  }

  async function supervise(): Promise<void> {
    let firstRun = true;
    while (!signal.aborted) {
      try {
        streamArn = await options.reader.streamArn();
        await discoverShards(firstRun);
        firstRun = false;
      } catch (error) {
        if (!signal.aborted)
          process.stderr.write(`stream event source ${options.functionName}: ${String(error)}\n`);
      }
      await sleep(1000, signal);
    }
    await Promise.allSettled([...started.values()]);
  }

  const running = supervise();
  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}
