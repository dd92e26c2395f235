import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { DynamoDbAlarmStateStore } from '../../aws/alarm-state-store';
import { loadAlarmConfig } from '../alarms/alarm-config';
import { sendAlarmReminders } from '../alarms/remind-alarms';
import { loadBotConfig } from '../config';
import { BotConfigError } from '../errors';
import { createSlackSecretsLoader } from '../secrets';
import { createSlackWebClient } from '../slack-client';

const logger = new Logger({ serviceName: 'gumshoe-alarm-reminder' });
const config = loadBotConfig();
const alarms = loadAlarmConfig();
if (!alarms.tableName) throw new BotConfigError('invalid alarm environment: GUMSHOE_ALARM_TABLE is required');
const store = DynamoDbAlarmStateStore.forTable(alarms.tableName, config.region);
const secrets = createSlackSecretsLoader(
  process.env,
  () => new SecretsManagerClient({ region: config.region }),
);
let client: WebClient | undefined;

/** EventBridge Scheduler entry point (every few minutes): reminders for alarms still in ALARM. */
export const handler = async (
  _event: unknown,
  context: Context,
): Promise<{ reminded: number; checked: number }> => {
  client ??= createSlackWebClient((await secrets()).botToken, config);
  return sendAlarmReminders({
    store,
    client,
    settings: alarms,
    now: () => new Date(),
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    log: (level, message, detail) => logger[level](message, detail),
  });
};
