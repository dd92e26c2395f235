/** The env names the bot handlers read (src/bot/config.ts). */
export const BotEnv = {
  secretArn: 'SLACK_SECRET_ARN',
  channelId: 'GUMSHOE_CHANNEL',
  workerFunction: 'GUMSHOE_WORKER_FUNCTION',
  logGroups: 'GUMSHOE_LOG_GROUPS',
  architectures: 'GUMSHOE_ARCHITECTURES',
  defaultArchitecture: 'GUMSHOE_DEFAULT_ARCHITECTURE',
  /** The flow config file (src/bot/flow-config-file.ts). */
  flowConfig: 'GUMSHOE_CONFIG',
  logGroupPrefix: 'GUMSHOE_LOG_GROUP_PREFIX',
} as const;

/** The env names the alarm Lambdas and the alarm buttons read (src/bot/alarms/alarm-config.ts). */
export const AlarmEnv = {
  table: 'GUMSHOE_ALARM_TABLE',
  accountAliases: 'GUMSHOE_ACCOUNT_ALIASES',
  mentionHere: 'GUMSHOE_ALARM_MENTION_HERE',
  reminderMinutes: 'GUMSHOE_ALARM_REMINDER_MINUTES',
  /** Alarm function only: the queue whose deferred records it makes visible again sooner. */
  queueUrl: 'GUMSHOE_ALARM_QUEUE_URL',
} as const;

/** The env names the service handlers read (src/conference-app/handlers/config.ts). */
export const ServiceEnv = {
  sessionsTable: 'SESSIONS_TABLE_NAME',
  cacheTable: 'CACHE_TABLE_NAME',
  saveQueueUrl: 'SESSIONS_QUEUE_URL',
  webhookSecretArn: 'SLACK_WEBHOOK_SECRET_ARN',
  partnerUrl: 'PARTNER_BASE_URL',
  faultSaveDelayMs: 'FAULT_SAVE_DELAY_MS',
  faultSaveErrorRate: 'FAULT_SAVE_ERROR_RATE',
  faultNotifyLatencyMs: 'FAULT_NOTIFY_LATENCY_MS',
  deliveriesTable: 'DELIVERIES_TABLE_NAME',
} as const;
