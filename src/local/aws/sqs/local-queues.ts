import { randomUUID } from 'node:crypto';
import { type MessageAttributeValue, md5OfAttributes, md5OfBody } from './md5';
import { queueDoesNotExist, sqsError } from './sqs-errors';

export interface Message {
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

export interface Queue {
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

/** A queue as persisted: everything but its waiting receivers. */
export type StoredQueue = Omit<Queue, 'waiters'>;

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

/**
 * The standard queues of the local SQS and their messages: visibility, long-poll waiters, redrive
 * to a dead-letter queue. The service operations parse requests and answer with these.
 */
export class LocalQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly now: () => number,
    stored: readonly StoredQueue[] = [],
  ) {
    for (const queue of stored) this.queues.set(queue.name, { ...queue, waiters: new Set() });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  named(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  list(): Queue[] {
    return [...this.queues.values()];
  }

  add(queue: Queue): void {
    this.queues.set(queue.name, queue);
  }

  /** The queue a QueueUrl names; any host is accepted, the last path segment names it (as LocalStack does). */
  require(url: string): Queue {
    const queue = this.queues.get(url.split('/').filter(Boolean).at(-1) ?? '');
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  snapshot(): StoredQueue[] {
    return this.list().map(({ waiters: _, ...rest }) => rest);
  }

  wake(queue: Queue): void {
    for (const waiter of [...queue.waiters]) waiter();
  }

  /** The message's size as SQS counts it; refused over the queue's MaximumMessageSize. */
  checkSize(
    queue: Queue,
    body: string,
    attributes: Record<string, MessageAttributeValue> | undefined,
  ): number {
    const bytes = messageBytes(body, attributes);
    const max = Math.min(MAX_MESSAGE_BYTES, Number(queue.attributes.MaximumMessageSize ?? MAX_MESSAGE_BYTES));
    if (bytes > max) {
      throw sqsError(
        'InvalidParameterValue',
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    }
    return bytes;
  }

  send(
    queue: Queue,
    body: string,
    attributes: Record<string, MessageAttributeValue> | undefined,
    delaySeconds: number | undefined,
  ): Message {
    const t = this.now();
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
    this.wake(queue);
    return message;
  }

  findByHandle(queue: Queue, handle: string): Message {
    const message = queue.messages.find((m) => m.receiptHandle === handle);
    if (!message)
      throw sqsError(
        'ReceiptHandleIsInvalid',
        'ReceiptHandleIsInvalid',
        `The receipt handle "${handle}" is not valid.`,
        404,
      );
    return message;
  }

  /** Takes up to `max` visible messages, moving over-received ones to the DLQ first. */
  take(queue: Queue, max: number, visibilitySeconds: number): Message[] {
    const t = this.now();
    const out: Message[] = [];
    for (let i = 0; i < queue.messages.length && out.length < max; ) {
      const message = queue.messages[i] as Message;
      if (message.visibleAt > t) {
        i++;
        continue;
      }
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        // Redrive happens when a receive would exceed maxReceiveCount.
        const dlq = this.queues.get(queue.redrive.deadLetterTargetArn.split(':').at(-1) ?? '');
        if (dlq) {
          queue.messages.splice(i, 1);
          dlq.messages.push({ ...message, visibleAt: t, receiptHandle: undefined });
          this.wake(dlq);
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
  }

  /** Receives up to `max`, long-polling until `deadline`: back as soon as anything arrives or becomes visible. */
  async receive(queue: Queue, max: number, visibilitySeconds: number, deadline: number): Promise<Message[]> {
    let messages = this.take(queue, max, visibilitySeconds);
    while (messages.length === 0 && this.now() < deadline && !this.closed) {
      const untilVisible = this.nextVisibleIn(queue);
      await this.waitForChange(queue, Math.min(deadline - this.now(), untilVisible ?? Infinity));
      messages = this.take(queue, max, visibilitySeconds);
    }
    return messages;
  }

  /** GetQueueAttributes' view, the approximate counts included. */
  attributes(queue: Queue): Record<string, string> {
    const t = this.now();
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
  }

  /** Stops long polls and their timers. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const queue of this.queues.values()) this.wake(queue);
  }

  private nextVisibleIn(queue: Queue): number | undefined {
    const t = this.now();
    let soonest: number | undefined;
    for (const m of queue.messages)
      if (m.visibleAt > t && (soonest === undefined || m.visibleAt < soonest)) soonest = m.visibleAt;
    return soonest === undefined ? undefined : soonest - t;
  }

  private waitForChange(queue: Queue, maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        queue.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, maxMs));
      this.timers.add(timer);
      queue.waiters.add(done);
    });
  }
}
