import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutTraceSegmentsCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XRayClientTraceReader } from '../../src/aws/xray-trace-reader';
import { parseTrace } from '../../src/commands/xray/trace-document';
import { FunctionNames } from '../../src/conference-app/contract';
import { SAVE_SPAN_NAME } from '../../src/conference-app/sessions/save-session';
import { toDynamoDbRecord } from '../../src/local/event-sources/dynamodb-stream-event-source';
import { toSqsRecord } from '../../src/local/event-sources/sqs-event-source';
import { buildSlashCommandRequest, LOCAL_SLACK_DEFAULTS, LOCAL_WORKSPACE } from '../../src/local/slack';
import { BotFunctionNames, ResourceNames } from '../../src/topology';
import { apiEvent, newSessionBody } from '../conference-app/helpers';
import { type AssetWorld, startAssetWorld } from './asset-world';
import {
  type AssetInvocation,
  type DeployedFunction,
  invokeAsset,
  isolateAsset,
  LAMBDA_NODE,
} from './lambda-assets';

// The deployed bundles tested as deployed: the CDK app is synthesized as `cdk synth` does (local
// esbuild, minified, every stack), each function's asset folder is copied alone (no node_modules
// anywhere above it) and run on Lambda's Node major with the environment its template gives it,
// against the local AWS endpoint, the local Slack and the stand-ins, through its happy path and
// one failure path. Each function's events come from the previous one where the system chains them.

const region = 'eu-west-1';
let world: AssetWorld;
const dirs = new Map<string, string>();
const covered = new Set<string>();

beforeAll(async () => {
  world = await startAssetWorld();
  for (const fn of world.functions) dirs.set(fn.name, await isolateAsset(fn));
}, 180_000);

afterAll(async () => {
  for (const dir of dirs.values()) await rm(dir, { recursive: true, force: true });
  await world?.close();
});

function fnNamed(name: string): DeployedFunction {
  const fn = world.functions.find((f) => f.name === name);
  if (!fn) throw new Error(`${name} is not deployed`);
  return fn;
}

/** One invocation of the deployed bundle, with its template's environment plus `extra`. */
async function invoke(
  name: string,
  event: unknown,
  extra: Record<string, string> = {},
): Promise<AssetInvocation> {
  covered.add(name);
  const fn = fnNamed(name);
  return invokeAsset(dirs.get(name) ?? '', fn, event, { ...world.environmentOf(fn), ...extra });
}

async function receiveAll(queueKey: string): Promise<Parameters<typeof toSqsRecord>[0][]> {
  const queue = world.queues[queueKey];
  if (!queue) throw new Error(`no queue ${queueKey}`);
  const out = await world.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

function sqsEvent(queueKey: string, messages: Parameters<typeof toSqsRecord>[0][]) {
  const arn = world.queues[queueKey]?.arn ?? '';
  return { Records: messages.map((m) => toSqsRecord(m, arn, region)) };
}

/** The stream records of the sessions table so far, as Lambda hands them to a stream consumer. */
async function sessionStreamEvent() {
  const table = await world.clients.dynamodb.send(
    new DescribeTableCommand({ TableName: ResourceNames.sessionsTable }),
  );
  const arn = table.Table?.LatestStreamArn ?? '';
  const stream = await world.clients.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const records = [];
  for (const shard of stream.StreamDescription?.Shards ?? []) {
    const it = await world.clients.streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const out = await world.clients.streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    records.push(...(out.Records ?? []));
  }
  return { Records: records.map((r) => toDynamoDbRecord(r, arn, region)) };
}

describe('the deployed Lambda assets', () => {
  it('run on the Lambda runtime Node major (22), with no node_modules beside them', () => {
    expect(execFileSync(LAMBDA_NODE, ['--version']).toString()).toMatch(/^v22\./);
    expect(world.functions.map((f) => f.name).sort()).toEqual(
      [...Object.values(FunctionNames), ...Object.values(BotFunctionNames)].sort(),
    );
  });
});

const rootId = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
const parentId = randomBytes(8).toString('hex');
/** Lambda's `_X_AMZN_TRACE_ID` for a sampled invocation of the save function. */
const traceHeader = `Root=${rootId};Parent=${parentId};Sampled=1`;

describe('conference-service bundles', () => {
  const json = { 'content-type': 'application/json' };
  const saved: string[] = [];

  it('create-session queues a valid talk (202) and refuses an invalid one (400)', async () => {
    const ok = await invoke(
      FunctionNames.createSession,
      apiEvent({ method: 'POST', path: '/sessions', body: JSON.stringify(newSessionBody), headers: json }),
    );
    const bad = await invoke(
      FunctionNames.createSession,
      apiEvent({ method: 'POST', path: '/sessions', body: '{"subject":""}', headers: json }),
    );

    expect(ok.error).toBeUndefined();
    expect(ok.result).toMatchObject({ statusCode: 202 });
    saved.push(JSON.parse(String((ok.result as { body: string }).body)).sessionId);
    expect(bad.result).toMatchObject({ statusCode: 400 });
  }, 30_000);

  it('save-session saves the queued talk; an injected fault is logged as InjectedFaultError, not a minified name', async () => {
    const [message] = await receiveAll('save');
    expect(message).toBeDefined();
    const event = sqsEvent('save', message ? [message] : []);

    const failed = await invoke(FunctionNames.saveSession, event, { FAULT_SAVE_ERROR_RATE: '1' });
    const ok = await invoke(FunctionNames.saveSession, event, { _X_AMZN_TRACE_ID: traceHeader });

    expect(failed.result).toEqual({ batchItemFailures: [{ itemIdentifier: message?.MessageId }] });
    const errorLine = failed.logs.find((l) => l.exception !== undefined);
    expect((errorLine?.exception as { name?: string } | undefined)?.name, failed.lines.join('\n')).toBe(
      'InjectedFaultError',
    );
    expect(ok.result).toEqual({ batchItemFailures: [] });
    expect(ok.logs.map((l) => l.milestone)).toContain('SAVED_IN_DATABASE');
  }, 30_000);

  it('save-session sends its span to the X-Ray OTLP endpoint: the waterfall shows Sessions.saveSessionDynamoDB under the function', async () => {
    const xray = new XRayClient({
      endpoint: world.aws.url,
      region,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    // Lambda's active tracing records the function's segment; here the test does, with the header's ids.
    await xray.send(
      new PutTraceSegmentsCommand({
        TraceSegmentDocuments: [
          JSON.stringify({
            name: FunctionNames.saveSession,
            id: parentId,
            trace_id: rootId,
            start_time: Date.now() / 1000 - 5,
            end_time: Date.now() / 1000,
            origin: 'AWS::Lambda::Function',
          }),
        ],
      }),
    );

    const { Traces } = await new XRayClientTraceReader(xray).batchGetTraces([rootId]);
    const tree = parseTrace(Traces[0]);
    xray.destroy();

    expect(tree.roots.map((r) => r.name)).toEqual([FunctionNames.saveSession]);
    expect(tree.roots[0]?.children.map((c) => c.name)).toContain(SAVE_SPAN_NAME);
  }, 30_000);

  it('list-sessions lists the saved talk and refuses a forged cursor (400)', async () => {
    const ok = await invoke(FunctionNames.listSessions, apiEvent({ method: 'GET', path: '/sessions' }));
    const bad = await invoke(
      FunctionNames.listSessions,
      apiEvent({ method: 'GET', path: '/sessions', query: { cursor: 'not-a-cursor' } }),
    );

    expect(ok.result).toMatchObject({ statusCode: 200 });
    expect(String((ok.result as { body: string }).body)).toContain(saved[0]);
    expect(bad.result).toMatchObject({ statusCode: 400 });
  }, 30_000);

  it('notify-new-session posts the saved talk to the webhook read from Secrets Manager; a failing webhook is a batch item failure', async () => {
    const event = await sessionStreamEvent();
    expect(event.Records.length).toBeGreaterThan(0);

    world.standIns.configure({ slack: { failureRate: 1, failureStatus: 500 } });
    const failed = await invoke(FunctionNames.notifyNewSession, event);
    world.standIns.configure({ slack: { failureRate: 0 } });
    const ok = await invoke(FunctionNames.notifyNewSession, event);

    expect(failed.error).toBeUndefined();
    expect((failed.result as { batchItemFailures: unknown[] }).batchItemFailures.length).toBeGreaterThan(0);
    expect(ok.result).toEqual({ batchItemFailures: [] });
    expect(JSON.stringify(world.standIns.received('slack'))).toContain(saved[0]);
  }, 60_000);

  it('forward-session forwards the talk to the partner; a failing partner is a batch item failure within the function timeout', async () => {
    const event = await sessionStreamEvent();

    world.standIns.configure({ partner: { failureRate: 1, failureStatus: 500 } });
    const failed = await invoke(FunctionNames.forwardSession, event);
    world.standIns.configure({ partner: { failureRate: 0 } });
    const ok = await invoke(FunctionNames.forwardSession, event);

    // A retry budget longer than the timeout would end in "Task timed out" and lose the report.
    expect(failed.error).toBeUndefined();
    expect((failed.result as { batchItemFailures: unknown[] }).batchItemFailures.length).toBeGreaterThan(0);
    expect(ok.result).toEqual({ batchItemFailures: [] });
    expect(JSON.stringify(world.standIns.received('partner'))).toContain(saved[0]);
  }, 60_000);
});

function alarmEnvelope(fixture: string): string {
  const event = JSON.parse(
    readFileSync(new URL(`../fixtures/alarms/${fixture}`, import.meta.url), 'utf8'),
  ) as { Records: { Sns: Record<string, unknown> }[] };
  return JSON.stringify({ ...event.Records[0]?.Sns, MessageId: randomUUID() });
}

describe('bot bundles', () => {
  function functionUrlEvent(body: string, headers: Record<string, string>) {
    const event = apiEvent({ method: 'POST', path: '/slack/events', body, headers });
    return {
      ...event,
      routeKey: '$default',
      requestContext: { ...event.requestContext, routeKey: '$default' },
    };
  }

  it('slack-events acknowledges a signed /trace and hands it to the worker; a bad signature gets 401', async () => {
    const responseUrl = world.slack.createResponseUrl();
    const signed = buildSlashCommandRequest({
      command: '/trace',
      text: randomUUID(),
      responseUrl,
      signingSecret: LOCAL_SLACK_DEFAULTS.signingSecret,
    });
    const ok = await invoke(BotFunctionNames.slackEvents, functionUrlEvent(signed.body, signed.headers));
    const forged = await invoke(
      BotFunctionNames.slackEvents,
      functionUrlEvent(signed.body, { ...signed.headers, 'x-slack-signature': `v0=${'0'.repeat(64)}` }),
    );

    expect(ok.result).toMatchObject({ statusCode: 200 });
    expect(world.invokes.map((i) => [i.functionName, i.invocationType])).toContainEqual([
      BotFunctionNames.worker,
      'Event',
    ]);
    expect(forged.result).toMatchObject({ statusCode: 401 });
  }, 60_000);

  it('worker answers the handed-off job through its response_url; a malformed job is refused, not retried', async () => {
    const job = world.invokes.find((i) => i.functionName === BotFunctionNames.worker);
    expect(job).toBeDefined();
    const before = world.slack.messages().length;

    const ok = await invoke(BotFunctionNames.worker, job?.payload);
    const bad = await invoke(BotFunctionNames.worker, { not: 'a job' });

    expect(ok.error).toBeUndefined();
    expect(world.slack.messages().length).toBeGreaterThan(before);
    expect(bad.result).toEqual({ outcome: 'rejected' });
  }, 120_000);

  it('alarm posts an alarm from its queue to the channel; a malformed notification still posts, as unreadable', async () => {
    const queue = world.queues.alarm;
    if (!queue) throw new Error('no alarm queue');
    await world.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: alarmEnvelope('sns-metric-alarm.json') }),
    );
    const before = world.slack.messages({ channel: LOCAL_WORKSPACE.channelId }).length;

    const ok = await invoke(BotFunctionNames.alarm, sqsEvent('alarm', await receiveAll('alarm')));
    await world.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: alarmEnvelope('sns-malformed-message.json'),
      }),
    );
    const posted = world.slack.messages({ channel: LOCAL_WORKSPACE.channelId }).length;
    const bad = await invoke(BotFunctionNames.alarm, sqsEvent('alarm', await receiveAll('alarm')));

    expect(ok.result).toMatchObject({ batchItemFailures: [] });
    expect(posted).toBeGreaterThan(before);
    expect(bad.result).toMatchObject({ batchItemFailures: [] });
    const last = world.slack.messages({ channel: LOCAL_WORKSPACE.channelId }).at(-1);
    expect(world.slack.messages({ channel: LOCAL_WORKSPACE.channelId }).length).toBe(posted + 1);
    expect(JSON.stringify(last)).toMatch(/not JSON|unreadable|malformed/i);
  }, 120_000);

  it('weekly-cost and alarm-reminder run on schedule; an unreadable Slack secret fails them with a clear error', async () => {
    const cost = await invoke(BotFunctionNames.weeklyCost, {
      source: 'gumshoe.weekly-cost',
      channelId: LOCAL_WORKSPACE.channelId,
    });
    const reminder = await invoke(BotFunctionNames.alarmReminder, { source: 'gumshoe.alarm-reminder' });
    const arn = world.secretArns.get(ResourceNames.slackSecret) ?? '';
    await world.clients.secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'not json' }));
    const costFailed = await invoke(BotFunctionNames.weeklyCost, { source: 'gumshoe.weekly-cost' });
    const reminderFailed = await invoke(BotFunctionNames.alarmReminder, { source: 'gumshoe.alarm-reminder' });

    expect(cost.error).toBeUndefined();
    expect(cost.result).toMatchObject({ ts: expect.any(String) });
    expect(reminder.error).toBeUndefined();
    expect(reminder.result).toMatchObject({ checked: expect.any(Number) });
    for (const failed of [costFailed, reminderFailed]) {
      expect(failed.error?.name).toBe('BotConfigError');
      expect(failed.error?.message).toContain('Slack secret');
    }
  }, 120_000);

  it('covers every deployed function', () => {
    expect([...covered].sort()).toEqual(world.functions.map((f) => f.name).sort());
  });
});
