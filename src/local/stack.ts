import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DELIVERIES_TABLE,
  FunctionNames,
  logGroupOf,
  STREAM_CONSUMER_SETTINGS,
} from '../conference-app/contract';
import {
  cacheTableInput,
  deliveriesTableInput,
  sessionsTableInput,
} from '../conference-app/store/table-definitions';
import { installLocalObservability, type LocalObservability } from './alarms/local-observability';
import { LOCAL_AWS_ACCOUNT_ID, type LocalAws, startLocalAws } from './aws';
import { SdkSnsQueueSender } from './aws/sns/sdk-queue-sender';
import {
  type EventSourceMapping,
  type FunctionInvoker,
  fileFailureDestination,
  SdkQueueReceiver,
  SdkStreamReader,
  startDynamoDbStreamEventSource,
  startSqsEventSource,
} from './event-sources';
import { type HttpApiServer, startHttpApi } from './event-sources/http-api';
import { createFunctionConfigurationService } from './function-configuration-service';
import {
  createLambdaInvokeService,
  createLambdaRunner,
  type LambdaRunner,
  type LocalFunctionSpec,
} from './runner';
import { LOCAL_SLACK_DEFAULTS, LOCAL_WORKSPACE, type LocalSlack, startLocalSlack } from './slack';
import { type StandIns, startStandIns } from './stand-ins';

/** Names of the local resources, as the CDK app names their deployed twins' roles. */
export const LOCAL_RESOURCES = {
  sessionsTable: 'conference-sessions',
  cacheTable: 'conference-sessions-cache',
  saveQueue: 'conference-save-session-queue',
  saveDeadLetterQueue: 'conference-save-session-dlq',
} as const;

/** The bot's functions, named as the BotStack deploys them. */
export const BOT_FUNCTIONS = {
  slackEvents: 'gumshoe-slack-events',
  worker: 'gumshoe-worker',
  weeklyCost: 'gumshoe-weekly-cost',
  alarm: 'gumshoe-alarm',
} as const;

/** The queue between the alarm topic and the alarm function, and its dead-letter queue (as deployed). */
export const LOCAL_ALARM_QUEUES = {
  queue: 'gumshoe-alarm-queue',
  deadLetterQueue: 'gumshoe-alarm-dlq',
} as const;

/** The table the bot's alarm function keeps notification state in (`pk` string key). */
export const LOCAL_ALARM_STATE_TABLE = 'gumshoe-alarm-state';

/** Ports of the local stack; 0 picks a free one (tests). */
export interface LocalStackPorts {
  aws: number;
  conferenceApi: number;
  slack: number;
  bot: number;
  standIns: number;
}

/** How {@link startLocalStack} is set up; every field has the documented local default. */
export interface LocalStackOptions {
  ports?: Partial<LocalStackPorts>;
  host?: string;
  /** Logs, tables and stream records survive a restart here; in memory when undefined. */
  dataDir?: string;
  /** Wipe the data folder first (`npm start -- --fresh`). */
  fresh?: boolean;
  region?: string;
  signingSecret?: string;
  botToken?: string;
  channelId?: string;
  /** Extra env per function (fault injection at start, for example). */
  functionEnv?: Record<string, Record<string, string>>;
  /** How fast the stream and queue pollers look for work (ms). */
  pollIntervalMs?: number;
  /** How often the local alarms are evaluated (ms); 10 s by default. */
  alarmEvaluationIntervalMs?: number;
  /** How long the alarm queue's event source gathers a batch (ms); 2 s by default (20 s in AWS). */
  alarmBatchingWindowMs?: number;
  /** Run functions from an esbuild bundle, as Lambda does (default); false loads the TypeScript with tsx. */
  bundle?: boolean;
}

/** A running local stack: every endpoint and the handles tests drive. */
export interface LocalStack {
  aws: LocalAws;
  runner: LambdaRunner;
  conferenceApi: HttpApiServer;
  botServer: HttpApiServer;
  slack: LocalSlack;
  standIns: StandIns;
  /** The bot's Slack request URL (Function URL stand-in). */
  botUrl: string;
  /** The log groups of the watched service. */
  serviceLogGroups: string[];
  /** Local X-Ray traces, CloudWatch alarms (evaluated every 10 s) and the SNS alarm topic. */
  observability: LocalObservability;
  close(): Promise<void>;
}

/** The documented default ports (README and ../shared/README.md), overridden by env. */
export function defaultPorts(env: NodeJS.ProcessEnv = process.env): LocalStackPorts {
  const port = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65_535)
      throw new Error(`${name} must be a port number, got "${value}"`);
    return n;
  };
  return {
    aws: port('LOCAL_AWS_PORT', 4566),
    conferenceApi: port('CONFERENCE_API_PORT', 3000),
    slack: port('LOCAL_SLACK_PORT', LOCAL_SLACK_DEFAULTS.port),
    bot: port('BOT_PORT', 3200),
    standIns: port('STAND_INS_PORT', 3300),
  };
}

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '..', '..');
const entry = (relative: string): string => join(repoRoot, relative);

/**
 * Starts everything on loopback through the same code paths as in AWS: the local AWS endpoint,
 * the five service functions and the bot's three in Lambda-like processes, their event sources,
 * the local Slack and the stand-ins for the webhook and the partner.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...defaultPorts(), ...options.ports };
  const region = options.region ?? 'eu-west-1';
  const signingSecret = options.signingSecret ?? LOCAL_SLACK_DEFAULTS.signingSecret;
  const botToken = options.botToken ?? LOCAL_SLACK_DEFAULTS.botToken;
  const channelId = options.channelId ?? LOCAL_WORKSPACE.channelId;
  if (options.fresh && options.dataDir) await rm(options.dataDir, { recursive: true, force: true });

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const aws = await startLocalAws({
      port: ports.aws,
      host,
      region,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    closers.push(() => aws.close());
    const observability = installLocalObservability(aws, {
      region,
      dataDir: options.dataDir,
      ...(options.alarmEvaluationIntervalMs === undefined
        ? {}
        : { evaluationIntervalMs: options.alarmEvaluationIntervalMs }),
    });
    closers.push(async () => observability.close());
    const clientConfig = {
      endpoint: aws.url,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const dynamodb = new DynamoDBClient(clientConfig);
    const sqs = new SQSClient(clientConfig);
    const streams = new DynamoDBStreamsClient(clientConfig);
    closers.push(async () => {
      dynamodb.destroy();
      sqs.destroy();
      streams.destroy();
    });

    await createTableIfMissing(dynamodb, sessionsTableInput(LOCAL_RESOURCES.sessionsTable));
    await createTableIfMissing(dynamodb, cacheTableInput(LOCAL_RESOURCES.cacheTable));
    await createTableIfMissing(dynamodb, deliveriesTableInput(DELIVERIES_TABLE));
    const queue = await createSaveQueue(sqs);
    // The bot's alarm function runs only once its handler exists in this checkout.
    const alarmHandler = existsSync(entry('src/bot/handlers/alarm.ts'));
    if (alarmHandler)
      await createTableIfMissing(dynamodb, {
        TableName: LOCAL_ALARM_STATE_TABLE,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
    const alarmQueue = alarmHandler ? await createAlarmQueue(sqs) : undefined;

    const standIns = await startStandIns({ port: ports.standIns, host });
    closers.push(() => standIns.close());
    // The bot's URL must be known before the local Slack starts, and the runner needs the local
    // Slack's URL: the Function URL stand-in starts first and reaches the runner lazily.
    let runnerRef: LambdaRunner | undefined;
    const lazyInvoker: FunctionInvoker = {
      invoke: (name, event, invokeOptions) => {
        if (!runnerRef) throw new Error('the Lambda runner is not ready yet');
        return runnerRef.invoke(name, event, invokeOptions);
      },
    };
    const botServer = await startHttpApi({
      invoker: lazyInvoker,
      routes: { $default: BOT_FUNCTIONS.slackEvents },
      port: ports.bot,
      host,
    });
    closers.push(() => botServer.close());
    const botUrl = `${botServer.url}/slack/events`;
    const slack = await startLocalSlack({ port: ports.slack, host, botUrl, signingSecret, botToken });
    closers.push(() => slack.close());

    const serviceLogGroups = Object.values(FunctionNames).map(logGroupOf);
    const serviceFunctions = new Set<string>(Object.values(FunctionNames));
    const botEnv: Record<string, string> = {
      GUMSHOE_CHANNEL: channelId,
      GUMSHOE_LOG_GROUPS: serviceLogGroups.join(','),
      GUMSHOE_WORKER_FUNCTION: BOT_FUNCTIONS.worker,
      SLACK_API_URL: slack.apiUrl,
      // Locally, answers go to the local Slack's response_urls and nowhere else (src/bot/response-url.ts).
      SLACK_RESPONSE_URL_BASE: new URL('/response/', slack.apiUrl).href,
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
    };
    const functions: LocalFunctionSpec[] = [
      fn(FunctionNames.createSession, 'src/conference-app/handlers/create-session.ts', {
        SESSIONS_QUEUE_URL: queue.url,
      }),
      fn(FunctionNames.saveSession, 'src/conference-app/handlers/save-session.ts', {
        SESSIONS_TABLE_NAME: LOCAL_RESOURCES.sessionsTable,
        CACHE_TABLE_NAME: LOCAL_RESOURCES.cacheTable,
      }),
      fn(FunctionNames.notifyNewSession, 'src/conference-app/handlers/notify-new-session.ts', {
        SLACK_WEBHOOK_URL: standIns.slackWebhookUrl,
        DELIVERIES_TABLE_NAME: DELIVERIES_TABLE,
      }),
      fn(FunctionNames.forwardSession, 'src/conference-app/handlers/forward-session.ts', {
        PARTNER_BASE_URL: standIns.partnerBaseUrl,
        DELIVERIES_TABLE_NAME: DELIVERIES_TABLE,
      }),
      fn(FunctionNames.listSessions, 'src/conference-app/handlers/list-sessions.ts', {
        SESSIONS_TABLE_NAME: LOCAL_RESOURCES.sessionsTable,
      }),
      fn(BOT_FUNCTIONS.slackEvents, 'src/bot/handlers/slack-events.ts', botEnv, 256),
      fn(BOT_FUNCTIONS.worker, 'src/bot/handlers/worker.ts', botEnv, 512, 120_000),
      fn(BOT_FUNCTIONS.weeklyCost, 'src/bot/handlers/weekly-cost.ts', botEnv, 512, 120_000),
      ...(alarmHandler
        ? [
            fn(
              BOT_FUNCTIONS.alarm,
              'src/bot/handlers/alarm.ts',
              {
                ...botEnv,
                GUMSHOE_ALARM_TABLE: LOCAL_ALARM_STATE_TABLE,
                // The local account reads as "local" at a glance, as an alias map names real accounts.
                GUMSHOE_ACCOUNT_ALIASES: `${LOCAL_AWS_ACCOUNT_ID}=local`,
                // Records cut for lack of time come back after 30 s, as deployed (retry-sooner.ts).
                ...(alarmQueue ? { GUMSHOE_ALARM_QUEUE_URL: alarmQueue.url } : {}),
              },
              256,
              120_000,
            ),
          ]
        : []),
    ]
      // The service's functions send their spans to the local X-Ray (src/local/tracing/register.ts).
      .map((spec) => (serviceFunctions.has(spec.name) ? { ...spec, tracing: true } : spec))
      .map((spec) => ({ ...spec, env: { ...spec.env, ...options.functionEnv?.[spec.name] } }));

    // CDK creates every function's log group up front (explicit LogGroups), so queries over a
    // function that has not run yet find an empty group rather than ResourceNotFoundException.
    for (const spec of functions) {
      const group = logGroupOf(spec.name);
      if (!aws.logs.hasGroup(group)) aws.logs.createGroup(group);
    }
    const runner = createLambdaRunner({
      functions,
      // In-process writes: the runner and the endpoint share one log store, as Lambda and CloudWatch do.
      logSink: aws.logs,
      awsEndpointUrl: aws.url,
      region,
      bundle: options.bundle ?? true,
    });
    closers.push(() => runner.close());
    // Functions are bundled once before the first request, like a deploy.
    await runner.ready();
    runnerRef = runner;
    observability.topics.setInvoker(runner);
    // As deployed: the topic feeds a queue (SNS envelope bodies), the queue feeds the function in batches.
    if (alarmQueue) {
      observability.topics.setQueueSender(new SdkSnsQueueSender(sqs, aws.url));
      observability.topics.subscribe(observability.alarmTopicArn, 'sqs', alarmQueue.arn);
    }
    aws.registerRestService(createLambdaInvokeService(runner));
    aws.registerRestService(createFunctionConfigurationService(runner, functions));

    const conferenceApi = await startHttpApi({
      invoker: runner,
      routes: { 'POST /sessions': FunctionNames.createSession, 'GET /sessions': FunctionNames.listSessions },
      port: ports.conferenceApi,
      host,
    });
    closers.push(() => conferenceApi.close());

    const pollIntervalMs = options.pollIntervalMs ?? 100;
    const failures = join(options.dataDir ?? join(repoRoot, '.gumshoe'), 'failed-batches');
    const mappings: EventSourceMapping[] = [
      startSqsEventSource({
        receiver: new SdkQueueReceiver(sqs, queue.url),
        invoker: runner,
        functionName: FunctionNames.saveSession,
        queueArn: queue.arn,
        batchSize: 10,
        waitTimeSeconds: 1,
        reportBatchItemFailures: true,
        region,
      }),
      ...(alarmQueue
        ? [
            startSqsEventSource({
              receiver: new SdkQueueReceiver(sqs, alarmQueue.url),
              invoker: runner,
              functionName: BOT_FUNCTIONS.alarm,
              queueArn: alarmQueue.arn,
              batchSize: 100,
              maximumBatchingWindowMs: options.alarmBatchingWindowMs ?? 2000,
              waitTimeSeconds: 1,
              reportBatchItemFailures: true,
              region,
            }),
          ]
        : []),
      ...[FunctionNames.notifyNewSession, FunctionNames.forwardSession].map((functionName) =>
        startDynamoDbStreamEventSource({
          reader: new SdkStreamReader(dynamodb, streams, LOCAL_RESOURCES.sessionsTable),
          invoker: runner,
          functionName,
          // As deployed (infra/lib/conference-stack.ts reads the same settings).
          batchSize: STREAM_CONSUMER_SETTINGS.batchSize,
          maximumBatchingWindowMs: STREAM_CONSUMER_SETTINGS.maxBatchingWindowMs,
          startingPosition: 'LATEST',
          maximumRetryAttempts: STREAM_CONSUMER_SETTINGS.retryAttempts,
          maximumRecordAgeMs: STREAM_CONSUMER_SETTINGS.maxRecordAgeSeconds * 1000,
          bisectBatchOnFunctionError: STREAM_CONSUMER_SETTINGS.bisectBatchOnError,
          reportBatchItemFailures: STREAM_CONSUMER_SETTINGS.reportBatchItemFailures,
          pollIntervalMs,
          region,
          onFailure: fileFailureDestination(failures, functionName),
        }),
      ),
    ];
    closers.push(async () => {
      await Promise.all(mappings.map((m) => m.stop()));
    });

    return {
      aws,
      runner,
      conferenceApi,
      botServer,
      slack,
      standIns,
      botUrl,
      serviceLogGroups,
      observability,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function fn(
  name: string,
  path: string,
  env: Record<string, string>,
  memoryMb = 128,
  timeoutMs = 30_000,
): LocalFunctionSpec {
  return { name, entry: entry(path), env, memoryMb, timeoutMs };
}

async function createTableIfMissing(
  client: DynamoDBClient,
  input: ConstructorParameters<typeof CreateTableCommand>[0],
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    // Tables persist in the data folder across restarts.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

async function createSaveQueue(client: SQSClient): Promise<{ url: string; arn: string }> {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: LOCAL_RESOURCES.saveDeadLetterQueue }));
  const dlqArn = await queueArn(client, dlq.QueueUrl);
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: LOCAL_RESOURCES.saveQueue,
      Attributes: {
        // Six times the function timeout, as AWS recommends for an SQS event source.
        VisibilityTimeout: '180',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
      },
    }),
  );
  if (!queue.QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return { url: queue.QueueUrl, arn: await queueArn(client, queue.QueueUrl) };
}

async function createAlarmQueue(client: SQSClient): Promise<{ url: string; arn: string }> {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: LOCAL_ALARM_QUEUES.deadLetterQueue }));
  const dlqArn = await queueArn(client, dlq.QueueUrl);
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: LOCAL_ALARM_QUEUES.queue,
      Attributes: {
        // Six times the alarm function's timeout (2 min), as in infra/lib/bot-stack.ts.
        VisibilityTimeout: '720',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      },
    }),
  );
  if (!queue.QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return { url: queue.QueueUrl, arn: await queueArn(client, queue.QueueUrl) };
}

async function queueArn(client: SQSClient, url: string | undefined): Promise<string> {
  const attributes = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`no QueueArn for ${url}`);
  return arn;
}
