import { z } from 'zod';
import type { SystemSettings } from '../../src/topology';

/** The schedule time zone when neither cdk.json nor `-c timeZone=…` sets one (docs/deploy.md says so). */
export const DEFAULT_TIME_ZONE = 'UTC';

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** The deploy-time settings of the Gumshoe app, read from CDK context (`-c key=value`). */
export const GumshoeConfig = z.object({
  /** Slack channel the bot posts alarms and the weekly cost report to. */
  channelId: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD'),
  /** IANA time zone of the weekly /cost schedule (EventBridge Scheduler resolves DST itself). */
  timeZone: z.string().min(1).default(DEFAULT_TIME_ZONE),
  /**
   * Turns on X-Ray Transaction Search (account-wide, needed by X-Ray's OTLP endpoint the save
   * function sends its spans to). Set false when the account already has it on.
   */
  transactionSearch: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .default(true),
  /** Names shown in alarm messages in place of AWS account ids, e.g. {"123456789012":"prod"}. */
  aliases: z
    .record(
      z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
      // The bot reads them as `account=alias,…` (GUMSHOE_ACCOUNT_ALIASES): no `,` or `=` inside.
      z.string().regex(/^[^,=]+$/, 'an alias without "," or "="'),
    )
    .default({}),
  /** Minutes between two reminders while an alarm stays in ALARM (the reminder schedule's rate). */
  alarmReminderMinutes: z.coerce.number().int().positive().max(1440).default(30),
  /** Whether new ALARM messages and reminders mention `@here`. */
  alarmMentionHere: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .default(false),
  /** Partner endpoint the forwarder sends sessions to. */
  partnerUrl: z.url().default('https://partner.example.com/sessions'),
  /** Days the functions' logs are kept. */
  logRetentionDays: z.coerce.number().int().positive().default(30),
  /** Fault injection for the demo (off when absent): save delay and error rate, notifier latency. */
  faults: z
    .object({
      saveDelayMs: z.coerce.number().int().min(0).max(900_000).optional(),
      saveErrorRate: z.coerce.number().min(0).max(1).optional(),
      notifyLatencyMs: z.coerce.number().int().min(0).max(900_000).optional(),
    })
    .default({}),
  /** Lead time above which the lead-time alarm fires, in milliseconds. */
  leadTimeThresholdMs: z.coerce.number().int().positive().default(10_000),
  /** The flow config file (JSON or YAML) bundled with the bot's functions; no config when absent. */
  gumshoeConfig: z.string().min(1).optional(),
  /** Existing SNS topics whose alarm notifications the bot posts (its alarm queue subscribes to each). */
  alarmTopicArns: z
    .array(
      z.string().regex(SNS_TOPIC_ARN, 'an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:alarms'),
    )
    .default([]),
  /** The name of an alarm topic the bot stack creates for itself (CloudWatch alarms of this account may publish). */
  alarmTopic: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'an SNS topic name such as gumshoe-alarms')
    .optional(),
  /** The log groups searched without a config (GUMSHOE_LOG_GROUP_PREFIX); `/aws/lambda/` when absent. */
  logGroupPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_./#-]{1,512}$/, 'a log group name prefix such as /aws/lambda/orders-')
    .optional(),
  /** The alarms the Mute button may mute, by name prefix; `conference-` with the example, every alarm alone. */
  alarmNamePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/, 'an alarm name prefix such as orders-')
    .optional(),
});
export type GumshoeConfig = z.infer<typeof GumshoeConfig>;

/** Context keys read by {@link readConfig}. */
export const CONTEXT_KEYS = [
  'channelId',
  'timeZone',
  'transactionSearch',
  'aliases',
  'partnerUrl',
  'logRetentionDays',
  'leadTimeThresholdMs',
  'faults',
  'alarmReminderMinutes',
  'alarmMentionHere',
  'gumshoeConfig',
  'alarmTopicArns',
  'alarmTopic',
  'logGroupPrefix',
  'alarmNamePrefix',
] as const;

/** Raised when the CDK context does not describe a deployable app; the message names the bad key. */
export class InfraConfigError extends Error {
  override readonly name = 'InfraConfigError';
}

/** Parses the app's configuration from a context getter such as `(k) => app.node.tryGetContext(k)`. */
export function readConfig(get: (key: string) => unknown): GumshoeConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = get(key);
    if (value === undefined || value === '') continue;
    // `-c aliases='{"123456789012":"prod"}'` arrives as a string; cdk.json may hold the object itself.
    raw[key] =
      (key === 'aliases' || key === 'faults') && typeof value === 'string'
        ? parseJson(key, value)
        : key === 'alarmTopicArns' && typeof value === 'string'
          ? commaList(value)
          : value;
  }
  // The ADOT layer's wrapper cannot load an esbuild ES-module handler; spans now go to X-Ray's
  // OTLP endpoint from inside the bundle, so an old command line must not deploy believing otherwise.
  if (get('adotLayerArn') !== undefined)
    throw new InfraConfigError(
      'adotLayerArn is no longer used: the functions export their spans to X-Ray themselves (docs/alarms-and-xray.md); remove -c adotLayerArn',
    );
  // No default channel: a bot deployed to a made-up channel posts nowhere and says nothing.
  if (raw.channelId === undefined)
    throw new InfraConfigError(
      'channelId is required: deploy with `-c channelId=C0123ABCD` (the id of the Slack channel the bot posts alarms to; see docs/deploy.md)',
    );
  const parsed = GumshoeConfig.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InfraConfigError(`Invalid CDK context: ${issues.join('; ')}`);
  }
  return parsed.data;
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Whether the bot stack stands alone: its alarm topics are given, so the conference example is not deployed. */
export function isStandalone(config: GumshoeConfig): boolean {
  return config.alarmTopicArns.length > 0 || config.alarmTopic !== undefined;
}

function parseJson(key: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new InfraConfigError(`Context ${key} is not valid JSON`, { cause });
  }
}

/** The part of the deploy configuration the system description (src/topology) takes. */
export function systemSettingsOf(config: GumshoeConfig): SystemSettings {
  return {
    channelId: config.channelId,
    timeZone: config.timeZone,
    partnerUrl: config.partnerUrl,
    accountAliases: config.aliases,
    alarmReminderMinutes: config.alarmReminderMinutes,
    alarmMentionHere: config.alarmMentionHere,
    faults: config.faults,
    ...(isStandalone(config) ? { standalone: true } : {}),
    ...(config.alarmTopic ? { alarmTopicName: config.alarmTopic } : {}),
    ...(config.logGroupPrefix ? { logGroupPrefix: config.logGroupPrefix } : {}),
  };
}
