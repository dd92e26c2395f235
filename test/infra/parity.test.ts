import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGumshoeApp, PROJECT_ROOT } from '../../infra/lib/gumshoe-app';
import { logGroupOf } from '../../src/conference-app/contract';
import { LOCAL_AWS_ACCOUNT_ID } from '../../src/local/aws';
import { type LocalStack, startLocalStack } from '../../src/local/stack';
import type { ScheduleWhen } from '../../src/topology';
import { conferenceOf } from './synth-gumshoe';

// Deployed and local from one description: the CDK app synthesized with the local stack's own
// settings must find every function, variable, queue, table, event source, subscription, schedule
// and route running locally with the same settings. Values differ only where they name a resource.

type Resource = { Type: string; Properties: Record<string, unknown> };
const region = 'eu-west-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Set by the construct for the Lambda platform, not read by our code. */
const PLATFORM_ONLY_VARIABLES = new Set(['NODE_OPTIONS', 'AWS_LAMBDA_EXEC_WRAPPER']);

let stack: LocalStack;
let dataDir: string;
let deployed: Record<string, Resource>;
let lambda: LambdaClient;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gumshoe-parity-'));
  stack = await startLocalStack({
    ports: { aws: 0, conferenceApi: 0, slack: 0, bot: 0, standIns: 0 },
    dataDir,
    region,
    bundle: false,
  });
  const settings = stack.topology.schedules.weeklyCost?.input ?? {};
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      channelId: settings.channelId,
      timeZone: 'UTC',
      partnerUrl: stack.standIns.partnerBaseUrl,
      aliases: JSON.stringify({ [LOCAL_AWS_ACCOUNT_ID]: 'local' }),
    },
  });
  const stacks = buildGumshoeApp(app, PROJECT_ROOT);
  deployed = {
    ...(Template.fromStack(conferenceOf(stacks)).toJSON().Resources as Record<string, Resource>),
    ...(Template.fromStack(stacks.bot).toJSON().Resources as Record<string, Resource>),
  };
  const config = { endpoint: stack.aws.url, region, credentials };
  lambda = new LambdaClient(config);
  sqs = new SQSClient(config);
  dynamodb = new DynamoDBClient(config);
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  sqs?.destroy();
  dynamodb?.destroy();
  await stack?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function resourcesOf(type: string): [string, Record<string, unknown>][] {
  return Object.entries(deployed)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties]);
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points at. */
function target(value: unknown): string {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = v.Ref ?? v['Fn::GetAtt']?.[0];
  if (!id || !deployed[id]) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return id;
}

function prop(id: string, name: string): string {
  return String(deployed[id]?.Properties[name]);
}

/** The deployed functions of our own (CDK's helper functions have no FunctionName). */
function deployedFunctions(): [string, Record<string, unknown>][] {
  return resourcesOf('AWS::Lambda::Function').filter(([, p]) => typeof p.FunctionName === 'string');
}

describe('the local stack runs what is deployed', () => {
  it('runs every deployed function with its memory, timeout, architecture and tracing', async () => {
    const functions = deployedFunctions();
    expect(functions.length).toBe(Object.keys(stack.topology.functions).length);
    for (const [, p] of functions) {
      const local = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: p.FunctionName as string }),
      );
      expect({
        name: local.FunctionName,
        memory: local.MemorySize,
        timeout: local.Timeout,
        architectures: local.Architectures,
        tracing: local.TracingConfig?.Mode,
      }).toEqual({
        name: p.FunctionName,
        memory: p.MemorySize,
        timeout: p.Timeout,
        architectures: p.Architectures,
        tracing: (p.TracingConfig as { Mode: string }).Mode,
      });
    }
  });

  it('gives every function each deployed variable: literals equal, resource references to the local twin', async () => {
    for (const [, p] of deployedFunctions()) {
      const name = p.FunctionName as string;
      const local =
        (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).Environment
          ?.Variables ?? {};
      const variables = (p.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const [key, value] of Object.entries(variables)) {
        if (PLATFORM_ONLY_VARIABLES.has(key)) continue;
        const where = `${name} ${key}`;
        if (typeof value === 'string') {
          expect(local[key], where).toBe(value);
          continue;
        }
        const ref = target(value);
        const type = deployed[ref]?.Type;
        if (type === 'AWS::DynamoDB::Table') expect(local[key], where).toBe(prop(ref, 'TableName'));
        else if (type === 'AWS::SQS::Queue')
          expect(local[key], where).toMatch(new RegExp(`/${prop(ref, 'QueueName')}$`));
        else if (type === 'AWS::SecretsManager::Secret') {
          // No Secrets Manager locally: the secret's fields arrive in the variables it names.
          const secret = Object.values(stack.topology.secrets).find((s) => s.name === prop(ref, 'Name'));
          expect(secret?.arnVariable, where).toBe(key);
          for (const variable of Object.values(secret?.localEnv ?? {}))
            expect(local[variable], where).toBeTruthy();
        } else throw new Error(`${where}: unexpected reference to ${type}`);
      }
    }
  });

  it('creates every deployed queue with its name, visibility, retention and dead-letter queue', async () => {
    for (const [, p] of resourcesOf('AWS::SQS::Queue')) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: p.QueueName as string }));
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
      );
      expect(Attributes.VisibilityTimeout).toBe(String(p.VisibilityTimeout ?? 30));
      expect(Attributes.MessageRetentionPeriod).toBe(String(p.MessageRetentionPeriod ?? 345_600));
      const redrive = p.RedrivePolicy as
        | { deadLetterTargetArn: unknown; maxReceiveCount: number }
        | undefined;
      const local = Attributes.RedrivePolicy ? JSON.parse(Attributes.RedrivePolicy) : undefined;
      expect(local?.maxReceiveCount).toBe(redrive?.maxReceiveCount);
      if (redrive)
        expect(local.deadLetterTargetArn).toMatch(
          new RegExp(`:${prop(target(redrive.deadLetterTargetArn), 'QueueName')}$`),
        );
    }
  });

  it('creates every deployed table with its keys and stream', async () => {
    for (const [, p] of resourcesOf('AWS::DynamoDB::Table')) {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: p.TableName as string }));
      expect(Table?.KeySchema).toEqual(p.KeySchema);
      expect(Table?.StreamSpecification?.StreamViewType).toBe(
        (p.StreamSpecification as { StreamViewType?: string } | undefined)?.StreamViewType,
      );
    }
  });

  it('runs every deployed event source mapping with the same batch settings', () => {
    const mappings = resourcesOf('AWS::Lambda::EventSourceMapping');
    expect(stack.eventSources).toHaveLength(mappings.length);
    for (const [, p] of mappings) {
      const fn = prop(target(p.FunctionName), 'FunctionName');
      const source = target(p.EventSourceArn);
      const sourceName = prop(
        source,
        deployed[source]?.Type === 'AWS::SQS::Queue' ? 'QueueName' : 'TableName',
      );
      const local = stack.eventSources.find((s) => s.functionName === fn && s.sourceName === sourceName);
      expect(local, `${fn} ← ${sourceName}`).toBeDefined();
      if (!local) continue;
      expect(local.batchSize).toBe(p.BatchSize);
      expect(local.maxBatchingWindowMs).toBe(((p.MaximumBatchingWindowInSeconds as number) ?? 0) * 1000);
      expect(local.reportBatchItemFailures).toBe(
        ((p.FunctionResponseTypes as string[]) ?? []).includes('ReportBatchItemFailures'),
      );
      const cap = (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
      if (cap !== undefined) expect(local.concurrency).toBeLessThanOrEqual(cap);
      if (!p.StartingPosition) continue;
      const failure = (p.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination;
      expect(local.stream).toEqual({
        parallelizationFactor: p.ParallelizationFactor ?? 1,
        startingPosition: p.StartingPosition,
        retryAttempts: p.MaximumRetryAttempts,
        bisectBatchOnError: p.BisectBatchOnFunctionError,
        maxRecordAgeSeconds: p.MaximumRecordAgeInSeconds,
        onFailureQueue: prop(target(failure), 'QueueName'),
      });
    }
  });

  it('subscribes the same queues to the same topics, raw delivery as deployed', () => {
    const subscriptions = resourcesOf('AWS::SNS::Subscription');
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const [, p] of subscriptions) {
      const topicName = JSON.stringify(p.TopicArn).match(/:([\w-]+)"\]\]\}$/)?.[1];
      const queueName = prop(target(p.Endpoint), 'QueueName');
      const topicArn = `arn:aws:sns:${region}:${LOCAL_AWS_ACCOUNT_ID}:${topicName}`;
      const local = stack.observability.topics
        .subscriptions(topicArn)
        .find((s) => s.protocol === p.Protocol && s.endpoint.endsWith(`:${queueName}`));
      expect(local, `${topicName} → ${queueName}`).toBeDefined();
      expect(local?.rawMessageDelivery).toBe(p.RawMessageDelivery === true);
    }
  });

  it('runs every deployed schedule: same function, expression, time zone and input', () => {
    const schedules = resourcesOf('AWS::Scheduler::Schedule');
    expect(Object.keys(stack.scheduler.nextRuns()).sort()).toEqual(
      Object.keys(stack.topology.schedules).sort(),
    );
    expect(schedules).toHaveLength(Object.keys(stack.topology.schedules).length);
    for (const [, p] of schedules) {
      const t = p.Target as { Arn: unknown; Input: string };
      const fn = prop(target(t.Arn), 'FunctionName');
      const local = Object.values(stack.topology.schedules).find(
        (s) => stack.topology.functions[s.function]?.name === fn,
      );
      expect(local, fn).toBeDefined();
      if (!local) continue;
      expect(expressionOf(local.when)).toBe(p.ScheduleExpression);
      // A rate has no time zone of its own; CDK writes Etc/UTC for it.
      expect(local.when.kind === 'weekly' ? local.when.timeZone : 'Etc/UTC').toBe(
        p.ScheduleExpressionTimezone,
      );
      expect(local.input).toEqual(JSON.parse(t.Input));
    }
  });

  it('serves every deployed route and the Function URL from the same functions', async () => {
    const invoked = (name: string) =>
      [...stack.aws.logs.scan([logGroupOf(name)], 0, Date.now() + 1000)].some((e) =>
        e.message.startsWith('REPORT RequestId:'),
      );
    for (const [, p] of resourcesOf('AWS::ApiGatewayV2::Route')) {
      // Target: integrations/<integration>; the integration's URI is the function's ARN.
      const parts = (p.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const integration = target(parts.find((part) => typeof part === 'object'));
      const fn = prop(target(deployed[integration]?.Properties.IntegrationUri), 'FunctionName');
      const [method, path] = String(p.RouteKey).split(' ');
      // Whatever the function answers, the local API hands the route to the deployed function.
      await fetch(`${stack.conferenceApi.url}${path}`, {
        method,
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(invoked(fn), String(p.RouteKey)).toBe(true);
    }
    const [[, url]] = resourcesOf('AWS::Lambda::Url') as [[string, Record<string, unknown>]];
    const fn = prop(target(url.TargetFunctionArn), 'FunctionName');
    expect(Object.values(stack.topology.functions).find((f) => f.functionUrl)?.name).toBe(fn);
    // The local Function URL stand-in hands the request to that function: it logs an invocation.
    await fetch(stack.botUrl, { method: 'POST', body: 'x=1' });
    expect(invoked(fn)).toBe(true);
    // Three cold starts of TypeScript entries (bundle: false): slow on a loaded machine.
  }, 120_000);
});

/** EventBridge Scheduler's expression for a schedule of the description. */
function expressionOf(when: ScheduleWhen): string {
  return when.kind === 'rate'
    ? `rate(${when.minutes} ${when.minutes === 1 ? 'minute' : 'minutes'})`
    : `cron(${when.minute} ${when.hour} ? * ${when.weekDay} *)`;
}
