import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionNames, Milestone } from '../../src/conference-app/contract';
import { createSaveSessionHandler } from '../../src/conference-app/handlers/save-session';
import { SAVE_SPAN_NAME } from '../../src/conference-app/sessions/save-session';
import type { Session } from '../../src/conference-app/sessions/session';
import {
  DynamoDbSessionCache,
  DynamoDbSessionStore,
} from '../../src/conference-app/store/dynamodb-session-store';
import {
  aSession,
  capturingLogger,
  contractLines,
  lambdaContext,
  recordingTracer,
  startDynalite,
} from './helpers';

let db: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.close();
});

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map(
      (body, i): SQSRecord => ({
        messageId: `msg-${i}`,
        receiptHandle: `rh-${i}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'x',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:save-session',
        awsRegion: 'eu-west-1',
      }),
    ),
  };
}

function setup(faults = { saveDelayMs: 0, saveErrorRate: 0 }, random = () => 0.5) {
  const { logger, lines } = capturingLogger();
  const { tracer, spans } = recordingTracer();
  const handler = createSaveSessionHandler({
    cache: new DynamoDbSessionCache(db.client, db.cacheTable),
    store: new DynamoDbSessionStore(db.client, db.sessionsTable),
    logger,
    tracer,
    faults,
    random,
  });
  const context: Context = lambdaContext(FunctionNames.saveSession, 'req-save');
  return { handler, context, lines, spans };
}

async function storedCount(sessionId: string): Promise<number> {
  const out = await db.client.send(
    new QueryCommand({
      TableName: db.sessionsTable,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'sessionId = :id',
      ExpressionAttributeValues: { ':pk': 'SESSION', ':id': sessionId },
    }),
  );
  return out.Items?.length ?? 0;
}

describe('save-session handler', () => {
  it('writes the cache and the sessions table, with the traceId, inside the save span', async () => {
    const { handler, context, lines, spans } = setup();
    const session = aSession();

    const result = await handler(sqsEvent([JSON.stringify(session)]), context);

    expect(result.batchItemFailures).toEqual([]);
    const cached = await db.client.send(
      new GetCommand({ TableName: db.cacheTable, Key: { sessionId: session.sessionId } }),
    );
    expect(cached.Item).toMatchObject({ sessionId: session.sessionId, traceId: session.traceId });
    expect(await storedCount(session.sessionId)).toBe(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ name: SAVE_SPAN_NAME, attributes: { storeInDatabase: 'DynamoDB' } });
    const milestone = contractLines(lines).filter((l) => l.milestone === Milestone.savedInDatabase);
    expect(milestone).toEqual([
      expect.objectContaining({
        traceId: session.traceId,
        sessionId: session.sessionId,
        functionName: FunctionNames.saveSession,
        AWSRequestId: 'req-save',
      }),
    ]);
  });

  it('treats a redelivered message as success without a second session or milestone', async () => {
    const { handler, context, lines } = setup();
    const body = JSON.stringify(aSession());
    const { sessionId } = JSON.parse(body) as Session;

    const first = await handler(sqsEvent([body]), context);
    const again = await handler(sqsEvent([body, body]), context);

    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(await storedCount(sessionId)).toBe(1);
    const logged = contractLines(lines);
    expect(logged.filter((l) => l.milestone === Milestone.savedInDatabase)).toHaveLength(1);
    expect(lines.filter((l) => l.redelivery === true)).toHaveLength(2);
  });

  it('reports only the failed message of a batch', async () => {
    const { handler, context, lines } = setup();
    const good = aSession();

    const result = await handler(sqsEvent(['{"not":"a session"}', JSON.stringify(good), 'garbage']), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'msg-0' }, { itemIdentifier: 'msg-2' }]);
    expect(await storedCount(good.sessionId)).toBe(1);
    const logged = contractLines(lines);
    expect(logged.filter((l) => l.exception !== undefined)).toHaveLength(2);
  });

  it('keeps per-record keys from leaking into the next record', async () => {
    const { handler, context, lines } = setup();
    const a = aSession();
    const b = aSession();

    await handler(sqsEvent([JSON.stringify(a), 'garbage', JSON.stringify(b)]), context);

    const logged = contractLines(lines);
    const unreadable = logged.find((l) => l.exception !== undefined);
    expect(unreadable?.sessionId).toBeUndefined();
    expect(unreadable?.traceId).toBe('unknown');
    for (const line of logged.filter((l) => l.sessionId === b.sessionId))
      expect(line.traceId).toBe(b.traceId);
  });

  it('injects the configured delay inside the save span', async () => {
    const { handler, context, spans } = setup({ saveDelayMs: 150, saveErrorRate: 0 });

    const result = await handler(sqsEvent([JSON.stringify(aSession())]), context);

    expect(result.batchItemFailures).toEqual([]);
    const span = spans.find((s) => s.name === SAVE_SPAN_NAME);
    expect((span?.endedAt ?? 0) - (span?.startedAt ?? 0)).toBeGreaterThanOrEqual(145);
  });

  it('fails the record with a logged InjectedFaultError at error rate 1, and records it on the span', async () => {
    const { handler, context, lines, spans } = setup({ saveDelayMs: 0, saveErrorRate: 1 }, () => 0.999);
    const session = aSession();

    const result = await handler(sqsEvent([JSON.stringify(session)]), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'msg-0' }]);
    expect(await storedCount(session.sessionId)).toBe(0);
    const failure = contractLines(lines).find((l) => l.exception !== undefined);
    expect(failure).toMatchObject({
      traceId: session.traceId,
      sessionId: session.sessionId,
      exception: { name: 'InjectedFaultError' },
    });
    expect(failure?.exception?.stack).toContain('InjectedFaultError');
    expect(spans[0]?.status?.code).toBe(2); // SpanStatusCode.ERROR
    expect(spans[0]?.exceptions).toHaveLength(1);
  });

  it('does not fire the fault when the random draw is above the rate', async () => {
    const { handler, context } = setup({ saveDelayMs: 0, saveErrorRate: 0.3 }, () => 0.31);

    const result = await handler(sqsEvent([JSON.stringify(aSession())]), context);

    expect(result.batchItemFailures).toEqual([]);
  });
});
