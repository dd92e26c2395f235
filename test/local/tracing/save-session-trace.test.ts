import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetTracesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../../src/commands/xray/trace-document';
import { findBottleneck, flattenTrace } from '../../../src/commands/xray/waterfall';
import { FunctionNames } from '../../../src/conference-app/contract';
import { cacheTableInput, sessionsTableInput } from '../../../src/conference-app/store/table-definitions';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { TraceStore } from '../../../src/local/aws/xray/trace-store';
import { createXRayService } from '../../../src/local/aws/xray/xray-service';
import { createLambdaRunner, type LambdaRunner, MemoryLogSink } from '../../../src/local/runner';
import { parseTraceHeader } from '../../../src/local/tracing/segment-document';
import { clientConfig } from '../aws/helpers';

const entry = fileURLToPath(new URL('../../../src/conference-app/handlers/save-session.ts', import.meta.url));

function sqsEvent() {
  const session = {
    sessionId: randomUUID(),
    traceId: randomUUID(),
    createdAt: new Date().toISOString(),
    subject: 'Tracing locally',
    duration: 30,
    timestamp: Date.now(),
    speaker: {
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: { companyName: 'Analytical', companyCity: 'London' },
      questionPhrase: 'Why?',
    },
  };
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'r',
        body: JSON.stringify(session),
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:q',
        awsRegion: 'eu-west-1',
      },
    ],
  };
}

/** A sampled trace header such as Lambda sets per invocation. */
const newHeader = () =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Parent=${randomUUID().replaceAll('-', '').slice(0, 16)};Sampled=1`;

describe.each([
  ['bundled', true],
  ['loaded through tsx', false],
])('local tracing of the save-session function (%s)', (_mode, bundle) => {
  let aws: LocalAws;
  let runner: LambdaRunner;
  let xray: XRayClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    aws.registerRestService(createXRayService(new TraceStore()));
    const dynamodb = new DynamoDBClient(clientConfig(aws.url));
    await dynamodb.send(new CreateTableCommand(sessionsTableInput('sessions')));
    await dynamodb.send(new CreateTableCommand(cacheTableInput('cache')));
    dynamodb.destroy();
    const env = { SESSIONS_TABLE_NAME: 'sessions', CACHE_TABLE_NAME: 'cache', GUMSHOE_LOCAL_TRACING: '1' };
    runner = createLambdaRunner({
      awsEndpointUrl: aws.url,
      region: 'eu-west-1',
      bundle,
      logSink: new MemoryLogSink(),
      functions: [
        { name: FunctionNames.saveSession, entry, env },
        { name: 'slow-save', entry, env: { ...env, FAULT_SAVE_DELAY_MS: '1500' } },
      ],
    });
    xray = new XRayClient(clientConfig(aws.url));
  }, 60_000);

  afterAll(async () => {
    xray.destroy();
    await runner.close();
    await aws.close();
  });

  it('sends the facade segment, the save span and its DynamoDB PutItem before the invocation ends', async () => {
    const header = newHeader();
    const result = await runner.invoke(FunctionNames.saveSession, sqsEvent(), { traceHeader: header });
    expect(result.error).toBeUndefined();
    const root = parseTraceHeader(header)?.root ?? '';

    // No waiting: the documents are stored by the time the result came back.
    const out = await xray.send(new BatchGetTracesCommand({ TraceIds: [root] }));
    const tree = parseTrace(out.Traces?.[0]);
    const rows = flattenTrace(tree);
    const facade = rows.find((r) => r.depth === 0);
    expect(facade?.name).toBe(FunctionNames.saveSession);
    const save = rows.find((r) => r.name === 'Sessions.saveSessionDynamoDB');
    expect(save?.depth).toBe(1);
    const child = save?.node.children.find((c) => c.name === 'DynamoDB');
    expect(child).toMatchObject({ namespace: 'aws', operation: 'PutItem', tableName: 'sessions' });
    // The cache write happens before the span, directly under the function.
    expect(facade?.node.children.some((c) => c.operation === 'PutItem' && c.tableName === 'cache')).toBe(
      true,
    );
    const saveDoc = out.Traces?.[0]?.Segments?.map((s) => JSON.parse(s.Document ?? '{}')).find(
      (d: { name: string }) => d.name === 'Sessions.saveSessionDynamoDB',
    );
    expect(saveDoc.annotations).toMatchObject({ storeInDatabase: 'DynamoDB' });
  }, 60_000);

  it('names the slow save as the bottleneck when FAULT_SAVE_DELAY_MS=1500', async () => {
    const header = newHeader();
    const result = await runner.invoke('slow-save', sqsEvent(), { traceHeader: header });
    expect(result.error).toBeUndefined();
    const out = await xray.send(
      new BatchGetTracesCommand({ TraceIds: [parseTraceHeader(header)?.root ?? ''] }),
    );
    const bottleneck = findBottleneck(parseTrace(out.Traces?.[0]));
    expect(bottleneck?.node.name).toBe('Sessions.saveSessionDynamoDB');
    expect(bottleneck?.selfMs).toBeGreaterThanOrEqual(1400);
  }, 60_000);

  it('keeps the unsampled invocation out of X-Ray', async () => {
    const header = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${'a'.repeat(24)};Parent=${'b'.repeat(16)};Sampled=0`;
    await runner.invoke(FunctionNames.saveSession, sqsEvent(), { traceHeader: header });
    const out = await xray.send(
      new BatchGetTracesCommand({ TraceIds: [parseTraceHeader(header)?.root ?? ''] }),
    );
    expect(out.Traces?.[0]?.Segments?.some((s) => (s.Document ?? '').includes('"origin"')) ?? false).toBe(
      false,
    );
  }, 60_000);
});
