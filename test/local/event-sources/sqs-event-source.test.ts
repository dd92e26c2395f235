import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EventSourceMapping,
  type SqsBatchOutcome,
  startSqsEventSource,
} from '../../../src/local/event-sources/sqs-event-source';
import { FakeInvoker, FakeQueue, GatedInvoker, ManualClock } from './fakes';

const queueArn = 'arn:aws:sqs:us-east-1:000000000000:conference-save-session';

describe('startSqsEventSource', () => {
  let mapping: EventSourceMapping | undefined;
  afterEach(() => mapping?.stop());

  function start(queue: FakeQueue, invoker: FakeInvoker, outcomes: SqsBatchOutcome[], batchSize = 10) {
    mapping = startSqsEventSource({
      receiver: queue,
      invoker,
      functionName: 'save',
      queueArn,
      batchSize,
      onBatch: (outcome) => outcomes.push(outcome),
    });
  }

  it('invokes with an SQS event of real record shape and deletes a successful batch', async () => {
    const queue = new FakeQueue(200);
    const id = queue.send('{"sessionId":"s-1"}', { traceparent: 't-1' });
    const invoker = new FakeInvoker(() => ({ payload: { batchItemFailures: [] } }));
    const outcomes: SqsBatchOutcome[] = [];

    start(queue, invoker, outcomes);

    await expect.poll(() => outcomes.length).toBe(1);
    const record = (invoker.events[0] as SQSEvent).Records[0];
    expect(record).toMatchObject({
      messageId: id,
      body: '{"sessionId":"s-1"}',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { traceparent: { stringValue: 't-1', dataType: 'String' } },
    });
    expect(record?.receiptHandle).toBeTruthy();
    expect(queue.size).toBe(0);
  });

  it('keeps the reported batchItemFailures on the queue and redelivers them after the visibility timeout', async () => {
    const queue = new FakeQueue(150);
    const ids = [queue.send('a'), queue.send('bad'), queue.send('c')];
    let failOnce = true;
    const invoker = new FakeInvoker((event) => {
      const bad = (event as SQSEvent).Records.filter((r) => r.body === 'bad' && failOnce);
      failOnce = false;
      return { payload: { batchItemFailures: bad.map((r) => ({ itemIdentifier: r.messageId })) } };
    });
    const outcomes: SqsBatchOutcome[] = [];

    start(queue, invoker, outcomes);

    await expect.poll(() => outcomes.length, { timeout: 2000 }).toBe(2);
    expect(outcomes[0]).toMatchObject({ deleted: [ids[0], ids[2]], retained: [ids[1]] });
    expect(outcomes[1]).toMatchObject({ deleted: [ids[1]], retained: [] });
    const redelivered = (invoker.events[1] as SQSEvent).Records[0];
    expect(redelivered?.attributes.ApproximateReceiveCount).toBe('2');
    expect(queue.size).toBe(0);
  });

  it('returns the whole batch to the queue when the function fails or names an unknown item', async () => {
    const queue = new FakeQueue(10_000);
    queue.send('a');
    queue.send('b');
    const invoker = new FakeInvoker(() => ({ functionError: 'Unhandled', payload: { errorType: 'Error' } }));
    const outcomes: SqsBatchOutcome[] = [];
    start(queue, invoker, outcomes);
    await expect.poll(() => outcomes.length).toBe(1);
    await mapping?.stop();
    const queue2 = new FakeQueue(10_000);
    queue2.send('x');
    const invoker2 = new FakeInvoker(() => ({
      payload: { batchItemFailures: [{ itemIdentifier: 'nope' }] },
    }));

    start(queue2, invoker2, outcomes);

    await expect.poll(() => outcomes.length).toBe(2);
    expect(outcomes[0]).toMatchObject({ deleted: [], functionError: 'Unhandled' });
    expect(outcomes[0]?.retained).toHaveLength(2);
    expect(outcomes[1]).toMatchObject({ deleted: [], retained: ['m-1'] });
    expect(queue.size).toBe(2);
    expect(queue2.size).toBe(1);
  });

  it('splits what is waiting into batches of batchSize', async () => {
    const queue = new FakeQueue(10_000);
    for (let i = 0; i < 5; i++) queue.send(`m${i}`);
    const invoker = new FakeInvoker(() => ({ payload: null }));
    const outcomes: SqsBatchOutcome[] = [];

    start(queue, invoker, outcomes, 2);

    await expect.poll(() => outcomes.length).toBe(3);
    // Several pollers run at once, so the batches may settle in any order.
    expect(outcomes.map((o) => o.messageIds.length).sort()).toEqual([1, 2, 2]);
    expect(new Set(outcomes.flatMap((o) => o.messageIds)).size).toBe(5);
  });

  it('gathers messages that arrive within the batching window into one batch, beyond 10', async () => {
    const queue = new FakeQueue(10_000);
    const invoker = new FakeInvoker(() => ({ payload: { batchItemFailures: [] } }));
    const outcomes: SqsBatchOutcome[] = [];
    mapping = startSqsEventSource({
      receiver: queue,
      invoker,
      functionName: 'alarm',
      queueArn,
      batchSize: 100,
      maximumBatchingWindowMs: 600,
      // One poller: with several, each gathers its own batch, as Lambda's pollers do.
      maxConcurrency: 1,
      onBatch: (outcome) => outcomes.push(outcome),
    });

    // 30 messages trickle in over about 150 ms, as a storm's notifications do.
    for (let i = 0; i < 30; i++) {
      queue.send(`alarm-${i}`);
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 50));
    }

    await expect.poll(() => outcomes.length, { timeout: 3000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.messageIds).toHaveLength(30);
    expect(queue.size).toBe(0);
  });
});

describe('startSqsEventSource pollers', () => {
  let mapping: EventSourceMapping | undefined;
  afterEach(() => mapping?.stop());

  function start(queue: FakeQueue, invoker: GatedInvoker, clock: ManualClock, maxConcurrency?: number) {
    const deleted: string[] = [];
    mapping = startSqsEventSource({
      receiver: queue,
      invoker,
      functionName: 'save',
      queueArn,
      batchSize: 10,
      clock,
      ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
      onBatch: (outcome) => deleted.push(...outcome.deleted),
    });
    return deleted;
  }

  it('starts five batches at once, adds one per 200 ms while messages wait, and stops at maxConcurrency', async () => {
    // Arrange: a backlog of 20 batches and a function that holds every batch until released.
    const queue = new FakeQueue(60_000);
    for (let i = 0; i < 200; i++) queue.send(`m${i}`);
    const invoker = new GatedInvoker();
    const clock = new ManualClock();

    // Act
    const deleted = start(queue, invoker, clock, 7);

    // Assert: five at first, then Lambda's 300 more a minute, capped by the mapping.
    await expect.poll(() => invoker.inFlight).toBe(5);
    clock.advance(200);
    await expect.poll(() => invoker.inFlight).toBe(6);
    clock.advance(200);
    await expect.poll(() => invoker.inFlight).toBe(7);
    clock.advance(1000);
    invoker.release();
    await expect.poll(() => deleted.length).toBe(200);
    expect(invoker.maxInFlight).toBe(7);
    expect(new Set(deleted).size).toBe(200);
    expect(queue.size).toBe(0);
  });

  it('goes back to five pollers once the queue runs dry', async () => {
    // Arrange: scaled up to eight on a first backlog, which is then drained.
    const queue = new FakeQueue(60_000);
    for (let i = 0; i < 100; i++) queue.send(`first-${i}`);
    const invoker = new GatedInvoker();
    const clock = new ManualClock();
    const deleted = start(queue, invoker, clock, 8);
    await expect.poll(() => invoker.inFlight).toBe(5);
    for (let i = 0; i < 3; i++) {
      clock.advance(200);
      await expect.poll(() => invoker.inFlight).toBe(6 + i);
    }
    invoker.release();
    await expect.poll(() => deleted.length).toBe(100);
    // Every poller has had an empty receive once the queue has answered empty a few rounds.
    const emptyBefore = queue.emptyReceives;
    await expect.poll(() => queue.emptyReceives - emptyBefore).toBeGreaterThanOrEqual(24);

    // Act: a second backlog, with the clock standing still (no scaling up).
    invoker.hold();
    for (let i = 0; i < 100; i++) queue.send(`second-${i}`);

    // Assert: the pollers above five left when their receive came back empty.
    await expect.poll(() => invoker.inFlight).toBe(5);
    invoker.release();
    await expect.poll(() => deleted.length).toBe(200);
    expect(invoker.maxInFlight).toBe(5);
  });

  it('runs no more batches than a MaximumConcurrency below five', async () => {
    const queue = new FakeQueue(60_000);
    for (let i = 0; i < 50; i++) queue.send(`alarm-${i}`);
    const invoker = new GatedInvoker();
    const clock = new ManualClock();

    const deleted = start(queue, invoker, clock, 2);

    await expect.poll(() => invoker.inFlight).toBe(2);
    clock.advance(1000);
    invoker.release();
    await expect.poll(() => deleted.length).toBe(50);
    expect(invoker.maxInFlight).toBe(2);
  });
});
