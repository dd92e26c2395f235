import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readFlowConfigFile } from '../bot/flow-config-file';
import { FunctionNames, logGroupOf } from '../conference-app/contract';
import { BotFunctionNames, describeSystem, ResourceNames, type Topology } from '../topology';
import { installLocalObservability, type LocalObservability } from './alarms/local-observability';
import { LOCAL_AWS_ACCOUNT_ID, type LocalAws, startLocalAws } from './aws';
import { SdkSnsQueueSender } from './aws/sns/sdk-queue-sender';
import type { FunctionInvoker } from './event-sources';
import { type HttpApiServer, startHttpApi } from './event-sources/http-api';
import { createFunctionConfigurationService } from './function-configuration-service';
import {
  createLambdaInvokeService,
  createLambdaRunner,
  type LambdaRunner,
  type LocalFunctionSpec,
} from './runner';
import { type LocalScheduler, startLocalScheduler } from './scheduler';
import { LOCAL_SLACK_DEFAULTS, LOCAL_WORKSPACE, type LocalSlack, startLocalSlack } from './slack';
import {
  createQueues,
  createTables,
  type LocalEventSource,
  type LocalQueue,
  startEventSources,
} from './stack-resources';
import { type StandIns, startStandIns } from './stand-ins';
import { localFunctionSpecs } from './topology-plan';

/** Names of the local resources: the description's names, as deployed. */
export const LOCAL_RESOURCES = {
  sessionsTable: ResourceNames.sessionsTable,
  cacheTable: ResourceNames.cacheTable,
  saveQueue: ResourceNames.saveQueue,
  saveDeadLetterQueue: ResourceNames.saveDeadLetterQueue,
  streamDeadLetterQueue: ResourceNames.streamDeadLetterQueue,
} as const;

/** The bot's functions, named as the BotStack deploys them. */
export const BOT_FUNCTIONS = BotFunctionNames;

/** The queue between the alarm topic and the alarm function, and its dead-letter queue (as deployed). */
export const LOCAL_ALARM_QUEUES = {
  queue: ResourceNames.alarmQueue,
  deadLetterQueue: ResourceNames.alarmDeadLetterQueue,
} as const;

/** The table the bot's alarm function keeps notification state in (`pk` string key). */
export const LOCAL_ALARM_STATE_TABLE = ResourceNames.alarmStateTable;

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
  /** How long the alarm queue's event source gathers a batch (ms); as deployed (20 s) by default. */
  alarmBatchingWindowMs?: number;
  /** The stream sources' wait before a failing batch's first retry and its cap; 500 ms and 30 s by default. */
  streamRetryDelayMs?: { first: number; max: number };
  /** Minutes between two alarm reminders (the reminder schedule's rate); 30 by default, as deployed. */
  alarmReminderMinutes?: number;
  /** Run the alarm reminder every this many ms instead of its rate (tests, demos). */
  alarmReminderIntervalMs?: number;
  /** IANA time zone of the weekly /cost schedule; UTC by default, as deployed without `-c timeZone`. */
  timeZone?: string;
  /** Run functions from an esbuild bundle, as Lambda does (default); false loads the TypeScript with tsx. */
  bundle?: boolean;
  /**
   * The bot's flow config (GUMSHOE_CONFIG): the conference example by default, null for none (the
   * bot then searches the groups under the prefix, the conference example's among them).
   * Validated before anything starts: a bad file stops the stack with the file and the path.
   */
  gumshoeConfig?: string | null;
  /** GUMSHOE_LOG_GROUP_PREFIX for the bot (the groups searched without a config). */
  logGroupPrefix?: string;
  /**
   * The bot as deployed alone (`-c alarmTopicArns` / `-c alarmTopic`): not told the conference
   * service's log groups, so without a config it searches the prefix. The service still runs.
   * Implied by `gumshoeConfig: null`.
   */
  standalone?: boolean;
  /** The bot's own alarm topic, as `-c alarmTopic` names it (the local alarms publish to it). */
  alarmTopicName?: string;
  /** More functions to run beside the system's (another watched service, in tests). */
  extraFunctions?: LocalFunctionSpec[];
}

/** The flow config the local stack gives the bot unless told otherwise: the conference service's. */
export const LOCAL_FLOW_CONFIG = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '..',
  '..',
  'examples',
  'conference.gumshoe.yaml',
);

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
  /** The description this stack was built from (src/topology), with the local settings. */
  topology: Topology;
  /** The event source mappings running, with the settings each was started with. */
  eventSources: LocalEventSource[];
  /** The local EventBridge Scheduler running the description's schedules. */
  scheduler: LocalScheduler;
  /** Every queue of the description, by its key there. */
  queues: Record<string, LocalQueue>;
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

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * Starts everything on loopback through the same code paths as in AWS, built from the one
 * description of the system (src/topology) the CDK app is built from: the local AWS endpoint,
 * every function in Lambda-like processes, their event sources, the topic subscription, the
 * schedules, the local Slack and the stand-ins for the webhook and the partner.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...defaultPorts(), ...options.ports };
  const region = options.region ?? 'eu-west-1';
  const signingSecret = options.signingSecret ?? LOCAL_SLACK_DEFAULTS.signingSecret;
  const botToken = options.botToken ?? LOCAL_SLACK_DEFAULTS.botToken;
  const channelId = options.channelId ?? LOCAL_WORKSPACE.channelId;
  const gumshoeConfig =
    options.gumshoeConfig === null ? undefined : resolve(options.gumshoeConfig ?? LOCAL_FLOW_CONFIG);
  // Fails here, before anything listens, naming the file, the path and the expected shape.
  if (gumshoeConfig) readFlowConfigFile(gumshoeConfig);
  if (options.fresh && options.dataDir) await rm(options.dataDir, { recursive: true, force: true });

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const standIns = await startStandIns({ port: ports.standIns, host });
    closers.push(() => standIns.close());
    const topology = describeSystem({
      channelId,
      timeZone: options.timeZone ?? 'UTC',
      partnerUrl: standIns.partnerBaseUrl,
      // The local account reads as "local" at a glance, as an alias map names real accounts.
      accountAliases: { [LOCAL_AWS_ACCOUNT_ID]: 'local' },
      alarmReminderMinutes: options.alarmReminderMinutes ?? 30,
      alarmMentionHere: false,
      faults: {},
      ...(gumshoeConfig ? { gumshoeConfig } : {}),
      ...(options.logGroupPrefix ? { logGroupPrefix: options.logGroupPrefix } : {}),
      // No config at all stands alone too: the bot searches every group under the prefix, as the
      // README promises (the conference example's groups are among them).
      ...(options.standalone || options.gumshoeConfig === null ? { standalone: true } : {}),
      ...(options.alarmTopicName ? { alarmTopicName: options.alarmTopicName } : {}),
    });
    const aws = await startLocalAws({
      port: ports.aws,
      host,
      region,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    closers.push(() => aws.close());
    const alarmTopic = topology.topics.alarm;
    if (!alarmTopic) throw new Error('the description has no alarm topic');
    const observability = installLocalObservability(aws, {
      region,
      dataDir: options.dataDir,
      alarmTopicName: alarmTopic.name,
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
    await createTables(dynamodb, topology);
    const queues = await createQueues(sqs, topology);

    // The bot's URL must be known before the local Slack starts, and the runner needs the local
    // Slack's URL: the Function URL stand-in starts first and reaches the runner lazily.
    let runnerRef: LambdaRunner | undefined;
    const lazyInvoker: FunctionInvoker = {
      invoke: (name, event, invokeOptions) => {
        if (!runnerRef) throw new Error('the Lambda runner is not ready yet');
        return runnerRef.invoke(name, event, invokeOptions);
      },
    };
    const urlFunction = Object.values(topology.functions).find((f) => f.functionUrl);
    if (!urlFunction) throw new Error('the description has no function behind a Function URL');
    const botServer = await startHttpApi({
      invoker: lazyInvoker,
      routes: { $default: urlFunction.name },
      port: ports.bot,
      host,
    });
    closers.push(() => botServer.close());
    const botUrl = `${botServer.url}/slack/events`;
    const slack = await startLocalSlack({ port: ports.slack, host, botUrl, signingSecret, botToken });
    closers.push(() => slack.close());

    const secrets: Record<string, Record<string, string>> = {
      slack: { botToken, signingSecret },
      webhook: { value: standIns.slackWebhookUrl },
    };
    const systemFunctions = localFunctionSpecs(topology, {
      repoRoot,
      resolvers: {
        queueUrl: (key) => {
          const queue = queues[key];
          if (!queue) throw new Error(`queue ${key} was not created`);
          return queue.url;
        },
        secretValue: (key, field) => {
          const value = secrets[key]?.[field];
          if (value === undefined) throw new Error(`no local value for secret ${key}.${field}`);
          return value;
        },
      },
      // Only locally: the bot's Slack Web API is the local Slack.
      extraEnv: (key) => ({
        ...(topology.functions[key]?.stack === 'bot'
          ? {
              SLACK_API_URL: slack.apiUrl,
              // Answers go to the local Slack's response_urls and nowhere else (src/bot/response-url.ts).
              SLACK_RESPONSE_URL_BASE: new URL('/response/', slack.apiUrl).href,
            }
          : {}),
        ...options.functionEnv?.[topology.functions[key]?.name ?? ''],
      }),
    });
    const functions = [...systemFunctions, ...(options.extraFunctions ?? [])];

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
    observability.topics.setQueueSender(new SdkSnsQueueSender(sqs, aws.url));
    for (const subscription of topology.subscriptions) {
      const topic = topology.topics[subscription.topic];
      const queue = queues[subscription.queue];
      if (!topic || !queue) throw new Error(`subscription ${subscription.topic} → ${subscription.queue}`);
      const topicArn = `arn:aws:sns:${region}:${LOCAL_AWS_ACCOUNT_ID}:${topic.name}`;
      observability.topics.subscribe(topicArn, 'sqs', queue.arn, {
        rawMessageDelivery: subscription.rawMessageDelivery,
      });
    }
    aws.registerRestService(createLambdaInvokeService(runner));
    aws.registerRestService(createFunctionConfigurationService(runner, functions));

    const conferenceApi = await startHttpApi({
      invoker: runner,
      routes: Object.fromEntries(
        Object.entries(topology.httpApi.routes).map(([route, key]) => [
          route,
          topology.functions[key]?.name ?? key,
        ]),
      ),
      port: ports.conferenceApi,
      host,
    });
    closers.push(() => conferenceApi.close());

    const eventSources = startEventSources({
      topology,
      queues,
      invoker: runner,
      sqs,
      dynamodb,
      streams,
      region,
      pollIntervalMs: options.pollIntervalMs ?? 100,
      ...(options.streamRetryDelayMs ? { streamRetryDelayMs: options.streamRetryDelayMs } : {}),
      ...(options.alarmBatchingWindowMs === undefined
        ? {}
        : { batchingWindowMs: { alarm: options.alarmBatchingWindowMs } }),
    });
    closers.push(async () => {
      await Promise.all(eventSources.map((s) => s.mapping.stop()));
    });
    const scheduler = startLocalScheduler({
      schedules: Object.entries(topology.schedules).map(([key, spec]) => ({
        key,
        functionName: topology.functions[spec.function]?.name ?? spec.function,
        spec,
        ...(key === 'alarmReminder' && options.alarmReminderIntervalMs !== undefined
          ? { everyMs: options.alarmReminderIntervalMs }
          : {}),
      })),
      // EventBridge Scheduler invokes a Lambda target asynchronously.
      invoke: (name, input) => runner.invoke(name, input, { invocationType: 'Event' }),
    });
    closers.push(async () => scheduler.stop());

    return {
      aws,
      runner,
      conferenceApi,
      botServer,
      slack,
      standIns,
      botUrl,
      serviceLogGroups: Object.values(FunctionNames).map(logGroupOf),
      observability,
      topology,
      eventSources,
      scheduler,
      queues,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
