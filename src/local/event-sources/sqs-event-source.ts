import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { FunctionInvoker } from './function-invoker';
import { type EventSourceClock, type PollOnce, REAL_CLOCK, runPollerPool, SQS_SCALING } from './poller-pool';

/** ReceiveMessage returns at most this many messages per call. */
const SQS_RECEIVE_MAX = 10;
/** How often the batching window looks for more messages. */
const BATCH_POLL_MS = 50;

/** One received SQS message, in the SDK's shape. */
export type QueueMessage = Message;

/** What the SQS event source needs from a queue: receive (long polling) and delete. */
export interface QueueReceiver {
  receive(maxMessages: number, waitTimeSeconds: number, signal: AbortSignal): Promise<QueueMessage[]>;
  delete(receiptHandles: string[]): Promise<void>;
}

/** A QueueReceiver over the real SQS API (any endpoint). */
export class SdkQueueReceiver implements QueueReceiver {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async receive(maxMessages: number, waitTimeSeconds: number, signal: AbortSignal): Promise<QueueMessage[]> {
    const output = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: maxMessages,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return output.Messages ?? [];
  }

  async delete(receiptHandles: string[]): Promise<void> {
    for (let i = 0; i < receiptHandles.length; i += 10) {
      const entries = receiptHandles
        .slice(i, i + 10)
        .map((handle, n) => ({ Id: String(n), ReceiptHandle: handle }));
      await this.client.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
    }
  }
}

/** How one SQS → Lambda event source mapping is set up (defaults as deployed: batch 10, partial failures on). */
export interface SqsEventSourceOptions {
  receiver: QueueReceiver;
  invoker: FunctionInvoker;
  functionName: string;
  queueArn: string;
  /** Up to 10 as in AWS without a batching window; up to 10 000 with one (received 10 at a time). */
  batchSize?: number;
  /**
   * Gather messages for up to this long after the first one arrives before invoking (Lambda's
   * MaximumBatchingWindowInSeconds); 0 invokes with whatever one receive returned.
   */
  maximumBatchingWindowMs?: number;
  /** Long-poll wait per ReceiveMessage; short so a stop is quick. */
  waitTimeSeconds?: number;
  /** Pause after an error from the queue. */
  errorBackoffMs?: number;
  reportBatchItemFailures?: boolean;
  region?: string;
  /**
   * The most batches in flight at once: the mapping's MaximumConcurrency, or whatever else caps the
   * function (1,000, Lambda's own cap for one mapping, when undefined). Pollers start at five and
   * add up to 300 a minute while messages wait, as Lambda's do.
   */
  maxConcurrency?: number;
  /** Drives the pollers' scaling, the batching window and the error backoff (tests pass a manual one). */
  clock?: EventSourceClock;
  /** Told about each delivered batch (for logs and tests). */
  onBatch?: (outcome: SqsBatchOutcome) => void;
}

/** What happened to one batch. */
export interface SqsBatchOutcome {
  messageIds: string[];
  deleted: string[];
  /** Left on the queue: they come back after the visibility timeout. */
  retained: string[];
  functionError?: string;
}

/** A running event source mapping. */
export interface EventSourceMapping {
  stop(): Promise<void>;
}

/** The Lambda SQS record for one message. */
export function toSqsRecord(message: QueueMessage, queueArn: string, region: string): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? String(Date.now()),
    SenderId: system.SenderId ?? 'AIDALOCAL',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  for (const [key, value] of Object.entries(system)) if (value !== undefined) attributes[key] = value;
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: attributes as unknown as SQSRecord['attributes'],
    messageAttributes: toMessageAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function toMessageAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    result[name] = {
      dataType: (value.DataType ?? 'String') as SQSMessageAttributes[string]['dataType'],
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return result;
}

/** The message ids a handler reported as failed (`batchItemFailures`), or undefined when it reported none. */
export function failedItemIds(payload: unknown): string[] | undefined {
  if (typeof payload !== 'object' || payload === null || !('batchItemFailures' in payload)) return undefined;
  const failures = (payload as { batchItemFailures: unknown }).batchItemFailures;
  if (!Array.isArray(failures)) return undefined;
  return failures
    .map((f: unknown) =>
      typeof f === 'object' && f !== null ? (f as { itemIdentifier?: unknown }).itemIdentifier : f,
    )
    .map((id) => String(id));
}

/**
 * Starts polling a queue and invoking the function with batches, deleting what succeeded. Several
 * pollers run at once, each with its own batch, as Lambda's do: a message is in at most one batch
 * (the queue hides it while it is received), and each batch is settled on its own.
 */
export function startSqsEventSource(options: SqsEventSourceOptions): EventSourceMapping {
  const controller = new AbortController();
  const batchSize = options.batchSize ?? 10;
  const region = options.region ?? 'us-east-1';
  const reportFailures = options.reportBatchItemFailures ?? true;
  const clock = options.clock ?? REAL_CLOCK;

  async function deliver(messages: QueueMessage[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, options.queueArn, region)) };
    const result = await options.invoker.invoke(options.functionName, event);
    const ids = event.Records.map((r) => r.messageId);
    let failed: Set<string>;
    if (result.functionError !== undefined) {
      // A failed invocation returns the whole batch to the queue.
      failed = new Set(ids);
    } else {
      const reported = reportFailures ? failedItemIds(result.payload) : undefined;
      // An itemIdentifier that names no message of the batch makes Lambda treat the whole batch as failed.
      failed = new Set(reported ?? []);
      if (reported?.some((id) => !ids.includes(id))) failed = new Set(ids);
    }
    const succeeded = event.Records.filter((r) => !failed.has(r.messageId));
    if (succeeded.length > 0) await options.receiver.delete(succeeded.map((r) => r.receiptHandle));
    options.onBatch?.({
      messageIds: ids,
      deleted: succeeded.map((r) => r.messageId),
      retained: ids.filter((id) => failed.has(id)),
      ...(result.functionError === undefined ? {} : { functionError: result.functionError }),
    });
  }

  /** One poller's turn: receive, fill the batch, invoke, settle. */
  const pollOnce: PollOnce = async (received) => {
    try {
      const messages = await options.receiver.receive(
        Math.min(batchSize, SQS_RECEIVE_MAX),
        options.waitTimeSeconds ?? 1,
        controller.signal,
      );
      received(messages.length === 0 ? 'empty' : 'found');
      if (messages.length === 0) return 'empty';
      await deliver(await fillBatch(messages));
      return 'found';
    } catch (error) {
      if (controller.signal.aborted) return 'empty';
      process.stderr.write(`sqs event source ${options.functionName}: ${String(error)}\n`);
      await clock.sleep(options.errorBackoffMs ?? 500, controller.signal);
      return 'empty';
    }
  };

  /** Keeps receiving until the batch is full or the batching window closes. */
  async function fillBatch(first: QueueMessage[]): Promise<QueueMessage[]> {
    const batch = [...first];
    const windowEnd = clock.now() + (options.maximumBatchingWindowMs ?? 0);
    while (batch.length < batchSize && clock.now() < windowEnd && !controller.signal.aborted) {
      const more = await options.receiver.receive(
        Math.min(batchSize - batch.length, SQS_RECEIVE_MAX),
        0,
        controller.signal,
      );
      batch.push(...more);
      if (more.length === 0)
        await clock.sleep(Math.min(BATCH_POLL_MS, Math.max(1, windowEnd - clock.now())), controller.signal);
    }
    return batch;
  }

  const running = runPollerPool(
    {
      initial: SQS_SCALING.initial,
      max: Math.min(options.maxConcurrency ?? SQS_SCALING.max, SQS_SCALING.max),
      addedPerMinute: SQS_SCALING.addedPerMinute,
      clock,
      signal: controller.signal,
    },
    pollOnce,
  );
  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}
