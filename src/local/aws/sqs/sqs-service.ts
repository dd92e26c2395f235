import { z } from 'zod';
import type { JsonOperation, JsonServiceDefinition, RequestContext } from '../registry';
import { parseInput } from '../validate';
import { LocalQueues, MAX_MESSAGE_BYTES, type Queue, type StoredQueue } from './local-queues';
import { receivedMessage } from './received-message';
import { checkBatch, failedEntry, MISSING, PARSE, queueDoesNotExist, sqsError } from './sqs-errors';
import {
  ChangeMessageVisibility,
  ChangeMessageVisibilityBatch,
  CreateQueue,
  DeleteMessage,
  DeleteMessageBatch,
  GetQueueAttributes,
  GetQueueUrl,
  queueUrl,
  ReceiveMessage,
  RedrivePolicy,
  SendMessage,
  SendMessageBatch,
} from './sqs-inputs';
import { sqsSnapshotFile } from './sqs-persistence';

/** Options of {@link createSqsService}. */
export interface SqsServiceOptions {
  readonly now?: () => number;
  /** Queues and their messages persist in `<dataDir>/sqs/queues.json` when set; in memory otherwise. */
  readonly dataDir?: string | undefined;
}

type Entry = { Id: string };
type BatchResult = { Successful: Entry[]; Failed: ReturnType<typeof failedEntry>[] };

const INVALID_HANDLE = 'The receipt handle is not valid.';
const NOT_IN_FLIGHT = 'The message referred to is not in flight.';

function redriveOf(attributes: Record<string, string>): Queue['redrive'] {
  if (!attributes.RedrivePolicy) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(attributes.RedrivePolicy);
  } catch {
    parsed = undefined;
  }
  const policy = RedrivePolicy.safeParse(parsed);
  if (!policy.success)
    throw sqsError(
      'InvalidAttributeValue',
      'InvalidAttributeValue',
      'Invalid value for the parameter RedrivePolicy.',
    );
  return policy.data;
}

/**
 * SQS (awsJson1_0 with awsQueryCompatible errors, `AmazonSQS.*`): standard queues with
 * visibility timeouts, long polling, batches and redrive to a dead-letter queue (`LocalQueues`).
 */
export function createSqsService(options: SqsServiceOptions = {}): JsonServiceDefinition & { close(): void } {
  const now = options.now ?? Date.now;
  const snapshotFile = sqsSnapshotFile<StoredQueue>(
    options.dataDir === undefined ? undefined : `${options.dataDir}/sqs/queues.json`,
  );
  const queues = new LocalQueues(now, snapshotFile.load());
  const snapshot = () => queues.snapshot();
  const queueUrlOf = (ctx: RequestContext, queue: Queue) =>
    `${ctx.endpointUrl}/${ctx.accountId}/${queue.name}`;

  const service = {
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0' as const,
    queryCompatible: true,
    operations: {
      CreateQueue(raw: Record<string, unknown>, ctx: RequestContext) {
        const input = parseInput(CreateQueue, raw, MISSING, PARSE);
        const attributes = input.Attributes ?? {};
        const existing = queues.named(input.QueueName);
        if (existing) {
          const differs = Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v);
          if (differs)
            throw sqsError(
              'QueueNameExists',
              'QueueAlreadyExists',
              'A queue already exists with the same name and a different value for attribute(s).',
            );
          return { QueueUrl: queueUrlOf(ctx, existing) };
        }
        const queue: Queue = {
          name: input.QueueName,
          arn: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${input.QueueName}`,
          createdAt: now(),
          attributes,
          visibilityTimeout: Number(attributes.VisibilityTimeout ?? 30),
          redrive: redriveOf(attributes),
          messages: [],
          waiters: new Set(),
        };
        queues.add(queue);
        return { QueueUrl: queueUrlOf(ctx, queue) };
      },
      GetQueueUrl(raw: Record<string, unknown>, ctx: RequestContext) {
        const input = parseInput(GetQueueUrl, raw, MISSING, PARSE);
        const queue = queues.named(input.QueueName);
        if (!queue) throw queueDoesNotExist();
        return { QueueUrl: queueUrlOf(ctx, queue) };
      },
      ListQueues(raw: Record<string, unknown>, ctx: RequestContext) {
        const prefix = typeof raw.QueueNamePrefix === 'string' ? raw.QueueNamePrefix : '';
        return {
          QueueUrls: queues
            .list()
            .filter((q) => q.name.startsWith(prefix))
            .map((q) => queueUrlOf(ctx, q)),
        };
      },
      GetQueueAttributes(raw: Record<string, unknown>) {
        const input = parseInput(GetQueueAttributes, raw, MISSING, PARSE);
        const all = queues.attributes(queues.require(input.QueueUrl));
        const names = input.AttributeNames ?? [];
        const wanted = names.includes('All') ? Object.keys(all) : names;
        return { Attributes: Object.fromEntries(wanted.filter((n) => n in all).map((n) => [n, all[n]])) };
      },
      SendMessage(raw: Record<string, unknown>) {
        const input = parseInput(SendMessage, raw, MISSING, PARSE);
        const queue = queues.require(input.QueueUrl);
        queues.checkSize(queue, input.MessageBody, input.MessageAttributes);
        const message = queues.send(queue, input.MessageBody, input.MessageAttributes, input.DelaySeconds);
        return {
          MessageId: message.messageId,
          MD5OfMessageBody: message.md5OfBody,
          ...(message.md5OfAttributes ? { MD5OfMessageAttributes: message.md5OfAttributes } : {}),
        };
      },
      SendMessageBatch(raw: Record<string, unknown>) {
        const input = parseInput(SendMessageBatch, raw, MISSING, PARSE);
        const queue = queues.require(input.QueueUrl);
        checkBatch(input.Entries);
        let total = 0;
        for (const entry of input.Entries)
          total += queues.checkSize(queue, entry.MessageBody, entry.MessageAttributes);
        if (total > MAX_MESSAGE_BYTES) {
          throw sqsError(
            'BatchRequestTooLong',
            'AWS.SimpleQueueService.BatchRequestTooLong',
            `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`,
          );
        }
        return {
          Successful: input.Entries.map((entry) => {
            const message = queues.send(
              queue,
              entry.MessageBody,
              entry.MessageAttributes,
              entry.DelaySeconds,
            );
            return {
              Id: entry.Id,
              MessageId: message.messageId,
              MD5OfMessageBody: message.md5OfBody,
              ...(message.md5OfAttributes ? { MD5OfMessageAttributes: message.md5OfAttributes } : {}),
            };
          }),
          Failed: [],
        };
      },
      async ReceiveMessage(raw: Record<string, unknown>) {
        const input = parseInput(ReceiveMessage, raw, MISSING, PARSE);
        const queue = queues.require(input.QueueUrl);
        const waitSeconds =
          input.WaitTimeSeconds ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
        const messages = await queues.receive(
          queue,
          input.MaxNumberOfMessages ?? 1,
          input.VisibilityTimeout ?? queue.visibilityTimeout,
          now() + waitSeconds * 1000,
        );
        const wanted = {
          system: [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])],
          message: input.MessageAttributeNames ?? [],
        };
        return { Messages: messages.map((m) => receivedMessage(m, wanted, now())) };
      },
      DeleteMessage(raw: Record<string, unknown>) {
        const input = parseInput(DeleteMessage, raw, MISSING, PARSE);
        const queue = queues.require(input.QueueUrl);
        const message = queues.findByHandle(queue, input.ReceiptHandle);
        queue.messages.splice(queue.messages.indexOf(message), 1);
        return {};
      },
      DeleteMessageBatch(raw: Record<string, unknown>) {
        const input = parseInput(DeleteMessageBatch, raw, MISSING, PARSE);
        const queue = queues.require(input.QueueUrl);
        checkBatch(input.Entries);
        const result: BatchResult = { Successful: [], Failed: [] };
        for (const entry of input.Entries) {
          const index = queue.messages.findIndex((m) => m.receiptHandle === entry.ReceiptHandle);
          if (index < 0) result.Failed.push(failedEntry(entry.Id, 'ReceiptHandleIsInvalid', INVALID_HANDLE));
          else {
            queue.messages.splice(index, 1);
            result.Successful.push({ Id: entry.Id });
          }
        }
        return result;
      },
      ChangeMessageVisibility(raw: Record<string, unknown>) {
        const input = parseInput(ChangeMessageVisibility, raw, MISSING, PARSE);
        const queue = queues.require(input.QueueUrl);
        const message = queues.findByHandle(queue, input.ReceiptHandle);
        if (message.visibleAt <= now()) {
          throw sqsError('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', NOT_IN_FLIGHT);
        }
        message.visibleAt = now() + input.VisibilityTimeout * 1000;
        // Visibility 0 makes it receivable now: wake long pollers.
        queues.wake(queue);
        return {};
      },
      ChangeMessageVisibilityBatch(raw: Record<string, unknown>) {
        const input = parseInput(ChangeMessageVisibilityBatch, raw, MISSING, PARSE);
        const queue = queues.require(input.QueueUrl);
        checkBatch(input.Entries);
        const result: BatchResult = { Successful: [], Failed: [] };
        for (const entry of input.Entries) {
          const message = queue.messages.find((m) => m.receiptHandle === entry.ReceiptHandle);
          // Per entry, as SQS does: one bad handle fails its entry, not the request.
          if (!message) result.Failed.push(failedEntry(entry.Id, 'ReceiptHandleIsInvalid', INVALID_HANDLE));
          else if (message.visibleAt <= now())
            result.Failed.push(
              failedEntry(entry.Id, 'AWS.SimpleQueueService.MessageNotInflight', NOT_IN_FLIGHT),
            );
          else {
            message.visibleAt = now() + entry.VisibilityTimeout * 1000;
            result.Successful.push({ Id: entry.Id });
          }
        }
        if (result.Successful.length > 0) queues.wake(queue);
        return result;
      },
      PurgeQueue(raw: Record<string, unknown>) {
        const input = parseInput(z.looseObject(queueUrl), raw, MISSING, PARSE);
        queues.require(input.QueueUrl).messages.length = 0;
        return {};
      },
    },
    close() {
      snapshotFile.flush(snapshot);
      queues.close();
    },
  };
  // Every operation but the three readers may change a queue: save after it (coalesced per tick).
  const readers = new Set(['GetQueueUrl', 'GetQueueAttributes', 'ListQueues']);
  const operations = service.operations as unknown as Record<string, JsonOperation>;
  for (const [name, operation] of Object.entries(operations)) {
    if (readers.has(name)) continue;
    operations[name] = async (input, ctx) => {
      try {
        return await operation(input, ctx);
      } finally {
        if (!queues.isClosed) snapshotFile.schedule(snapshot);
      }
    };
  }
  return service;
}
