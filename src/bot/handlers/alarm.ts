import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { DynamoDbAlarmStateStore } from '../../aws/alarm-state-store';
import { CloudWatchAlarmControl } from '../../aws/cloudwatch-alarms';
import { CloudWatchLogSearch } from '../../aws/cloudwatch-log-search';
import { scheduleRedeliveries } from '../../aws/sqs-redelivery';
import { logSearchEnrichment } from '../../commands/alarms/alarm-enrichment';
import { type DeliveryResult, deliverAlarms } from '../../commands/alarms/deliver-alarms';
import { redeliveryDelaySeconds } from '../../commands/alarms/redelivery';
import { GumshoeError } from '../../commands/errors';
import { loadAlarmConfig } from '../alarms/alarm-config';
import { parseAlarmEnvelope } from '../alarms/alarm-envelope';
import { lambdaTimer } from '../alarms/lambda-timer';
import { SlackAlarmChat } from '../alarms/slack-alarm-chat';
import { loadBotConfig } from '../config';
import { BotConfigError } from '../errors';
import { createSlackSecretsLoader } from '../secrets';

const logger = new Logger({ serviceName: 'gumshoe-alarm' });
const config = loadBotConfig();
const alarms = loadAlarmConfig();
if (!alarms.tableName) throw new BotConfigError('invalid alarm environment: GUMSHOE_ALARM_TABLE is required');
const store = DynamoDbAlarmStateStore.forTable(alarms.tableName, config.region);
const control = new CloudWatchAlarmControl(new CloudWatchClient({ region: config.region }));
// The error lines are a bonus: a short deadline keeps the alarm message prompt.
const logs = new CloudWatchLogSearch(new CloudWatchLogsClient({ region: config.region }), {
  deadlineMs: 8000,
});
const secrets = createSlackSecretsLoader(
  process.env,
  () => new SecretsManagerClient({ region: config.region }),
);
const sqs = alarms.queueUrl ? new SQSClient({ region: config.region }) : undefined;
let client: WebClient | undefined;

/** Some notifications were not delivered; thrown only where Lambda's own retry is the redelivery (SNS, direct). */
export class AlarmsNotDeliveredError extends GumshoeError {
  override readonly name = 'AlarmsNotDeliveredError';
  constructor(readonly count: number) {
    super(
      `${count} alarm notification(s) not delivered; Lambda retries`,
      'Some alarm notifications will be posted shortly.',
    );
  }
}

/**
 * The alarm Lambda: one path for every entry. From the alarm queue (the deployed wiring: SNS → SQS)
 * it answers `batchItemFailures` and sets each returned record's visibility to its backoff; invoked
 * by SNS, an alarm action or EventBridge directly (thin adapters onto the same path), it throws when
 * something was not delivered, so Lambda's asynchronous retry takes over.
 */
export const handler = async (
  event: unknown,
  context: Context,
): Promise<DeliveryResult & { batchItemFailures: { itemIdentifier: string }[] }> => {
  client ??= SlackAlarmChat.clientFor((await secrets()).botToken, config);
  const timer = lambdaTimer(context);
  const envelope = parseAlarmEnvelope(event);
  const log = (level: 'info' | 'warn' | 'error', message: string, detail: Record<string, unknown>) =>
    logger[level](message, detail);
  const result = await deliverAlarms(envelope.items, {
    store,
    chat: new SlackAlarmChat(client, timer),
    timer,
    log,
    channelId: config.channelId,
    settings: alarms,
    metricImage: (alarm) => control.metricImage(alarm),
    enrich: logSearchEnrichment(logs),
  });
  logger.info('alarm notifications handled', { ...result });
  if (envelope.kind !== 'sqs' && result.failures.length > 0)
    throw new AlarmsNotDeliveredError(result.failures.length);
  if (sqs && alarms.queueUrl && result.failures.length > 0) {
    const byId = new Map(envelope.items.map((item) => [item.itemIdentifier, item]));
    const redeliveries = result.failures.flatMap((f) => {
      const item = byId.get(f.itemIdentifier);
      return item?.receiptHandle
        ? [
            {
              receiptHandle: item.receiptHandle,
              delaySeconds: redeliveryDelaySeconds(f.reason, item.receiveCount, {
                deferredDelaySeconds: alarms.retryDelaySeconds,
              }),
            },
          ]
        : [];
    });
    await scheduleRedeliveries(sqs, alarms.queueUrl, redeliveries, log);
  }
  return { ...result, batchItemFailures: result.failures.map((f) => ({ itemIdentifier: f.itemIdentifier })) };
};
