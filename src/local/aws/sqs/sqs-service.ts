import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AwsServiceError } from '../errors';
import type { JsonOperation, JsonServiceDefinition, RequestContext } from '../registry';
import { parseInput } from '../validate';
import { type MessageAttributeValue, md5OfAttributes, md5OfBody } from './md5';
import { sqsSnapshotFile } from './sqs-persistence';

const NS = 'com.amazonaws.sqs';
/** Query-compatible error: the SDK reads the code from `x-amzn-query-error`, the name from the model. */
function sqsError(code: string, queryCode: string, message: string, status = 400): AwsServiceError {
  return new AwsServiceError(code, message, { namespace: NS, queryCode, status });
}
const MISSING = 'MissingParameter';

const attributeValue = z.object({
  DataType: z.string().min(1),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
});
const messageAttributes = z.record(z.string(), attributeValue).optional();
const queueUrl = { QueueUrl: z.string().min(1) };

const CreateQueue = z.looseObject({
  QueueName: z.string().regex(/^[\w-]{1,80}(\.fifo)?$/),
  Attributes: z.record(z.string(), z.string()).optional(),
});
const GetQueueUrl = z.looseObject({ QueueName: z.string().min(1) });
const GetQueueAttributes = z.looseObject({ ...queueUrl, AttributeNames: z.array(z.string()).optional() });
const SendMessage = z.looseObject({
  ...queueUrl,
  MessageBody: z.string().min(1),
  DelaySeconds: z.number().int().min(0).max(900).optional(),
  MessageAttributes: messageAttributes,
});
const SendMessageBatch = z.looseObject({
  ...queueUrl,
  Entries: z.array(
    z.looseObject({
      Id: z.string().min(1),
      MessageBody: z.string().min(1),
      DelaySeconds: z.number().int().min(0).max(900).optional(),
      MessageAttributes: messageAttributes,
    }),
  ),
});
const ReceiveMessage = z.looseObject({
  ...queueUrl,
  MaxNumberOfMessages: z.number().int().min(1).max(10).optional(),
  VisibilityTimeout: z.number().int().min(0).max(43_200).optional(),
  WaitTimeSeconds: z.number().int().min(0).max(20).optional(),
  AttributeNames: z.array(z.string()).optional(),
  MessageSystemAttributeNames: z.array(z.string()).optional(),
  MessageAttributeNames: z.array(z.string()).optional(),
});
const DeleteMessage = z.looseObject({ ...queueUrl, ReceiptHandle: z.string().min(1) });
const DeleteMessageBatch = z.looseObject({
  ...queueUrl,
  Entries: z.array(z.looseObject({ Id: z.string().min(1), ReceiptHandle: z.string().min(1) })),
});
const ChangeMessageVisibility = z.looseObject({
  ...queueUrl,
  ReceiptHandle: z.string().min(1),
  VisibilityTimeout: z.number().int().min(0).max(43_200),
});
const ChangeMessageVisibilityBatch = z.looseObject({
  ...queueUrl,
  Entries: z.array(
    z.looseObject({
      Id: z.string().min(1),
      ReceiptHandle: z.string().min(1),
      VisibilityTimeout: z.number().int().min(0).max(43_200),
    }),
  ),
});
const RedrivePolicy = z.object({
  deadLetterTargetArn: z.string().min(1),
  maxReceiveCount: z.coerce.number().int().min(1).max(1000),
});

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfAttributes: string | undefined;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  receiptHandle: string | undefined;
}

interface Queue {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly attributes: Record<string, string>;
  visibilityTimeout: number;
  redrive: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number } | undefined;
  /** Arrival order; a message leaves on delete or redrive. */
  readonly messages: Message[];
  /** Long-polling receivers waiting for a message or a visibility expiry. */
  readonly waiters: Set<() => void>;
}

/** Options of {@link createSqsService}. */
export interface SqsServiceOptions {
  readonly now?: () => number;
  /** Queues and their messages persist in `<dataDir>/sqs/queues.json` when set; in memory otherwise. */
  readonly dataDir?: string | undefined;
}

/**
 * The largest message SQS takes: 1 MiB (1,048,576 bytes) since August 2025, up from 256 KiB; a
 * queue's MaximumMessageSize may lower it. Body and message attributes count (SQS developer guide).
 */
export const MAX_MESSAGE_BYTES = 1_048_576;

function messageBytes(body: string, attributes: Record<string, MessageAttributeValue> | undefined): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    bytes +=
      Buffer.byteLength(value.StringValue ?? '') + Buffer.byteLength(value.BinaryValue ?? '', 'base64');
  }
  return bytes;
}

type StoredQueue = Omit<Queue, 'waiters'>;

/**
 * SQS (awsJson1_0 with awsQueryCompatible errors, `AmazonSQS.*`), in memory: standard queues
 * with visibility timeouts, long polling, batches and redrive to a dead-letter queue.
 */
export function createSqsService(options: SqsServiceOptions = {}): JsonServiceDefinition & { close(): void } {
  const now = options.now ?? Date.now;
  const queues = new Map<string, Queue>();
  const snapshotFile = sqsSnapshotFile<StoredQueue>(
    options.dataDir === undefined ? undefined : `${options.dataDir}/sqs/queues.json`,
  );
  for (const stored of snapshotFile.load()) queues.set(stored.name, { ...stored, waiters: new Set() });
  const snapshot = (): StoredQueue[] => [...queues.values()].map(({ waiters: _, ...rest }) => rest);
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const queueUrlOf = (ctx: RequestContext, queue: Queue) =>
    `${ctx.endpointUrl}/${ctx.accountId}/${queue.name}`;
  const requireQueue = (url: string): Queue => {
    // Accept any host: the last path segment names the queue, like LocalStack does.
    const name = url.split('/').filter(Boolean).at(-1) ?? '';
    const queue = queues.get(name);
    if (!queue)
      throw sqsError(
        'QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue does not exist.',
      );
    return queue;
  };
  const wake = (queue: Queue) => {
    for (const waiter of [...queue.waiters]) waiter();
  };
  const maxBytesOf = (queue: Queue): number =>
    Math.min(MAX_MESSAGE_BYTES, Number(queue.attributes.MaximumMessageSize ?? MAX_MESSAGE_BYTES));
  const checkSize = (
    queue: Queue,
    body: string,
    attributes: Record<string, MessageAttributeValue> | undefined,
  ): number => {
    const bytes = messageBytes(body, attributes);
    const max = maxBytesOf(queue);
    if (bytes > max) {
      throw sqsError(
        'InvalidParameterValue',
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    }
    return bytes;
  };
  const send = (
    queue: Queue,
    body: string,
    attributes: Record<string, MessageAttributeValue> | undefined,
    delaySeconds: number | undefined,
  ) => {
    const t = now();
    const message: Message = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5OfBody(body),
      attributes: attributes ?? {},
      md5OfAttributes: md5OfAttributes(attributes ?? {}),
      sentAt: t,
      visibleAt: t + (delaySeconds ?? Number(queue.attributes.DelaySeconds ?? 0)) * 1000,
      receiveCount: 0,
      firstReceiveAt: undefined,
      receiptHandle: undefined,
    };
    queue.messages.push(message);
    wake(queue);
    return message;
  };
  const findByHandle = (queue: Queue, handle: string): Message => {
    const message = queue.messages.find((m) => m.receiptHandle === handle);
    if (!message)
      throw sqsError(
        'ReceiptHandleIsInvalid',
        'ReceiptHandleIsInvalid',
        `The receipt handle "${handle}" is not valid.`,
        404,
      );
    return message;
  };

  /** Takes up to `max` visible messages, moving over-received ones to the DLQ first. */
  const take = (queue: Queue, max: number, visibilitySeconds: number): Message[] => {
    const t = now();
    const out: Message[] = [];
    for (let i = 0; i < queue.messages.length && out.length < max; ) {
      const message = queue.messages[i] as Message;
      if (message.visibleAt > t) {
        i++;
        continue;
      }
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        // Redrive happens when a receive would exceed maxReceiveCount.
        const dlqName = queue.redrive.deadLetterTargetArn.split(':').at(-1) ?? '';
        const dlq = queues.get(dlqName);
        if (dlq) {
          queue.messages.splice(i, 1);
          dlq.messages.push({ ...message, visibleAt: t, receiptHandle: undefined });
          wake(dlq);
          continue;
        }
      }
      message.receiveCount++;
      message.firstReceiveAt ??= t;
      message.visibleAt = t + visibilitySeconds * 1000;
      message.receiptHandle = Buffer.from(`${message.messageId}:${randomUUID()}`).toString('base64');
      out.push(message);
      i++;
    }
    return out;
  };

  const nextVisibleIn = (queue: Queue): number | undefined => {
    const t = now();
    let soonest: number | undefined;
    for (const m of queue.messages)
      if (m.visibleAt > t && (soonest === undefined || m.visibleAt < soonest)) soonest = m.visibleAt;
    return soonest === undefined ? undefined : soonest - t;
  };

  const waitForChange = (queue: Queue, maxMs: number): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        timers.delete(timer);
        queue.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, maxMs));
      timers.add(timer);
      queue.waiters.add(done);
    });

  const queueAttributes = (queue: Queue): Record<string, string> => {
    const t = now();
    const visible = queue.messages.filter((m) => m.visibleAt <= t).length;
    const inFlight = queue.messages.filter((m) => m.visibleAt > t && m.receiveCount > 0).length;
    const delayed = queue.messages.filter((m) => m.visibleAt > t && m.receiveCount === 0).length;
    return {
      ...queue.attributes,
      QueueArn: queue.arn,
      VisibilityTimeout: String(queue.visibilityTimeout),
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    };
  };

  const checkBatch = (entries: readonly { Id: string }[]) => {
    if (entries.length === 0)
      throw sqsError(
        'EmptyBatchRequest',
        'AWS.SimpleQueueService.EmptyBatchRequest',
        'There should be at least one entry in the request.',
      );
    if (entries.length > 10) {
      throw sqsError(
        'TooManyEntriesInBatchRequest',
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
        'Maximum number of entries per request are 10.',
      );
    }
    if (new Set(entries.map((e) => e.Id)).size !== entries.length) {
      throw sqsError(
        'BatchEntryIdsNotDistinct',
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
        'Two or more batch entries have the same Id.',
      );
    }
  };

  const service = {
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0' as const,
    queryCompatible: true,
    operations: {
      CreateQueue(raw: Record<string, unknown>, ctx: RequestContext) {
        const input = parseInput(CreateQueue, raw, MISSING, { namespace: NS, queryCode: MISSING });
        const attributes = input.Attributes ?? {};
        const existing = queues.get(input.QueueName);
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
        let redrive: Queue['redrive'];
        if (attributes.RedrivePolicy) {
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
          redrive = policy.data;
        }
        const queue: Queue = {
          name: input.QueueName,
          arn: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${input.QueueName}`,
          createdAt: now(),
          attributes,
          visibilityTimeout: Number(attributes.VisibilityTimeout ?? 30),
          redrive,
          messages: [],
          waiters: new Set(),
        };
        queues.set(queue.name, queue);
        return { QueueUrl: queueUrlOf(ctx, queue) };
      },
      GetQueueUrl(raw: Record<string, unknown>, ctx: RequestContext) {
        const input = parseInput(GetQueueUrl, raw, MISSING, { namespace: NS, queryCode: MISSING });
        const queue = queues.get(input.QueueName);
        if (!queue)
          throw sqsError(
            'QueueDoesNotExist',
            'AWS.SimpleQueueService.NonExistentQueue',
            'The specified queue does not exist.',
          );
        return { QueueUrl: queueUrlOf(ctx, queue) };
      },
      ListQueues(raw: Record<string, unknown>, ctx: RequestContext) {
        const prefix = typeof raw.QueueNamePrefix === 'string' ? raw.QueueNamePrefix : '';
        return {
          QueueUrls: [...queues.values()]
            .filter((q) => q.name.startsWith(prefix))
            .map((q) => queueUrlOf(ctx, q)),
        };
      },
      GetQueueAttributes(raw: Record<string, unknown>) {
        const input = parseInput(GetQueueAttributes, raw, MISSING, { namespace: NS, queryCode: MISSING });
        const all = queueAttributes(requireQueue(input.QueueUrl));
        const names = input.AttributeNames ?? [];
        const wanted = names.includes('All') ? Object.keys(all) : names;
        return { Attributes: Object.fromEntries(wanted.filter((n) => n in all).map((n) => [n, all[n]])) };
      },
      SendMessage(raw: Record<string, unknown>) {
        const input = parseInput(SendMessage, raw, MISSING, { namespace: NS, queryCode: MISSING });
        checkSize(requireQueue(input.QueueUrl), input.MessageBody, input.MessageAttributes);
        const message = send(
          requireQueue(input.QueueUrl),
          input.MessageBody,
          input.MessageAttributes,
          input.DelaySeconds,
        );
        return {
          MessageId: message.messageId,
          MD5OfMessageBody: message.md5OfBody,
          ...(message.md5OfAttributes ? { MD5OfMessageAttributes: message.md5OfAttributes } : {}),
        };
      },
      SendMessageBatch(raw: Record<string, unknown>) {
        const input = parseInput(SendMessageBatch, raw, MISSING, { namespace: NS, queryCode: MISSING });
        const queue = requireQueue(input.QueueUrl);
        checkBatch(input.Entries);
        let total = 0;
        for (const entry of input.Entries)
          total += checkSize(queue, entry.MessageBody, entry.MessageAttributes);
        if (total > MAX_MESSAGE_BYTES) {
          throw sqsError(
            'BatchRequestTooLong',
            'AWS.SimpleQueueService.BatchRequestTooLong',
            `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`,
          );
        }
        return {
          Successful: input.Entries.map((entry) => {
            const message = send(queue, entry.MessageBody, entry.MessageAttributes, entry.DelaySeconds);
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
        const input = parseInput(ReceiveMessage, raw, MISSING, { namespace: NS, queryCode: MISSING });
        const queue = requireQueue(input.QueueUrl);
        const max = input.MaxNumberOfMessages ?? 1;
        const visibility = input.VisibilityTimeout ?? queue.visibilityTimeout;
        const deadline =
          now() +
          (input.WaitTimeSeconds ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds ?? 0)) * 1000;
        let messages = take(queue, max, visibility);
        // Long polling: return as soon as anything arrives or becomes visible again.
        while (messages.length === 0 && now() < deadline && !closed) {
          const untilVisible = nextVisibleIn(queue);
          await waitForChange(queue, Math.min(deadline - now(), untilVisible ?? Infinity));
          messages = take(queue, max, visibility);
        }
        const systemNames = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
        const attributeNames = input.MessageAttributeNames ?? [];
        return {
          Messages: messages.map((m) => {
            const system: Record<string, string> = {
              ApproximateReceiveCount: String(m.receiveCount),
              SentTimestamp: String(m.sentAt),
              ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? now()),
              SenderId: 'AIDAAAAAAAAAAAAAAAAAA',
            };
            const wantedSystem = systemNames.includes('All')
              ? Object.keys(system)
              : systemNames.filter((n) => n in system);
            const all = attributeNames.includes('All') || attributeNames.includes('.*');
            const selected = Object.fromEntries(
              Object.entries(m.attributes).filter(
                ([name]) =>
                  all ||
                  attributeNames.some((p) =>
                    p.endsWith('.*') ? name.startsWith(p.slice(0, -2)) : p === name,
                  ),
              ),
            );
            const md5 = md5OfAttributes(selected);
            return {
              MessageId: m.messageId,
              ReceiptHandle: m.receiptHandle,
              MD5OfBody: m.md5OfBody,
              Body: m.body,
              ...(wantedSystem.length > 0
                ? { Attributes: Object.fromEntries(wantedSystem.map((n) => [n, system[n]])) }
                : {}),
              ...(md5 ? { MessageAttributes: selected, MD5OfMessageAttributes: md5 } : {}),
            };
          }),
        };
      },
      DeleteMessage(raw: Record<string, unknown>) {
        const input = parseInput(DeleteMessage, raw, MISSING, { namespace: NS, queryCode: MISSING });
        const queue = requireQueue(input.QueueUrl);
        const message = findByHandle(queue, input.ReceiptHandle);
        queue.messages.splice(queue.messages.indexOf(message), 1);
        return {};
      },
      DeleteMessageBatch(raw: Record<string, unknown>) {
        const input = parseInput(DeleteMessageBatch, raw, MISSING, { namespace: NS, queryCode: MISSING });
        const queue = requireQueue(input.QueueUrl);
        checkBatch(input.Entries);
        const Successful: { Id: string }[] = [];
        const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
        for (const entry of input.Entries) {
          const index = queue.messages.findIndex((m) => m.receiptHandle === entry.ReceiptHandle);
          if (index < 0) {
            Failed.push({
              Id: entry.Id,
              SenderFault: true,
              Code: 'ReceiptHandleIsInvalid',
              Message: 'The receipt handle is not valid.',
            });
          } else {
            queue.messages.splice(index, 1);
            Successful.push({ Id: entry.Id });
          }
        }
        return { Successful, Failed };
      },
      ChangeMessageVisibility(raw: Record<string, unknown>) {
        const input = parseInput(ChangeMessageVisibility, raw, MISSING, {
          namespace: NS,
          queryCode: MISSING,
        });
        const queue = requireQueue(input.QueueUrl);
        const message = findByHandle(queue, input.ReceiptHandle);
        if (message.visibleAt <= now()) {
          throw sqsError(
            'MessageNotInflight',
            'AWS.SimpleQueueService.MessageNotInflight',
            'The message referred to is not in flight.',
          );
        }
        message.visibleAt = now() + input.VisibilityTimeout * 1000;
        // Visibility 0 makes it receivable now: wake long pollers.
        wake(queue);
        return {};
      },
      ChangeMessageVisibilityBatch(raw: Record<string, unknown>) {
        const input = parseInput(ChangeMessageVisibilityBatch, raw, MISSING, {
          namespace: NS,
          queryCode: MISSING,
        });
        const queue = requireQueue(input.QueueUrl);
        checkBatch(input.Entries);
        const Successful: { Id: string }[] = [];
        const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
        for (const entry of input.Entries) {
          const message = queue.messages.find((m) => m.receiptHandle === entry.ReceiptHandle);
          // Per entry, as SQS does: one bad handle fails its entry, not the request.
          if (!message) {
            Failed.push({
              Id: entry.Id,
              SenderFault: true,
              Code: 'ReceiptHandleIsInvalid',
              Message: 'The receipt handle is not valid.',
            });
          } else if (message.visibleAt <= now()) {
            Failed.push({
              Id: entry.Id,
              SenderFault: true,
              Code: 'AWS.SimpleQueueService.MessageNotInflight',
              Message: 'The message referred to is not in flight.',
            });
          } else {
            message.visibleAt = now() + entry.VisibilityTimeout * 1000;
            Successful.push({ Id: entry.Id });
          }
        }
        if (Successful.length > 0) wake(queue);
        return { Successful, Failed };
      },
      PurgeQueue(raw: Record<string, unknown>) {
        const input = parseInput(z.looseObject(queueUrl), raw, MISSING, {
          namespace: NS,
          queryCode: MISSING,
        });
        requireQueue(input.QueueUrl).messages.length = 0;
        return {};
      },
    },
    close() {
      closed = true;
      snapshotFile.flush(snapshot);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const queue of queues.values()) wake(queue);
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
        if (!closed) snapshotFile.schedule(snapshot);
      }
    };
  }
  return service;
}
