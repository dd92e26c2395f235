import { CreateTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Topology } from '../topology';
import {
  type EventSourceMapping,
  type FunctionInvoker,
  SdkQueueReceiver,
  SdkStreamReader,
  SQS_SCALING,
  type StreamFailureRecord,
  startDynamoDbStreamEventSource,
  startSqsEventSource,
} from './event-sources';
import { DEFAULT_MAX_CONCURRENCY } from './runner';
import { createTableInput, queueAttributes, queuesInCreationOrder } from './topology-plan';

/** A queue created locally. */
export interface LocalQueue {
  url: string;
  arn: string;
}

/** Creates every table of the description that does not exist yet (they persist in the data folder). */
export async function createTables(client: DynamoDBClient, topology: Topology): Promise<void> {
  for (const spec of Object.values(topology.tables)) {
    try {
      await client.send(new CreateTableCommand(createTableInput(spec)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}

/** Creates every queue of the description, dead-letter queues first, with the deployed attributes. */
export async function createQueues(
  client: SQSClient,
  topology: Topology,
): Promise<Record<string, LocalQueue>> {
  const queues: Record<string, LocalQueue> = {};
  for (const [key, spec] of queuesInCreationOrder(topology)) {
    const deadLetterArn = spec.deadLetter ? queues[spec.deadLetter.queue]?.arn : undefined;
    const created = await client.send(
      new CreateQueueCommand({ QueueName: spec.name, Attributes: queueAttributes(spec, deadLetterArn) }),
    );
    if (!created.QueueUrl) throw new Error(`CreateQueue returned no QueueUrl for ${spec.name}`);
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const arn = attributes.Attributes?.QueueArn;
    if (!arn) throw new Error(`no QueueArn for ${spec.name}`);
    queues[key] = { url: created.QueueUrl, arn };
  }
  return queues;
}

/** Options of {@link startEventSources}. */
export interface LocalEventSourcesOptions {
  topology: Topology;
  queues: Readonly<Record<string, LocalQueue>>;
  invoker: FunctionInvoker;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  region: string;
  /** How often the stream pollers look for records (ms). */
  pollIntervalMs: number;
  /** A shorter batching window per function key than the deployed one (tests). */
  batchingWindowMs?: Readonly<Record<string, number>>;
  /** The wait before a failing stream batch's first retry and its cap (Lambda's backoff; tests shorten it). */
  streamRetryDelayMs?: { first: number; max: number };
  /**
   * How many environments the local runner runs per function: the local stand-in for the
   * concurrency Lambda has for it, so no poller holds a batch the runner cannot start.
   */
  functionConcurrency?: number;
}

/** One running event source mapping and the settings it was started with (for the parity test). */
export interface LocalEventSource {
  mapping: EventSourceMapping;
  functionName: string;
  /** The queue or table name it reads. */
  sourceName: string;
  batchSize: number;
  maxBatchingWindowMs: number;
  reportBatchItemFailures: boolean;
  /**
   * The most batches in flight at once: for a queue, the mapping's MaximumConcurrency or the
   * function's local concurrency, whichever is lower; for a stream, one per shard.
   */
  concurrency: number;
  stream?: {
    /** Batches per shard at once: the local reader runs one, the deployed factor is 1 too. */
    parallelizationFactor: 1;
    startingPosition: 'LATEST' | 'TRIM_HORIZON';
    retryAttempts: number;
    bisectBatchOnError: boolean;
    maxRecordAgeSeconds: number;
    /** The name of the queue discarded batches go to. */
    onFailureQueue: string;
  };
}

/** Starts every event source mapping of the description with its deployed batch settings. */
export function startEventSources(options: LocalEventSourcesOptions): LocalEventSource[] {
  const { topology, queues } = options;
  const queueOf = (key: string): LocalQueue => {
    const queue = queues[key];
    if (!queue) throw new Error(`queue ${key} was not created`);
    return queue;
  };
  return topology.eventSources.map((source) => {
    const fn = topology.functions[source.function];
    if (!fn) throw new Error(`no function ${source.function}`);
    const windowMs = options.batchingWindowMs?.[source.function] ?? source.maxBatchingWindowSeconds * 1000;
    if (source.type === 'sqs') {
      const queue = queueOf(source.queue);
      const concurrency = Math.min(
        source.maxConcurrency ?? SQS_SCALING.max,
        options.functionConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      );
      const mapping = startSqsEventSource({
        receiver: new SdkQueueReceiver(options.sqs, queue.url),
        invoker: options.invoker,
        functionName: fn.name,
        queueArn: queue.arn,
        batchSize: source.batchSize,
        ...(windowMs > 0 ? { maximumBatchingWindowMs: windowMs } : {}),
        waitTimeSeconds: 1,
        reportBatchItemFailures: source.reportBatchItemFailures,
        region: options.region,
        maxConcurrency: concurrency,
      });
      return {
        mapping,
        functionName: fn.name,
        sourceName: queueName(topology, source.queue),
        batchSize: source.batchSize,
        maxBatchingWindowMs: windowMs,
        reportBatchItemFailures: source.reportBatchItemFailures,
        concurrency,
      };
    }
    const table = topology.tables[source.table];
    if (!table) throw new Error(`no table ${source.table}`);
    const destination = queueOf(source.onFailureQueue);
    const mapping = startDynamoDbStreamEventSource({
      reader: new SdkStreamReader(options.dynamodb, options.streams, table.name),
      invoker: options.invoker,
      functionName: fn.name,
      batchSize: source.batchSize,
      maximumBatchingWindowMs: windowMs,
      startingPosition: source.startingPosition,
      maximumRetryAttempts: source.retryAttempts,
      bisectBatchOnFunctionError: source.bisectBatchOnError,
      maximumRecordAgeMs: source.maxRecordAgeSeconds * 1000,
      reportBatchItemFailures: source.reportBatchItemFailures,
      pollIntervalMs: options.pollIntervalMs,
      region: options.region,
      ...(options.streamRetryDelayMs
        ? { retryDelayMs: options.streamRetryDelayMs.first, maxRetryDelayMs: options.streamRetryDelayMs.max }
        : {}),
      onFailure: sqsFailureDestination(options.sqs, destination.url),
    });
    return {
      mapping,
      functionName: fn.name,
      sourceName: table.name,
      batchSize: source.batchSize,
      maxBatchingWindowMs: windowMs,
      reportBatchItemFailures: source.reportBatchItemFailures,
      concurrency: 1,
      stream: {
        parallelizationFactor: 1,
        startingPosition: source.startingPosition,
        retryAttempts: source.retryAttempts,
        bisectBatchOnError: source.bisectBatchOnError,
        maxRecordAgeSeconds: source.maxRecordAgeSeconds,
        onFailureQueue: queueName(topology, source.onFailureQueue),
      },
    };
  });
}

function queueName(topology: Topology, key: string): string {
  const queue = topology.queues[key];
  if (!queue) throw new Error(`no queue ${key}`);
  return queue.name;
}

/** The on-failure destination of a stream source: the discarded batch's record, sent to the queue as deployed. */
export function sqsFailureDestination(
  client: SQSClient,
  queueUrl: string,
): (failure: StreamFailureRecord) => Promise<void> {
  return async (failure) => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(failure) }));
  };
}
