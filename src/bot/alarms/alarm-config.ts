import * as z from 'zod';
import { BotConfigError } from '../errors';

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const AlarmEnvSchema = z.object({
  GUMSHOE_ALARM_TABLE: z.string().min(1).optional(),
  GUMSHOE_ALARM_MENTION_HERE: flag,
  /** `123456789012=prod,210987654321=staging` */
  GUMSHOE_ACCOUNT_ALIASES: z.string().optional(),
  GUMSHOE_ALARM_REMINDER_MINUTES: z.coerce.number().int().positive().max(1440).default(30),
  GUMSHOE_ALARM_STORM_THRESHOLD: z.coerce.number().int().min(2).default(4),
  GUMSHOE_ALARM_POST_INTERVAL_MS: z.coerce.number().int().nonnegative().default(1100),
  GUMSHOE_ALARM_QUEUE_URL: z.url().optional(),
  GUMSHOE_ALARM_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).max(43_200).default(30),
});

/** The alarm Lambdas' settings, beside the bot's own config. */
export interface AlarmConfig {
  /** The alarm-state DynamoDB table (required by the alarm Lambdas; optional for the Slack handler). */
  tableName?: string;
  mentionHere: boolean;
  accountAliases: Record<string, string>;
  reminderIntervalMs: number;
  stormThreshold: number;
  /** Gap between two posts to the channel (Slack allows about one message per second per channel). */
  postIntervalMs: number;
  /** The alarm queue; when set, deferred records come back after `retryDelaySeconds`. */
  queueUrl?: string;
  /** How soon a record deferred for lack of time is received again. */
  retryDelaySeconds: number;
}

/** Parses the alarm settings from the environment, naming the variable that is wrong. */
export function loadAlarmConfig(env: NodeJS.ProcessEnv = process.env): AlarmConfig {
  const parsed = AlarmEnvSchema.safeParse(env);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new BotConfigError(`invalid alarm environment: ${where}`, { cause: parsed.error });
  }
  const e = parsed.data;
  const accountAliases: Record<string, string> = {};
  for (const pair of (e.GUMSHOE_ACCOUNT_ALIASES ?? '').split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const [account, alias] = pair.split('=').map((part) => part.trim());
    if (!account || !/^\d{12}$/.test(account) || !alias) {
      throw new BotConfigError(
        `invalid alarm environment: GUMSHOE_ACCOUNT_ALIASES entry "${pair}" is not 123456789012=alias`,
      );
    }
    accountAliases[account] = alias;
  }
  return {
    ...(e.GUMSHOE_ALARM_TABLE ? { tableName: e.GUMSHOE_ALARM_TABLE } : {}),
    mentionHere: e.GUMSHOE_ALARM_MENTION_HERE,
    accountAliases,
    reminderIntervalMs: e.GUMSHOE_ALARM_REMINDER_MINUTES * 60_000,
    stormThreshold: e.GUMSHOE_ALARM_STORM_THRESHOLD,
    postIntervalMs: e.GUMSHOE_ALARM_POST_INTERVAL_MS,
    ...(e.GUMSHOE_ALARM_QUEUE_URL ? { queueUrl: e.GUMSHOE_ALARM_QUEUE_URL } : {}),
    retryDelaySeconds: e.GUMSHOE_ALARM_RETRY_DELAY_SECONDS,
  };
}
