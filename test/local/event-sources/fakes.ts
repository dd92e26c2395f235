import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { Message } from '@aws-sdk/client-sqs';
import type {
  ShardInfo,
  ShardPosition,
  StreamReader,
} from '../../../src/local/event-sources/dynamodb-stream-event-source';
import type { FunctionInvoker } from '../../../src/local/event-sources/function-invoker';
import type { QueueReceiver } from '../../../src/local/event-sources/sqs-event-source';
import type { LocalInvokeResult } from '../../../src/local/runner';

/** A fake function: a JS handler, every event it got recorded. */
export class FakeInvoker implements FunctionInvoker {
  readonly events: unknown[] = [];

  constructor(private readonly handler: (event: unknown) => Partial<LocalInvokeResult>) {}

  async invoke(_name: string, event: unknown): Promise<LocalInvokeResult> {
    this.events.push(structuredClone(event));
    return { requestId: `r-${this.events.length}`, statusCode: 200, payload: null, ...this.handler(event) };
  }
}

/** A queue with SQS's visibility timeout and receive counts, in memory. */
export class FakeQueue implements QueueReceiver {
  private readonly messages: { message: Message; receiveCount: number; invisibleUntil: number }[] = [];
  private next = 0;
  /** Receives that found nothing, so a test can wait until every poller has seen the queue empty. */
  emptyReceives = 0;

  constructor(private readonly visibilityMs: number) {}

  send(body: string, attributes: Record<string, string> = {}): string {
    const id = `m-${++this.next}`;
    this.messages.push({
      message: {
        MessageId: id,
        Body: body,
        MD5OfBody: 'md5',
        Attributes: { SentTimestamp: String(Date.now()) },
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      },
      receiveCount: 0,
      invisibleUntil: 0,
    });
    return id;
  }

  get size(): number {
    return this.messages.length;
  }

  async receive(maxMessages: number, _wait: number, signal: AbortSignal): Promise<Message[]> {
    await new Promise((resolve) => setTimeout(resolve, signal.aborted ? 0 : 10));
    const now = Date.now();
    const visible = this.messages.filter((m) => m.invisibleUntil <= now).slice(0, maxMessages);
    if (visible.length === 0) this.emptyReceives += 1;
    return visible.map((m) => {
      m.receiveCount += 1;
      m.invisibleUntil = now + this.visibilityMs;
      return {
        ...m.message,
        ReceiptHandle: `${m.message.MessageId}#${m.receiveCount}`,
        Attributes: { ...m.message.Attributes, ApproximateReceiveCount: String(m.receiveCount) },
      };
    });
  }

  async delete(receiptHandles: string[]): Promise<void> {
    for (const handle of receiptHandles) {
      const id = handle.split('#')[0];
      const index = this.messages.findIndex((m) => m.message.MessageId === id);
      if (index >= 0) this.messages.splice(index, 1);
    }
  }
}

/** A one-shard stream in memory; iterators are positions in the record list. */
export class FakeStream implements StreamReader {
  readonly written: StreamRecord[] = [];

  constructor(
    readonly arn = 'arn:aws:dynamodb:us-east-1:000000000000:table/sessions/stream/2026-11-24T00:00:00.000',
  ) {}

  put(id: string): string {
    const sequenceNumber = String(100 + this.written.length).padStart(21, '0');
    this.written.push({
      eventID: `e-${id}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-11-24T15:00:00Z'),
        Keys: { pk: { S: id } },
        NewImage: { pk: { S: id }, title: { S: `talk ${id}` } },
        SequenceNumber: sequenceNumber,
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    return sequenceNumber;
  }

  async streamArn(): Promise<string> {
    return this.arn;
  }

  async listShards(): Promise<ShardInfo[]> {
    return [{ shardId: 'shardId-1' }];
  }

  async iterator(_shardId: string, position: ShardPosition): Promise<string> {
    if (!('sequenceNumber' in position))
      return position.type === 'LATEST' ? String(this.written.length) : '0';
    const index = this.written.findIndex((r) => r.dynamodb?.SequenceNumber === position.sequenceNumber);
    return String(position.type === 'AT_SEQUENCE_NUMBER' ? index : index + 1);
  }

  async records(iterator: string, limit: number) {
    const from = Number(iterator);
    const records = this.written.slice(from, from + limit);
    return { records, nextIterator: String(from + records.length) };
  }
}

/** A function whose invocations wait until the test lets them end; counts how many ran at once. */
export class GatedInvoker implements FunctionInvoker {
  readonly events: unknown[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private open = false;
  private readonly waiting: (() => void)[] = [];

  async invoke(_name: string, event: unknown): Promise<LocalInvokeResult> {
    this.events.push(structuredClone(event));
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (!this.open) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight -= 1;
    return { requestId: `r-${this.events.length}`, statusCode: 200, payload: { batchItemFailures: [] } };
  }

  /** Ends every waiting invocation and lets later ones end at once (`hold` closes the gate again). */
  release(): void {
    this.open = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  hold(): void {
    this.open = false;
    this.maxInFlight = 0;
  }
}

/** A clock that moves only when the test advances it. */
export class ManualClock {
  private t = 0;
  private timers: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      this.timers.push({ at: this.t + ms, resolve });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Moves time on and wakes every sleeper whose time has come. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((timer) => timer.at <= this.t);
    this.timers = this.timers.filter((timer) => timer.at > this.t);
    for (const timer of due) timer.resolve();
  }
}
