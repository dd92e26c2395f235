import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { DynamoDbAlarmStateStore } from '../../aws/alarm-state-store';
import { sendAlarmReminders } from '../../commands/alarms/remind-alarms';
import { loadAlarmConfig } from '../alarms/alarm-config';
import { lambdaTimer } from '../alarms/lambda-timer';
import { SlackAlarmChat } from '../alarms/slack-alarm-chat';
import { loadBotConfig } from '../config';
import { BotConfigError } from '../errors';
import { createSlackSecretsLoader } from '../secrets';

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
  client ??= SlackAlarmChat.clientFor((await secrets()).botToken, config);
  const timer = lambdaTimer(context);
  return sendAlarmReminders({
    store,
    chat: new SlackAlarmChat(client, timer),
    timer,
    settings: alarms,
    log: (level, message, detail) => logger[level](message, detail),
  });
};
