import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../../src/commands/xray/trace-document';
import { findBottleneck, flattenTrace } from '../../../src/commands/xray/waterfall';
import { FunctionNames } from '../../../src/conference-app/contract';
import { parseTraceHeader } from '../../../src/conference-app/observability/tracing/trace-header';
import { cacheTableInput, sessionsTableInput } from '../../../src/conference-app/store/table-definitions';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { TraceStore } from '../../../src/local/aws/xray/trace-store';
import { createXRayService } from '../../../src/local/aws/xray/xray-service';
import { createFunctionConfigurationService } from '../../../src/local/function-configuration-service';
import {
  createLambdaRunner,
  type LambdaRunner,
  type LocalFunctionSpec,
  MemoryLogSink,
} from '../../../src/local/runner';
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
    const env = { SESSIONS_TABLE_NAME: 'sessions', CACHE_TABLE_NAME: 'cache' };
    const functions: LocalFunctionSpec[] = [
      { name: FunctionNames.saveSession, entry, env, tracing: true },
      { name: 'slow-save', entry, env: { ...env, FAULT_SAVE_DELAY_MS: '1500' }, tracing: true },
      { name: 'reconfigured-save', entry, env, tracing: true },
    ];
    runner = createLambdaRunner({
      awsEndpointUrl: aws.url,
      region: 'eu-west-1',
      bundle,
      logSink: new MemoryLogSink(),
      functions,
    });
    aws.registerRestService(createFunctionConfigurationService(runner, functions));
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

  it('keeps tracing after UpdateFunctionConfiguration replaces the variables (tracing is configuration, as in AWS)', async () => {
    const lambda = new LambdaClient(clientConfig(aws.url));
    try {
      const before = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'reconfigured-save' }),
      );
      expect(before.TracingConfig?.Mode).toBe('Active');
      // What the README tells users to run: the table names and the fault, nothing else.
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'reconfigured-save',
          Environment: {
            Variables: {
              SESSIONS_TABLE_NAME: 'sessions',
              CACHE_TABLE_NAME: 'cache',
              FAULT_SAVE_ERROR_RATE: '1',
            },
          },
        }),
      );
    } finally {
      lambda.destroy();
    }
    const header = newHeader();
    await runner.invoke('reconfigured-save', sqsEvent(), { traceHeader: header });
    const root = parseTraceHeader(header)?.root ?? '';
    const out = await xray.send(new BatchGetTracesCommand({ TraceIds: [root] }));
    const names = out.Traces?.[0]?.Segments?.map(
      (seg) => (JSON.parse(seg.Document ?? '{}') as { name: string }).name,
    );
    expect(names).toEqual(expect.arrayContaining(['reconfigured-save', 'Sessions.saveSessionDynamoDB']));
    // The failed save is found the way Investigate looks for it.
    const seconds = Number.parseInt(root.split('-')[1] ?? '0', 16);
    const summaries = await xray.send(
      new GetTraceSummariesCommand({
        StartTime: new Date((seconds - 60) * 1000),
        EndTime: new Date((seconds + 60) * 1000),
        FilterExpression: 'service("reconfigured-save") { fault = true OR error = true }',
      }),
    );
    expect(summaries.TraceSummaries?.map((t) => t.Id)).toContain(root);
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
