import { z } from 'zod';
import { FunctionNames, logGroupOf } from '../conference-app/contract/function-names';
import { DELIVERIES_TABLE, STREAM_CONSUMER_SETTINGS } from '../conference-app/contract/stream-consumers';
import { AlarmEnv, BotEnv, ServiceEnv } from './env-names';
import { type EnvValue, type FunctionSpec, Topology } from './schema';

/** The settings a deployment (or the local stack) chooses; everything else is fixed by the system. */
export const SystemSettings = z.object({
  /** Slack channel the bot posts alarms and the weekly cost report to. */
  channelId: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD'),
  /** IANA time zone of the weekly /cost schedule. */
  timeZone: z.string().min(1),
  /** Partner endpoint the forwarder sends sessions to. */
  partnerUrl: z.url(),
  /** Names shown in alarm messages in place of AWS account ids. */
  accountAliases: z.record(z.string().regex(/^\d{12}$/), z.string().regex(/^[^,=]+$/)),
  /** Minutes between two reminders while an alarm stays in ALARM. */
  alarmReminderMinutes: z.number().int().positive().max(1440),
  alarmMentionHere: z.boolean(),
  /**
   * The flow config file as the bot reads it (GUMSHOE_CONFIG: a JSON or YAML path); no config when
   * absent. The local stack gives the conference example by default.
   */
  gumshoeConfig: z.string().min(1).optional(),
  /** The log groups searched without a config (GUMSHOE_LOG_GROUP_PREFIX); `/aws/lambda/` when absent. */
  logGroupPrefix: z.string().min(1).optional(),
  /**
   * The bot watches another service, not the conference example: its functions are not told the
   * example's log groups (only the config or the prefix says where to search).
   */
  standalone: z.boolean().optional(),
  /** The bot's own alarm topic (it then belongs to the bot); the conference stack's topic when absent. */
  alarmTopicName: z.string().min(1).optional(),
  /** Fault injection for the demo; off when absent. */
  faults: z.object({
    saveDelayMs: z.number().int().min(0).optional(),
    saveErrorRate: z.number().min(0).max(1).optional(),
    notifyLatencyMs: z.number().int().min(0).optional(),
  }),
});
export type SystemSettings = z.infer<typeof SystemSettings>;

/** The keys of the system's functions (service functions by their contract key, then the bot's). */
export const FUNCTION_KEYS = [
  ...(Object.keys(FunctionNames) as (keyof typeof FunctionNames)[]),
  'slackEvents',
  'worker',
  'weeklyCost',
  'alarm',
  'alarmReminder',
] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

/** The bot's function names (fixed: the Slack handler invokes the worker by name). */
export const BotFunctionNames = {
  slackEvents: 'gumshoe-slack-events',
  worker: 'gumshoe-worker',
  weeklyCost: 'gumshoe-weekly-cost',
  alarm: 'gumshoe-alarm',
  alarmReminder: 'gumshoe-alarm-reminder',
} as const;

/** Physical names of the system's stateful resources, the same in AWS and locally. */
export const ResourceNames = {
  sessionsTable: 'conference-sessions',
  cacheTable: 'conference-sessions-cache',
  deliveriesTable: DELIVERIES_TABLE,
  alarmStateTable: 'gumshoe-alarm-state',
  saveQueue: 'conference-save-session-queue',
  saveDeadLetterQueue: 'conference-save-session-dlq',
  streamDeadLetterQueue: 'conference-stream-dlq',
  alarmQueue: 'gumshoe-alarm-queue',
  alarmDeadLetterQueue: 'gumshoe-alarm-dlq',
  alarmTopic: 'conference-alarms',
  slackSecret: 'gumshoe/slack',
  webhookSecret: 'conference/slack-webhook',
  httpApi: 'conference-session',
} as const;

/** How long one alarm invocation may run: a batch of 100 posts at about one per second fits. */
export const ALARM_FUNCTION_TIMEOUT_SECONDS = 120;
const SAVE_TIMEOUT_SECONDS = 30;
const ARCHITECTURE = 'arm64';

/** Formats an account alias map as GUMSHOE_ACCOUNT_ALIASES reads it: `123456789012=prod,210987654321=staging`. */
export function accountAliasesEnv(aliases: Readonly<Record<string, string>>): string {
  return Object.entries(aliases)
    .map(([account, alias]) => `${account}=${alias}`)
    .join(',');
}

const watched = Object.values(FunctionNames);

function service(
  key: keyof typeof FunctionNames,
  file: string,
  description: string,
  environment: Record<string, EnvValue>,
  timeoutSeconds = 10,
): FunctionSpec {
  return {
    stack: 'conference',
    name: FunctionNames[key],
    entry: `src/conference-app/handlers/${file}.ts`,
    description,
    memoryMb: 256,
    timeoutSeconds,
    architecture: ARCHITECTURE,
    tracing: 'Active',
    environment,
    indexedFields: ['traceId', 'sessionId'],
    functionUrl: false,
    sourceMap: true,
  };
}

/**
 * The Slack handler's sizing: Slack waits 3 s for an answer, a cold start included, and Lambda's
 * CPU share grows with memory (1 vCPU at 1,769 MB). `npm run bench:slack-ack` measures the cold
 * start at this share: see docs/bench.md ("Cold start at Lambda's CPU share"). Its source map is
 * off, because Node parses the map at every cold start.
 */
const SLACK_EVENTS_SIZING = { memoryMb: 1536, sourceMap: false } as const;

function bot(
  key: keyof typeof BotFunctionNames,
  file: string,
  description: string,
  timeoutSeconds: number,
  environment: Record<string, EnvValue>,
): FunctionSpec {
  const slack = key === 'slackEvents';
  return {
    stack: 'bot',
    name: BotFunctionNames[key],
    entry: `src/bot/handlers/${file}.ts`,
    description,
    memoryMb: slack ? SLACK_EVENTS_SIZING.memoryMb : 512,
    timeoutSeconds,
    architecture: ARCHITECTURE,
    tracing: 'Active',
    environment,
    indexedFields: [],
    functionUrl: slack,
    sourceMap: slack ? SLACK_EVENTS_SIZING.sourceMap : true,
  };
}

// Present only when the setting is: faults stay off unless turned on.
const optional = (name: string, value: number | undefined): Record<string, string> =>
  value === undefined ? {} : { [name]: String(value) };

/**
 * The one description of Gumshoe and the service it watches: CDK (infra/) and the local stack
 * (src/local/stack.ts) are both built from it, so what runs locally is what is deployed.
 */
export function describeSystem(input: SystemSettings): Topology {
  const settings = SystemSettings.parse(input);
  const botEnv: Record<string, EnvValue> = {
    [BotEnv.secretArn]: { ref: 'secretArn', secret: 'slack' },
    [BotEnv.channelId]: settings.channelId,
    ...(settings.standalone
      ? {}
      : {
          [BotEnv.logGroups]: watched.map(logGroupOf).join(','),
          // Every function is arm64; /cost prices by architecture.
          [BotEnv.architectures]: watched.map((name) => `${name}=${ARCHITECTURE}`).join(','),
        }),
    [BotEnv.defaultArchitecture]: ARCHITECTURE,
  };
  // Only what reads them: help (the Slack handler) reads the config; the worker and the weekly
  // report also resolve the prefix. CDK bundles the config file into exactly these functions.
  const configEnv: Record<string, EnvValue> = settings.gumshoeConfig
    ? { [BotEnv.flowConfig]: settings.gumshoeConfig }
    : {};
  const flowEnv: Record<string, EnvValue> = {
    ...configEnv,
    ...(settings.logGroupPrefix ? { [BotEnv.logGroupPrefix]: settings.logGroupPrefix } : {}),
  };
  const alarmEnv: Record<string, EnvValue> = {
    [AlarmEnv.table]: { ref: 'tableName', table: 'alarmState' },
    [AlarmEnv.accountAliases]: accountAliasesEnv(settings.accountAliases),
    [AlarmEnv.mentionHere]: String(settings.alarmMentionHere),
    [AlarmEnv.reminderMinutes]: String(settings.alarmReminderMinutes),
  };
  const { faults } = settings;
  return Topology.parse({
    functions: {
      createSession: service(
        'createSession',
        'create-session',
        'POST /sessions: validates and queues a session',
        {
          [ServiceEnv.saveQueueUrl]: { ref: 'queueUrl', queue: 'save' },
        },
      ),
      saveSession: service(
        'saveSession',
        'save-session',
        'Saves queued sessions to DynamoDB',
        {
          [ServiceEnv.sessionsTable]: { ref: 'tableName', table: 'sessions' },
          [ServiceEnv.cacheTable]: { ref: 'tableName', table: 'cache' },
          ...optional(ServiceEnv.faultSaveDelayMs, faults.saveDelayMs),
          ...optional(ServiceEnv.faultSaveErrorRate, faults.saveErrorRate),
        },
        SAVE_TIMEOUT_SECONDS,
      ),
      notifyNewSession: service('notifyNewSession', 'notify-new-session', 'Posts new sessions to Slack', {
        [ServiceEnv.webhookSecretArn]: { ref: 'secretArn', secret: 'webhook' },
        [ServiceEnv.deliveriesTable]: { ref: 'tableName', table: 'deliveries' },
        ...optional(ServiceEnv.faultNotifyLatencyMs, faults.notifyLatencyMs),
      }),
      forwardSession: service('forwardSession', 'forward-session', 'Forwards new sessions to the partner', {
        [ServiceEnv.partnerUrl]: settings.partnerUrl,
        [ServiceEnv.deliveriesTable]: { ref: 'tableName', table: 'deliveries' },
      }),
      listSessions: service('listSessions', 'list-sessions', 'GET /sessions: lists saved sessions', {
        [ServiceEnv.sessionsTable]: { ref: 'tableName', table: 'sessions' },
      }),
      slackEvents: bot('slackEvents', 'slack-events', 'Verifies and acknowledges Slack requests', 10, {
        ...botEnv,
        ...configEnv,
        [BotEnv.workerFunction]: BotFunctionNames.worker,
        ...alarmEnv,
      }),
      worker: bot('worker', 'worker', 'Runs slow investigations', 120, { ...botEnv, ...flowEnv }),
      weeklyCost: bot('weeklyCost', 'weekly-cost', 'Posts the weekly /cost report', 120, {
        ...botEnv,
        ...flowEnv,
      }),
      alarm: bot(
        'alarm',
        'alarm',
        'Posts CloudWatch alarm notifications to Slack',
        ALARM_FUNCTION_TIMEOUT_SECONDS,
        // With the queue URL, records deferred for lack of time come back after 30 s, not 12 min.
        { ...botEnv, ...alarmEnv, [AlarmEnv.queueUrl]: { ref: 'queueUrl', queue: 'alarm' } },
      ),
      alarmReminder: bot(
        'alarmReminder',
        'alarm-reminder',
        'Reminds the channel of alarms still in ALARM',
        60,
        { ...botEnv, ...alarmEnv },
      ),
    },
    tables: {
      // All sessions share one partition (pk), ordered by sk `createdAt#sessionId`.
      sessions: {
        stack: 'conference',
        name: ResourceNames.sessionsTable,
        partitionKey: 'pk',
        sortKey: 'sk',
        stream: 'NEW_AND_OLD_IMAGES',
      },
      cache: { stack: 'conference', name: ResourceNames.cacheTable, partitionKey: 'sessionId' },
      // Which sessions were announced and forwarded, so a redelivered stream record is not sent
      // again; short-lived (TTL), so not kept when the stack is deleted.
      deliveries: {
        stack: 'conference',
        name: ResourceNames.deliveriesTable,
        partitionKey: 'id',
        timeToLiveAttribute: 'expiration',
        retain: false,
      },
      // One item per alarm plus short-lived `msg#…` delivery markers, expired by TTL.
      alarmState: {
        stack: 'bot',
        name: ResourceNames.alarmStateTable,
        partitionKey: 'pk',
        timeToLiveAttribute: 'expiresAt',
      },
    },
    queues: {
      // Visibility: six times the consumer's timeout, as AWS advises for an SQS event source.
      save: {
        stack: 'conference',
        name: ResourceNames.saveQueue,
        visibilityTimeoutSeconds: 6 * SAVE_TIMEOUT_SECONDS,
        deadLetter: { queue: 'saveDlq', maxReceiveCount: 3 },
      },
      saveDlq: { stack: 'conference', name: ResourceNames.saveDeadLetterQueue, retentionDays: 14 },
      streamDlq: { stack: 'conference', name: ResourceNames.streamDeadLetterQueue, retentionDays: 14 },
      alarm: {
        stack: 'bot',
        name: ResourceNames.alarmQueue,
        visibilityTimeoutSeconds: 6 * ALARM_FUNCTION_TIMEOUT_SECONDS,
        retentionDays: 4,
        deadLetter: { queue: 'alarmDlq', maxReceiveCount: 5 },
      },
      alarmDlq: { stack: 'bot', name: ResourceNames.alarmDeadLetterQueue, retentionDays: 14 },
    },
    topics: {
      alarm: settings.alarmTopicName
        ? { stack: 'bot', name: settings.alarmTopicName }
        : { stack: 'conference', name: ResourceNames.alarmTopic },
    },
    secrets: {
      slack: {
        stack: 'bot',
        name: ResourceNames.slackSecret,
        description: 'Slack bot token and signing secret of Gumshoe: {"botToken","signingSecret"}',
        fields: ['botToken', 'signingSecret'],
        arnVariable: BotEnv.secretArn,
        localEnv: { botToken: 'SLACK_BOT_TOKEN', signingSecret: 'SLACK_SIGNING_SECRET' },
      },
      webhook: {
        stack: 'conference',
        name: ResourceNames.webhookSecret,
        description: 'Slack incoming-webhook URL the conference service announces new sessions to',
        fields: [],
        arnVariable: ServiceEnv.webhookSecretArn,
        localEnv: { value: 'SLACK_WEBHOOK_URL' },
      },
    },
    // Raw delivery off: each body is the SNS envelope, whose MessageId is the exactly-once key.
    subscriptions: [{ stack: 'bot', topic: 'alarm', queue: 'alarm', rawMessageDelivery: false }],
    eventSources: [
      { type: 'sqs', function: 'saveSession', queue: 'save', batchSize: 10, reportBatchItemFailures: true },
      // A storm of up to 100 notifications, gathered for 20 s, becomes one summary; two batches at
      // most share the channel's one-post-per-second budget (Lambda's lowest MaximumConcurrency).
      {
        type: 'sqs',
        function: 'alarm',
        queue: 'alarm',
        batchSize: 100,
        maxBatchingWindowSeconds: 20,
        maxConcurrency: 2,
        reportBatchItemFailures: true,
      },
      // The stream consumers' settings live in the service contract (stream-consumers.ts says why).
      ...(['notifyNewSession', 'forwardSession'] as const).map((fn) => ({
        type: 'dynamodb' as const,
        function: fn,
        table: 'sessions',
        batchSize: STREAM_CONSUMER_SETTINGS.batchSize,
        maxBatchingWindowSeconds: STREAM_CONSUMER_SETTINGS.maxBatchingWindowMs / 1000,
        parallelizationFactor: STREAM_CONSUMER_SETTINGS.parallelizationFactor,
        startingPosition: 'LATEST' as const,
        retryAttempts: STREAM_CONSUMER_SETTINGS.retryAttempts,
        bisectBatchOnError: STREAM_CONSUMER_SETTINGS.bisectBatchOnError,
        reportBatchItemFailures: STREAM_CONSUMER_SETTINGS.reportBatchItemFailures,
        maxRecordAgeSeconds: STREAM_CONSUMER_SETTINGS.maxRecordAgeSeconds,
        onFailureQueue: 'streamDlq',
      })),
    ],
    schedules: {
      weeklyCost: {
        stack: 'bot',
        function: 'weeklyCost',
        description: 'Posts the /cost report every Monday at 09:00',
        when: { kind: 'weekly', weekDay: 'MON', hour: 9, minute: 0, timeZone: settings.timeZone },
        input: { source: 'gumshoe.weekly-cost', channelId: settings.channelId },
        retryAttempts: 2,
      },
      alarmReminder: {
        stack: 'bot',
        function: 'alarmReminder',
        description: `Reminds the channel of open alarms every ${settings.alarmReminderMinutes} minutes`,
        when: { kind: 'rate', minutes: settings.alarmReminderMinutes },
        input: { source: 'gumshoe.alarm-reminder' },
        // The next run reminds anyway; a retry storm would only add duplicate checks.
        retryAttempts: 0,
      },
    },
    httpApi: {
      stack: 'conference',
      name: ResourceNames.httpApi,
      routes: { 'POST /sessions': 'createSession', 'GET /sessions': 'listSessions' },
    },
  });
}
